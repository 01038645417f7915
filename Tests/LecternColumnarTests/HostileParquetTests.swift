import Foundation
import LecternTestSupport
import Testing
@testable import LecternColumnar
@testable import LecternEngine

/// Damaged and hostile Parquet files: each is refused with a message, never a trap, an endless loop or
/// an allocation the file's size does not justify.
struct HostileParquetTests {
    let folder = ScratchFolder()
    static let original = try! [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetReaderTests.folder + "/snappy-v2.parquet")))

    /// Opens and reads every column; the error's message, or nil when the bytes read.
    func read(_ bytes: [UInt8]) -> String? {
        let path = folder.write("hostile.parquet", bytes)
        do {
            let file = try ParquetFile(path: path)
            _ = try file.read(file.columns.map(\.name))
            return nil
        } catch {
            return error.message
        }
    }

    @Test func everyTruncationIsAnError() {
        for length in stride(from: 0, to: Self.original.count - 1, by: 61) {
            let message = read(Array(Self.original.prefix(length)))
            #expect(message != nil, "\(length) bytes read without an error")
        }
        #expect(read(Array(Self.original.prefix(3))) == "The file is too short to be a Parquet file (3 bytes).")
    }

    @Test func aFooterLongerThanTheFileIsAnError() {
        var bytes = Self.original
        let count = bytes.count
        bytes.replaceSubrange(count - 8..<count - 4, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(read(bytes) == "The file's footer claims 2147483647 bytes, more than the file has: it is truncated or damaged.")
    }

    /// Thousands of single-byte changes at random places (seeded): each file reads or is refused with a message.
    @Test func mutatedFilesReadOrFailCleanly() {
        var random = SplitMix64(seed: 20261206)
        var refused = 0
        for _ in 0..<400 {
            var bytes = Self.original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if read(bytes) != nil { refused += 1 }
        }
        #expect(refused > 40, "damage this widespread should be noticed in some files")
    }

    /// A page header whose uncompressed size is 3 GB, as a zip bomb would claim.
    @Test func aPageThatClaimsGigabytesIsRefusedBeforeAnyMemoryIsTaken() throws {
        #expect(throws: ColumnarError("A page claims to hold 3000000000 bytes, more than Lectern reads in one page (256 MiB): the file is damaged.")) {
            try Decompression.decompress([1, 2, 3], codec: .zstd, size: 3_000_000_000)
        }
        #expect(throws: ColumnarError("A Snappy page does not decompress to the size its header states: the file is damaged.")) {
            try Decompression.decompress([9, 0, 1, 2], codec: .snappy, size: 100)
        }
    }

    @Test func aDictionaryIndexOutOfRangeIsAnError() throws {
        let decoder = ValueDecoder(type: .int64, fixedLength: 0, isText: false, column: "label")
        // Bit width 2, then an RLE run of 4 copies of index 3, for a dictionary of 2 entries.
        var reader = ByteReader([2, 4 << 1, 3])
        #expect(throws: ColumnarError("The column `label` refers to dictionary entry 3 of 2: the file is damaged.")) {
            try decoder.decode(&reader, encoding: .rleDictionary, count: 4, dictionary: [.int(10), .int(20)])
        }
    }

    /// A footer of nested structs, each opening the next: refused at the depth limit, not by the stack.
    @Test func aFooterThatNestsWithoutEndIsAnError() {
        var reader = ByteReader(Array(repeating: 0x1C, count: 100_000))
        #expect(throws: ColumnarError("The file's metadata nests deeper than Parquet's does: it is damaged.")) {
            try ThriftValue.readStruct(&reader)
        }
        // A list that claims more elements than there are bytes left.
        var list = ByteReader([0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: ColumnarError.self) { try ThriftValue.readStruct(&list) }
    }

    /// A DELTA_BINARY_PACKED header with a block size that is no multiple of 128, and one claiming more values than the page.
    @Test func malformedDeltaHeadersAreErrors() {
        var odd = ByteReader([100, 4, 2, 0])
        #expect(throws: ColumnarError.self) { try ValueDecoder.deltaBinaryPacked(&odd, count: 2) }
        var many = ByteReader([0x80, 0x01, 4, 0xFF, 0xFF, 0xFF, 0x07, 0])
        #expect(throws: ColumnarError("A page holds 16777215 values where 2 are expected: the file is damaged.")) {
            try ValueDecoder.deltaBinaryPacked(&many, count: 2)
        }
    }
}
