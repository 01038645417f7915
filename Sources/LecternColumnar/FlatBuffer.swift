/// A table in a FlatBuffer (Arrow's message metadata), read field by field with every offset checked
/// against the buffer: a damaged message ends in a `ColumnarError`, never a read outside it.
struct FlatTable {
    let bytes: [UInt8]
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    /// The root table of a buffer.
    init(root bytes: [UInt8]) throws(ColumnarError) {
        try self.init(bytes, at: Int(try Self.u32(bytes, 0)))
    }

    init(_ bytes: [UInt8], at position: Int) throws(ColumnarError) {
        self.bytes = bytes
        self.position = position
        let offset = Int(Int32(bitPattern: try Self.u32(bytes, position)))
        let vtable = position - offset
        guard vtable >= 0, vtable + 4 <= bytes.count else { throw Self.damaged }
        self.vtable = vtable
        vtableSize = Int(try Self.u16(bytes, vtable))
        guard vtableSize >= 4, vtable + vtableSize <= bytes.count else { throw Self.damaged }
    }

    static let damaged = ColumnarError("An Arrow message's metadata is damaged: an offset points outside it.")

    /// Where field `id` is stored, or nil when it is absent.
    private func field(_ id: Int) throws(ColumnarError) -> Int? {
        let entry = 4 + 2 * id
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try Self.u16(bytes, vtable + entry))
        return offset == 0 ? nil : position + offset
    }

    func int(_ id: Int, width: Int, default value: Int64 = 0) throws(ColumnarError) -> Int64 {
        guard let at = try field(id) else { return value }
        guard at >= 0, at + width <= bytes.count else { throw Self.damaged }
        var raw: UInt64 = 0
        for index in 0..<width { raw |= UInt64(bytes[at + index]) << (8 * index) }
        // Sign-extend the width read.
        let shift = UInt64(64 - 8 * width)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    func bool(_ id: Int) throws(ColumnarError) -> Bool { try int(id, width: 1) != 0 }

    /// Where the object that field `id` refers to starts (tables, vectors and strings are stored by offset).
    private func target(_ id: Int) throws(ColumnarError) -> Int? {
        guard let at = try field(id) else { return nil }
        let target = at + Int(try Self.u32(bytes, at))
        guard target < bytes.count else { throw Self.damaged }
        return target
    }

    func table(_ id: Int) throws(ColumnarError) -> FlatTable? {
        guard let target = try target(id) else { return nil }
        return try FlatTable(bytes, at: target)
    }

    func string(_ id: Int) throws(ColumnarError) -> String? {
        guard let (start, count) = try vector(id, elementSize: 1) else { return nil }
        return String(decoding: bytes[start..<start + count], as: UTF8.self)
    }

    /// A vector's first element and count, checked to fit.
    func vector(_ id: Int, elementSize: Int) throws(ColumnarError) -> (start: Int, count: Int)? {
        guard let target = try target(id) else { return nil }
        let count = Int(try Self.u32(bytes, target))
        let (size, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, target + 4 + size <= bytes.count else { throw Self.damaged }
        return (target + 4, count)
    }

    func tables(_ id: Int) throws(ColumnarError) -> [FlatTable] {
        guard let (start, count) = try vector(id, elementSize: 4) else { return [] }
        var tables: [FlatTable] = []
        for index in 0..<count {
            let at = start + 4 * index
            tables.append(try FlatTable(bytes, at: at + Int(try Self.u32(bytes, at))))
        }
        return tables
    }

    /// A vector of structs of `width` 64-bit integers each (Arrow's FieldNode and Buffer).
    func longStructs(_ id: Int, width: Int) throws(ColumnarError) -> [[Int64]] {
        guard let (start, count) = try vector(id, elementSize: 8 * width) else { return [] }
        var reader = ByteReader(bytes, from: start, to: start + 8 * width * count)
        var result: [[Int64]] = []
        for _ in 0..<count {
            var item: [Int64] = []
            for _ in 0..<width { item.append(Int64(bitPattern: try reader.littleEndian(8))) }
            result.append(item)
        }
        return result
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) throws(ColumnarError) -> UInt32 {
        guard at >= 0, at + 4 <= bytes.count else { throw damaged }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) throws(ColumnarError) -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { throw damaged }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }
}
