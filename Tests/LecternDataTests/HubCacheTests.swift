import Foundation
import LecternFiles
import LecternTestSupport
import Testing
@testable import LecternData

/// Datasets where `load_dataset` leaves them: a Hub cache laid out as huggingface_hub writes it (blobs,
/// `refs/main`, snapshots of symbolic links), built here from the `datasets`-written shards of
/// Fixtures/parquet-folder; names as `load_dataset` takes them; README configs and per-config folders.
struct HubCacheTests {
    let folder = ScratchFolder()
    var cache: String { folder.path + "/hub" }
    static let shards = ["data/test-00000-of-00001.parquet", "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]

    /// `datasets--ORG--NAME` with each file a link into `blobs/`, as huggingface_hub stores a download.
    @discardableResult
    func cacheDataset(_ repository: String, files: [(path: String, source: String)], readme: String? = nil, branch: String = "main") throws -> String {
        let root = cache + "/datasets--" + repository.replacingOccurrences(of: "/", with: "--")
        let commit = String(repeating: "a1b2c3d4", count: 5)
        let snapshot = root + "/snapshots/" + commit
        var all = files
        if let readme { all.append(("README.md", folder.write("readme-\(UUID().uuidString).md", readme))) }
        for (path, source) in all {
            let blob = root + "/blobs/" + (try ContentHash.sha256(file: source))
            try FileManager.default.createDirectory(atPath: root + "/blobs", withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: blob) { try FileManager.default.copyItem(atPath: source, toPath: blob) }
            let link = snapshot + "/" + path
            try FileManager.default.createDirectory(atPath: (link as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let depth = path.split(separator: "/").count + 1
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: String(repeating: "../", count: depth) + "blobs/" + (blob as NSString).lastPathComponent)
        }
        folder.write("hub/datasets--" + repository.replacingOccurrences(of: "/", with: "--") + "/refs/" + branch, commit)
        return snapshot
    }

    func fixture(_ shard: String) -> String { ParquetDatasetTests.folder + "/" + shard }

    @Test func aDatasetIsFoundByItsNameUnderItsOrganisationAndAsItMoved() throws {
        // (`imdb` rather than `ag_news`: CI's $LECTERN_DATA holds an ag_news, which is searched first.)
        let snapshot = try cacheDataset("stanfordnlp/imdb", files: Self.shards.map { ($0, fixture($0)) })
        for name in ["stanfordnlp/imdb", "imdb"] {
            #expect(try DatasetResolver.resolve(name, relativeTo: folder.path, hubCache: cache) == snapshot, "\(name)")
        }
        let dataset = try DatasetLoader.load(at: snapshot)
        #expect(dataset.format == .parquet && dataset.splits.map(\.name) == ["train", "test"])
        #expect(dataset[split: "train"]?.texts == ParquetDatasetTests.expected.splits["train"]?.text)
        #expect(dataset.labelNames == ["World", "Sports", "Business", "Sci/Tech"])
    }

    @Test func aNameUnderAnyOrganisationIsFoundAndTwoAreAmbiguous() throws {
        let snapshot = try cacheDataset("someone/tiny_news", files: Self.shards.map { ($0, fixture($0)) })
        #expect(try DatasetResolver.resolve("tiny_news", relativeTo: folder.path, hubCache: cache) == snapshot)
        try cacheDataset("another/tiny_news", files: Self.shards.map { ($0, fixture($0)) })
        #expect(throws: DataError("Several datasets named `tiny_news` are in the Hugging Face cache: `another/tiny_news`, `someone/tiny_news`.",
                                  file: cache, hint: "Write the full name, such as `dataset: another/tiny_news`.")) {
            try DatasetResolver.resolve("tiny_news", relativeTo: folder.path, hubCache: cache)
        }
    }

    /// The Hub's Parquet export (`refs/convert/parquet`): CONFIG/SPLIT/0000.parquet, a config chosen by `config`.
    @Test func theParquetExportBranchAndItsConfigs() throws {
        let files = [("default/train/0000.parquet", fixture(Self.shards[1])), ("default/test/0000.parquet", fixture(Self.shards[0])),
                     ("small/train/0000.parquet", fixture(Self.shards[2]))]
        let snapshot = try cacheDataset("org/exported", files: files, branch: "convert/parquet")
        #expect(try DatasetResolver.resolve("org/exported", relativeTo: folder.path, hubCache: cache) == snapshot)
        let defaults = try DatasetLoader.load(at: snapshot)
        #expect(defaults.splits.map(\.name) == ["train", "test"] && defaults[split: "train"]?.count == 15)
        let small = try DatasetLoader.load(at: snapshot, options: LoadOptions(config: "small"))
        #expect(small.splits.map(\.name) == ["train"] && small[split: "train"]?.texts == Array(ParquetDatasetTests.expected.splits["train"]!.text[15...]))
        #expect(throws: DataError("This dataset has no config `large`.", file: snapshot, hint: "Its configs are `default`, `small`.")) {
            try DatasetLoader.load(at: snapshot, options: LoadOptions(config: "large"))
        }
    }

    /// README.md's `configs` say which files are which split, with patterns, as `datasets` reads them.
    @Test func readmeConfigsChooseTheFiles() throws {
        let readme = """
            ---
            pretty_name: Tiny *news*
            configs:
            - config_name: default
              default: true
              data_files:
              - split: train
                path: data/train-*
              - split: test
                path: "data/test-*.parquet"
            - config_name: first_shard
              data_files:
                train: data/train-00000-of-00002.parquet
            ---
            # Tiny news
            """
        let snapshot = try cacheDataset("org/configured", files: Self.shards.map { ($0, fixture($0)) }, readme: readme)
        let whole = try DatasetLoader.load(at: snapshot)
        #expect(whole[split: "train"]?.count == 30 && whole[split: "test"]?.count == 12)
        let first = try DatasetLoader.load(at: snapshot, options: LoadOptions(config: "first_shard"))
        #expect(first.splits.map(\.name) == ["train"] && first[split: "train"]?.count == 15)
    }

    /// A README whose YAML aliases would multiply to 9¹⁰ patterns: composed and walked within a budget of
    /// nodes, so the load ends with an error instead of running out of memory.
    @Test func aReadmeAliasBombIsNotExpanded() throws {
        let readme = "---\n" + yamlAliasBomb + "configs:\n- config_name: default\n  data_files: *j\n---\n"
        let snapshot = try cacheDataset("org/bomb", files: Self.shards.map { ($0, fixture($0)) }, readme: readme)
        #expect(throws: DataError.self) { try DatasetLoader.load(at: snapshot) }
    }

    /// A Hub dataset of JSON Lines files at the top of its snapshot (the layout of SetFit/bbc-news): found by
    /// name, read by the JSON Lines reader, splits from the file names.
    @Test func aJSONLinesDatasetInTheCache() throws {
        let train = folder.write("src/train.jsonl", (0..<6).map { "{\"text\": \"article \($0)\", \"label\": \($0 % 2), \"label_text\": \"\($0 % 2 == 0 ? "sport" : "tech")\"}" }.joined(separator: "\n") + "\n")
        let test = folder.write("src/test.jsonl", "{\"text\": \"held out\", \"label\": 1, \"label_text\": \"tech\"}\n")
        let snapshot = try cacheDataset("SetFit/bbc-news", files: [("train.jsonl", train), ("test.jsonl", test)])
        #expect(try DatasetResolver.resolve("bbc-news", relativeTo: folder.path, hubCache: cache) == snapshot)
        let dataset = try DatasetLoader.load(at: snapshot)
        #expect(dataset.format == .jsonl && dataset.splits.map(\.name) == ["train", "test"])
        #expect(dataset[split: "train"]?.labels == [0, 1, 0, 1, 0, 1] && dataset[split: "test"]?.texts == ["held out"])
    }

    @Test func aMissingDatasetListsThePlacesAndTheDownloadCommand() {
        do {
            _ = try DatasetResolver.resolve("imdb", relativeTo: folder.path, hubCache: cache)
            Issue.record("resolved a dataset that is not there")
        } catch {
            #expect(error.message.contains(cache + "/datasets--imdb/snapshots/…"))
            #expect(error.message.contains(cache + "/datasets--stanfordnlp--imdb/snapshots/…"))
            #expect(error.hint?.contains("`hf download stanfordnlp/imdb --repo-type dataset`") == true, "\(error.hint ?? "")")
        }
    }
}
