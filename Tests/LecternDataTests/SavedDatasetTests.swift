import Foundation
import LecternTestSupport
import Testing
@testable import LecternData

/// A `DatasetDict.save_to_disk` folder written by `datasets` (train in two shards, test in one;
/// Tests/reference/make_parquet_fixtures.py) reads as `load_from_disk` reads it.
struct SavedDatasetTests {
    static let folder = Bundle.module.url(forResource: "Fixtures/saved", withExtension: nil)!.path
    static let expected = try! JSONDecoder().decode(ParquetDatasetTests.Expected.self,
                                                    from: Data(contentsOf: URL(fileURLWithPath: folder + "/../saved-expected.json")))

    @Test func aSavedDatasetDictReadsAsLoadFromDiskReadsIt() throws {
        #expect(try DatasetLoader.detectFormat(at: Self.folder) == .arrow)
        let dataset = try DatasetLoader.load(at: Self.folder)
        #expect(dataset.format == .arrow && dataset.labelNames == Self.expected.label_names)
        #expect(dataset.splits.map(\.name) == ["train", "test"])
        for split in dataset.splits {
            let rows = try #require(Self.expected.splits[split.name])
            #expect(split.texts == rows.text && split.labels == rows.label, "\(split.name)")
        }
    }

    /// One split folder of the dict is a single saved dataset: its rows are `train`.
    @Test func aSavedSplitIsOneDataset() throws {
        let dataset = try DatasetLoader.load(at: Self.folder + "/test")
        #expect(dataset.splits.map(\.name) == ["train"] && dataset.splits[0].texts == Self.expected.splits["test"]?.text)
    }

    @Test func theFirstRowsComeFromTheFirstShard() throws {
        let dataset = try DatasetLoader.load(at: Self.folder, options: LoadOptions(rowsNeeded: ["train": 5]))
        #expect(dataset[split: "train"]?.texts == Array(Self.expected.splits["train"]!.text.prefix(5)))
        #expect(dataset[split: "test"]?.count == 0)
    }

    @Test func aStateFileThatNamesAMissingShardIsAnError() throws {
        let copy = ScratchFolder()
        try FileManager.default.copyItem(atPath: Self.folder + "/train", toPath: copy.path + "/train")
        try FileManager.default.removeItem(atPath: copy.path + "/train/data-00001-of-00002.arrow")
        #expect(throws: DataError("state.json names data-00001-of-00002.arrow, which is missing.", file: copy.path + "/train/state.json")) {
            try DatasetLoader.load(at: copy.path + "/train")
        }
        copy.write("escape/state.json", "{\"_data_files\": [{\"filename\": \"../train/data-00000-of-00002.arrow\"}]}")
        #expect(throws: DataError("state.json names a data file that is not a plain file name.", file: copy.path + "/escape/state.json")) {
            try DatasetLoader.load(at: copy.path + "/escape")
        }
    }
}
