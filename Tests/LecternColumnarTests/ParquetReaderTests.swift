import Foundation
import Testing
@testable import LecternColumnar

/// Every Parquet fixture (written by pyarrow: each codec, pages v1 and v2, dictionary, plain and delta
/// encodings, nulls and lists; `Tests/reference/make_parquet_fixtures.py`) read back cell for cell as
/// pyarrow reads it.
struct ParquetReaderTests {
    static let folder = Bundle.module.url(forResource: "Fixtures/parquet", withExtension: nil)!.path

    struct Expected {
        let rows: Int
        let files: [String]
        let columns: [String: [ColumnValue]]
    }

    /// The column types the fixture script wrote, to read its JSON back typed.
    static let kinds: [String: String] = ["text": "string", "label": "int", "label32": "int", "big": "int", "score": "double",
                                          "small": "double", "flag": "bool", "tags": "[int]", "names": "[string]"]

    static func value(_ json: Any, _ kind: String) -> ColumnValue {
        if json is NSNull { return .null }
        switch kind {
        case "string": return .string(json as! String)
        case "int": return .int((json as! NSNumber).int64Value)
        case "double": return .double(Double(json as! String)!)
        case "bool": return .bool((json as! NSNumber).boolValue)
        default: return .list((json as! [Any]).map { value($0, String(kind.dropFirst().dropLast())) })
        }
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let columns = (json["columns"] as! [String: [Any]]).map { name, values in (name, values.map { value($0, kinds[name]!) }) }
        return Expected(rows: json["rows"] as! Int, files: json["files"] as! [String], columns: Dictionary(uniqueKeysWithValues: columns))
    }()

    @Test(arguments: expected.files)
    func everyCellAsPyarrowReadsIt(_ name: String) throws {
        let file = try ParquetFile(path: Self.folder + "/\(name).parquet")
        #expect(file.rowCount == Self.expected.rows)
        #expect(file.columns.map(\.name) == ["text", "label", "label32", "big", "score", "small", "flag", "tags", "names"])
        let names = file.columns.map(\.name)
        Self.expectCells(try file.read(names), columns: names, in: name)
    }

    /// Each column read equals the fixture's, cell for cell (Parquet and Arrow files hold the same table).
    static func expectCells(_ read: [[ColumnValue]], columns: [String], in name: String) {
        for (column, values) in zip(columns, read) {
            guard let expected = Self.expected.columns[column] else {
                Issue.record("\(name): no expected column \(column)")
                continue
            }
            #expect(values.count == expected.count, "\(name): \(column)")
            let wrong = zip(values, expected).enumerated().first { $0.element.0 != $0.element.1 }
            #expect(wrong == nil, "\(name): \(column) row \(wrong?.offset ?? -1): \(String(describing: wrong?.element.0)) != \(String(describing: wrong?.element.1))")
        }
    }

    /// A slice of rows reads only the row groups that hold it, and gives the same rows as the whole file.
    @Test func aSliceReadsOnlyItsRowGroups() throws {
        let file = try ParquetFile(path: Self.folder + "/zstd-v2.parquet")
        #expect(file.rowGroups.count == 3)
        let slice = try file.read(["text", "names"], rows: 100..<140)
        #expect(slice[0] == Array(Self.expected.columns["text"]![100..<140]))
        #expect(slice[1] == Array(Self.expected.columns["names"]![100..<140]))
        #expect(file.bytesToRead(["text"], rows: 0..<100) == file.rowGroups[0].columns[0].length)
        #expect(file.bytesToRead(["text"], rows: 100..<140) == file.rowGroups[0].columns[0].length + file.rowGroups[1].columns[0].length)
    }

    @Test func anUnknownColumnNamesTheColumnsThereAre() throws {
        let file = try ParquetFile(path: Self.folder + "/none-v1.parquet")
        #expect(throws: ColumnarError("There is no column `body`. The columns are `text`, `label`, `label32`, `big`, `score`, `small`, `flag`, `tags`, `names`.")) {
            try file.read(["body"])
        }
    }
}

/// A file written by `datasets` with ClassLabel features: the class names come from its schema metadata,
/// and every row matches `load_dataset("parquet", ...)`.
@Test func datasetsClassLabelsAreReadFromTheSchema() throws {
    let file = try ParquetFile(path: ParquetReaderTests.folder + "/datasets-classlabel.parquet")
    let data = try Data(contentsOf: URL(fileURLWithPath: ParquetReaderTests.folder + "/datasets-classlabel.json"))
    let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let features = DatasetFeatures(metadata: file.keyValueMetadata)
    #expect(features.classNames["label"] == expected["label_names"] as? [String])
    #expect(features.classNames["topics"] == ["a", "b", "c"])
    #expect(features.classNames["text"] == nil)
    let rows = try #require(expected["rows"] as? [String: [Any]])
    let read = try file.read(["text", "label", "topics"])
    #expect(read[0] == rows["text"]!.map { .string($0 as! String) })
    #expect(read[1] == rows["label"]!.map { .int(Int64($0 as! Int)) })
    #expect(read[2] == rows["topics"]!.map { .list(($0 as! [Int]).map { .int(Int64($0)) }) })
}
