import Foundation
import LecternTestSupport
import Testing
@testable import LecternData

/// A folder laid out as the Hub's Parquet export, written by `datasets` (Tests/reference/make_parquet_fixtures.py):
/// the splits from the shard names, the shards in order, ClassLabel names, and split expressions give
/// exactly the rows `load_dataset(folder, split=...)` gives.
struct ParquetDatasetTests {
    static let folder = Bundle.module.url(forResource: "Fixtures/parquet-folder", withExtension: nil)!.path

    struct Expected: Decodable {
        struct Rows: Decodable {
            let text: [String]
            let label: [Int]
        }

        let label_names: [String]
        let splits: [String: Rows]
    }

    static let expected = try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))

    @Test func aFolderOfShardsIsFoundAndReadAsDatasetsReadsIt() throws {
        #expect(try DatasetLoader.detectFormat(at: Self.folder) == .parquet)
        let dataset = try DatasetLoader.load(at: Self.folder)
        #expect(dataset.labelNames == Self.expected.label_names)
        #expect(dataset.splits.map(\.name) == ["train", "test"])
        for split in dataset.splits {
            let rows = try #require(Self.expected.splits[split.name])
            #expect(split.texts == rows.text && split.labels == rows.label, "\(split.name)")
        }
    }

    @Test(arguments: ["train[:7]", "train[20:]+test[-3:]", "train[10%:50%]"])
    func splitExpressionsSelectTheSameRows(_ text: String) throws {
        let expression = try SplitExpression(text)
        let options = LoadOptions(rowsNeeded: SplitExpression.rowsNeeded([expression]))
        let selected = try expression.select(from: try DatasetLoader.load(at: Self.folder, options: options))
        let rows = try #require(Self.expected.splits[text])
        #expect(selected.texts == rows.text && selected.labels == rows.label)
    }

    /// `train[:7]` needs seven rows of the first shard and nothing of `test`.
    @Test func onlyTheRowsNeededAreRead() throws {
        #expect(SplitExpression.rowsNeeded([try SplitExpression("train[:7]")]) == ["train": 7])
        #expect(SplitExpression.rowsNeeded([try SplitExpression("train[20:]+test[-3:]")]) == ["train": Int?.none, "test": Int?.none])
        #expect(SplitExpression.rowsNeeded([try SplitExpression("train[:10%]")]) == ["train": Int?.none])
        let dataset = try DatasetLoader.load(at: Self.folder, options: LoadOptions(rowsNeeded: ["train": 7]))
        #expect(dataset[split: "train"]?.count == 7 && dataset[split: "test"]?.count == 0)
        // The run header names the files read: the first shard only.
        #expect(dataset.filesRead == [Self.folder + "/data/train-00000-of-00002.parquet"])
    }

    @Test func splitNamesFollowDatasetsKeywords() {
        #expect(DataFiles.split(of: "data/train-00000-of-00003.parquet") == "train")
        #expect(DataFiles.split(of: "default/validation/0000.parquet") == "validation")
        #expect(DataFiles.split(of: "dev.parquet") == "validation")
        #expect(DataFiles.split(of: "news_eval_2.parquet") == "test")
        #expect(DataFiles.split(of: "latest.parquet") == "")
        #expect(DataFiles.split(of: "contest/part-1.parquet") == "")
    }

    @Test func aMissingColumnNamesTheColumnsThereAre() {
        #expect(throws: DataError("The file has no column `body`.", file: Self.folder + "/data/test-00000-of-00001.parquet",
                                  hint: "Its columns are `text`, `label`; set `text_column` to choose one.")) {
            try DatasetLoader.load(at: Self.folder + "/data/test-00000-of-00001.parquet", options: LoadOptions(textColumn: "body"))
        }
    }
}

/// Damaged or unsuitable columns in a Parquet file written by pyarrow (LecternColumnarTests' fixtures).
struct ParquetColumnProblemTests {
    static let file = repositoryRoot.appendingPathComponent("Tests/LecternColumnarTests/Fixtures/parquet/none-v1.parquet").path

    @Test func aNullTextNamesItsRow() {
        #expect(throws: DataError("Row 6 of the column `text` is empty (null), not text.", file: Self.file,
                                  hint: "Remove the rows without text (datasets: `.filter(lambda e: e[\"text\"] is not None)`).")) {
            try DatasetLoader.load(at: Self.file)
        }
    }

    @Test func classIDsBeyondTheNamesAreErrors() throws {
        let options = LoadOptions(textColumn: "names", labelColumn: "big")
        #expect(throws: DataError.self) { try DatasetLoader.load(at: Self.file, options: options) }
        let texts = LoadOptions(textColumn: "label", labelColumn: "label")
        #expect(throws: DataError("Row 1 of the column `label` is a whole number, not text.", file: Self.file, hint: "Set `text_column` to a column of text.")) {
            try DatasetLoader.load(at: Self.file, options: texts)
        }
    }

    /// Scores (regression) and label lists (multi-label) come through the general label path.
    @Test func scoresAndListsAreLabelsForTheirTasks() throws {
        let regression = try DatasetLoader.load(at: ParquetDatasetTests.folder + "/data/test-00000-of-00001.parquet",
                                                options: LoadOptions(task: .regression))
        #expect(regression.labelNames == ["LABEL_0"])
        if case let .scores(scores) = regression.splits[0].targets { #expect(scores.prefix(4) == [0, 1, 2, 3]) } else { Issue.record("not scores") }
    }
}
