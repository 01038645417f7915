/// Reads little-endian numbers, varints and byte runs from a byte array, each read checked against its
/// end: damaged files end in a `ColumnarError`, never a read past the bytes.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    mutating func byte() throws(ColumnarError) -> UInt8 {
        guard position < end else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next `count` bytes' range, skipped over.
    mutating func take(_ count: Int) throws(ColumnarError) -> Range<Int> {
        guard count >= 0, count <= remaining else { throw .truncated }
        defer { position += count }
        return position..<position + count
    }

    mutating func skip(_ count: Int) throws(ColumnarError) { _ = try take(count) }

    mutating func littleEndian(_ width: Int) throws(ColumnarError) -> UInt64 {
        let range = try take(width)
        var value: UInt64 = 0
        for (shift, index) in range.enumerated() { value |= UInt64(bytes[index]) << (8 * shift) }
        return value
    }

    mutating func uint32() throws(ColumnarError) -> UInt32 { UInt32(try littleEndian(4)) }

    /// An unsigned LEB128 varint of at most 10 bytes.
    mutating func varint() throws(ColumnarError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let byte = try byte()
            if shift == 63 && byte > 1 { break }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw ColumnarError("A number in the file's structure is longer than any number can be: the file is damaged.")
    }

    /// A zigzag-encoded signed varint.
    mutating func zigzag() throws(ColumnarError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A varint that counts something of which there can be at most `limit`.
    mutating func count(atMost limit: Int, of what: String) throws(ColumnarError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw ColumnarError("The file claims \(value) \(what), more than it can hold: it is damaged.") }
        return Int(value)
    }
}
