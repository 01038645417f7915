import Foundation
import LecternFiles

/// Datasets in the Hugging Face hub cache, found as `load_dataset(NAME)` finds them after it has run once:
/// `datasets--ORG--NAME`, the snapshot `refs/main` points at (else `refs/convert/parquet`, the Hub's Parquet
/// export), holding files Lectern reads.
enum HubDatasets {
    /// Canonical names that moved under an organisation; `load_dataset` follows the Hub's redirect.
    static let movedNames = [
        "ag_news": "fancyzhx/ag_news", "imdb": "stanfordnlp/imdb", "sst2": "stanfordnlp/sst2", "emotion": "dair-ai/emotion",
        "rotten_tomatoes": "cornell-movie-review-data/rotten_tomatoes", "yelp_review_full": "Yelp/yelp_review_full",
        "tweet_eval": "cardiffnlp/tweet_eval", "glue": "nyu-mll/glue",
    ]

    /// The suffixes of the data files a snapshot may hold.
    static let dataSuffixes = [".parquet", ".arrow", ".csv", ".jsonl", ".json"]

    /// `ORG/NAME`: one slash, no path-like start, and no data file's suffix (`data/reviews.csv` is a path).
    static func isRepositoryName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") } && !name.hasPrefix("~")
            && !(dataSuffixes + [".arrow", ".txt", ".tsv"]).contains { name.lowercased().hasSuffix($0) }
    }

    /// The snapshot folder of the dataset `name`, or nil (with the places looked at added to `searched`).
    static func snapshot(_ name: String, cache: String, searched: inout [String]) throws(DataError) -> String? {
        var repositories = [name]
        if let moved = movedNames[name] { repositories.append(moved) }
        if let short = name.split(separator: "/").last.map(String.init), name.contains("/") { repositories.append(short) }
        var found: [(repository: String, snapshot: String)] = []
        for repository in repositories {
            let folder = HubCache.repository(repository, kind: "datasets", in: cache)
            searched.append(folder + "/snapshots/…")
            if let snapshot = snapshot(of: folder) { found.append((repository, snapshot)) }
        }
        if !name.contains("/"), found.isEmpty {
            // The same name under any organisation, as the Hub's search would offer it.
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.hasPrefix("datasets--") && $0.hasSuffix("--" + name) }.sorted()
            for folder in others {
                let repository = folder.dropFirst("datasets--".count).replacingOccurrences(of: "--", with: "/")
                if let snapshot = snapshot(of: (cache as NSString).appendingPathComponent(folder)) { found.append((repository, snapshot)) }
            }
            if found.count > 1 {
                throw DataError("Several datasets named `\(name)` are in the Hugging Face cache: " + found.map { "`\($0.repository)`" }.joined(separator: ", ") + ".",
                                file: cache, hint: "Write the full name, such as `dataset: \(found[0].repository)`.")
            }
        }
        return found.first?.snapshot
    }

    /// `refs/main`'s snapshot when it holds data files, else `refs/convert/parquet`'s.
    private static func snapshot(of repository: String) -> String? {
        let holdsData = { (path: String) in !DataFiles.splits(in: path, suffixes: dataSuffixes).isEmpty }
        return HubCache.snapshot(repository, accept: holdsData) ?? HubCache.snapshot(repository, branch: "convert/parquet", accept: holdsData)
    }

    /// How to fetch the dataset into the cache on a machine with internet.
    static func downloadHint(_ name: String) -> String {
        let repository = movedNames[name] ?? name
        return "on a machine with internet, `hf download \(repository) --repo-type dataset` (PyPI's huggingface_hub), or running "
            + "`load_dataset(\"\(repository)\")` once, saves it in the Hugging Face cache (~/.cache/huggingface/hub/datasets--"
            + repository.replacingOccurrences(of: "/", with: "--") + "), which Lectern searches: copy that folder into the same place here."
    }
}
