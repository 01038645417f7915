/// JSON values as the cell cache stores them (JSON through Foundation's encoder, which writes
/// and reads numbers exactly). Objects keep their key order: they are encoded as key, value lists.
extension JSONValue: Codable {
    private enum Tag: String, Codable {
        case null, bool, int, double, string, array, object
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        switch try container.decode(Tag.self) {
        case .null: self = .null
        case .bool: self = .bool(try container.decode(Bool.self))
        case .int: self = .int(try container.decode(Int.self))
        case .double: self = .double(try container.decode(Double.self))
        case .string: self = .string(try container.decode(String.self))
        case .array: self = .array(try container.decode([JSONValue].self))
        case .object:
            var entries: [(key: String, value: JSONValue)] = []
            while !container.isAtEnd {
                entries.append((key: try container.decode(String.self), value: try container.decode(JSONValue.self)))
            }
            self = .object(entries)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        switch self {
        case .null: try container.encode(Tag.null)
        case let .bool(value): try container.encode(Tag.bool); try container.encode(value)
        case let .int(value): try container.encode(Tag.int); try container.encode(value)
        case let .double(value): try container.encode(Tag.double); try container.encode(value)
        case let .string(value): try container.encode(Tag.string); try container.encode(value)
        case let .array(items): try container.encode(Tag.array); try container.encode(items)
        case let .object(entries):
            try container.encode(Tag.object)
            for entry in entries {
                try container.encode(entry.key)
                try container.encode(entry.value)
            }
        }
    }
}
