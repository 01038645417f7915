import Foundation
import LecternTestSupport
import Testing
@testable import LecternColumnar
@testable import LecternEngine

/// Arrow IPC files written by pyarrow (stream and file formats, large string and list types, ZSTD-compressed
/// buffers; Tests/reference/make_parquet_fixtures.py) read back cell for cell as pyarrow reads them.
struct ArrowReaderTests {
    static let folder = Bundle.module.url(forResource: "Fixtures/arrow", withExtension: nil)!.path

    @Test(arguments: ["stream", "file-large", "zstd"])
    func everyCellAsPyarrowReadsIt(_ name: String) throws {
        let file = try ArrowFile(path: Self.folder + "/\(name).arrow")
        #expect(file.columnNames == ["text", "label", "label32", "big", "score", "small", "flag", "tags", "names"])
        ParquetReaderTests.expectCells(try file.read(file.columnNames), columns: file.columnNames, in: name)
    }

    /// The first rows of a stream come from its first record batches (of 70 rows each), not the whole file.
    @Test func aLimitReadsTheFirstRows() throws {
        let file = try ArrowFile(path: Self.folder + "/stream.arrow")
        let first = try file.read(["names", "text"], limit: 75)
        #expect(first[0] == Array(ParquetReaderTests.expected.columns["names"]![..<75]))
        #expect(first[1] == Array(ParquetReaderTests.expected.columns["text"]![..<75]))
    }

    @Test func damagedStreamsAreErrors() throws {
        let folder = ScratchFolder()
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.folder + "/stream.arrow")))
        for length in stride(from: 0, to: original.count - 1, by: 397) {
            let path = folder.write("cut.arrow", Array(original.prefix(length)))
            #expect(throws: ColumnarError.self, "\(length) bytes") {
                let file = try ArrowFile(path: path)
                let rows = try file.read(file.columnNames)
                if rows[0].count < 300 { throw ColumnarError("short") }
            }
        }
        var random = SplitMix64(seed: 6)
        for _ in 0..<300 {
            var bytes = original
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            let path = folder.write("mutated.arrow", bytes)
            _ = try? ArrowFile(path: path).read(["text", "label", "tags", "names", "flag"])
        }
    }
}
