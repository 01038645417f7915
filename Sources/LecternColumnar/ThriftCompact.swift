/// Thrift's compact protocol, which Parquet's footer and page headers are written in, decoded into a
/// tree of values; `ParquetMetadata` reads its fields by number. Lists are checked against the bytes
/// left before anything is allocated, and nesting is limited, so a damaged footer cannot loop or
/// ask for more memory than the file's size.
enum ThriftValue: Sendable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary(ArraySlice<UInt8>)
    case list([ThriftValue])
    case structure([Int16: ThriftValue])
    case map

    static let maximumDepth = 32

    /// Reads one struct (its fields up to the stop byte).
    static func readStruct(_ reader: inout ByteReader, depth: Int = 0) throws(ColumnarError) -> [Int16: ThriftValue] {
        guard depth < maximumDepth else { throw ColumnarError("The file's metadata nests deeper than Parquet's does: it is damaged.") }
        var fields: [Int16: ThriftValue] = [:]
        var lastField: Int16 = 0
        while true {
            let header = try reader.byte()
            let type = header & 0x0F
            if type == 0 { return fields }
            let delta = Int16(header >> 4)
            let field: Int16
            if delta == 0 {
                let id = try reader.zigzag()
                guard let narrow = Int16(exactly: id) else { throw ColumnarError("A field number in the file's metadata is out of range: it is damaged.") }
                field = narrow
            } else {
                field = lastField &+ delta
            }
            lastField = field
            fields[field] = try readValue(type: type, &reader, depth: depth)
        }
    }

    private static func readValue(type: UInt8, _ reader: inout ByteReader, depth: Int) throws(ColumnarError) -> ThriftValue {
        switch type {
        case 1: return .bool(true)
        case 2: return .bool(false)
        case 3: return .int(Int64(Int8(bitPattern: try reader.byte())))
        case 4, 5, 6: return .int(try reader.zigzag())
        case 7: return .double(Double(bitPattern: try reader.littleEndian(8)))
        case 8:
            let length = try reader.count(atMost: reader.remaining, of: "bytes in a string")
            return .binary(reader.bytes[try reader.take(length)])
        case 9, 10: return try readList(&reader, depth: depth + 1)
        case 11:
            // Parquet's metadata has no maps; one is read past, not kept.
            let size = try reader.count(atMost: reader.remaining, of: "map entries")
            if size > 0 {
                let types = try reader.byte()
                for _ in 0..<size {
                    _ = try readElement(type: types >> 4, &reader, depth: depth + 1)
                    _ = try readElement(type: types & 0x0F, &reader, depth: depth + 1)
                }
            }
            return .map
        case 12: return .structure(try readStruct(&reader, depth: depth + 1))
        default: throw ColumnarError("The file's metadata has a value of unknown type \(type): it is damaged or not a Parquet file.")
        }
    }

    private static func readList(_ reader: inout ByteReader, depth: Int) throws(ColumnarError) -> ThriftValue {
        guard depth < maximumDepth else { throw ColumnarError("The file's metadata nests deeper than Parquet's does: it is damaged.") }
        let header = try reader.byte()
        var size = Int(header >> 4)
        if size == 15 { size = try reader.count(atMost: reader.remaining, of: "list elements") }
        // Every element takes at least one byte.
        guard size <= reader.remaining else { throw .truncated }
        var elements: [ThriftValue] = []
        elements.reserveCapacity(size)
        for _ in 0..<size { elements.append(try readElement(type: header & 0x0F, &reader, depth: depth)) }
        return .list(elements)
    }

    /// A list's element: as a field's value, except booleans, which take a byte each.
    private static func readElement(type: UInt8, _ reader: inout ByteReader, depth: Int) throws(ColumnarError) -> ThriftValue {
        if type == 1 || type == 2 { return .bool(try reader.byte() == 1) }
        return try readValue(type: type, &reader, depth: depth)
    }

    var int: Int64? { if case let .int(value) = self { value } else { nil } }
    var bool: Bool? { if case let .bool(value) = self { value } else { nil } }
    var list: [ThriftValue]? { if case let .list(value) = self { value } else { nil } }
    var fields: [Int16: ThriftValue]? { if case let .structure(value) = self { value } else { nil } }
    var string: String? { if case let .binary(value) = self { String(decoding: value, as: UTF8.self) } else { nil } }
}

/// A struct's fields, read by number, with the error for a required one that is missing or mistyped.
struct ThriftFields {
    let fields: [Int16: ThriftValue]
    let what: String

    init(_ fields: [Int16: ThriftValue], _ what: String) {
        self.fields = fields
        self.what = what
    }

    func int(_ id: Int16) throws(ColumnarError) -> Int64 {
        guard let value = fields[id]?.int else { throw missing(id) }
        return value
    }

    /// A required whole number that must fit an `Int` and be at least 0.
    func count(_ id: Int16) throws(ColumnarError) -> Int {
        let value = try int(id)
        guard value >= 0, let count = Int(exactly: value) else { throw ColumnarError("The file's \(what) has a negative size or count: it is damaged.") }
        return count
    }

    func optionalInt(_ id: Int16) -> Int64? { fields[id]?.int }
    func string(_ id: Int16) throws(ColumnarError) -> String {
        guard let value = fields[id]?.string else { throw missing(id) }
        return value
    }

    func list(_ id: Int16) throws(ColumnarError) -> [ThriftValue] {
        guard let value = fields[id]?.list else { throw missing(id) }
        return value
    }

    func structure(_ id: Int16) -> ThriftFields? { fields[id]?.fields.map { ThriftFields($0, what) } }

    private func missing(_ id: Int16) -> ColumnarError {
        ColumnarError("The file's \(what) lacks a required field (\(id)): it is damaged or not a Parquet file.")
    }
}
