/// An Arrow field as an IPC schema declares it (Schema.fbs), with the types Lectern decodes named, and
/// the buffers every other type takes, so that a record batch can be read past columns it does not need.
struct ArrowField: Sendable {
    indirect enum Kind: Sendable {
        case null
        case bool
        case int(bits: Int, signed: Bool)
        case float(bits: Int)
        case text(large: Bool)
        case binary(large: Bool)
        case fixedBinary(Int)
        case list(large: Bool)
        /// Types read past, not decoded, with their buffer count (children aside) and their name.
        case other(buffers: Int, name: String)
    }

    var name: String
    var kind: Kind
    var children: [ArrowField]

    init(_ table: FlatTable) throws(ColumnarError) {
        name = try table.string(0) ?? ""
        children = try table.tables(5).map { (child) throws(ColumnarError) in try ArrowField(child) }
        if try table.table(4) != nil {
            kind = .other(buffers: 2, name: "dictionary-encoded")
            return
        }
        let typeID = try table.int(2, width: 1)
        let type = try table.table(3)
        switch typeID {
        case 1: kind = .null
        case 2:
            let bits = Int(try type?.int(0, width: 4) ?? 0)
            guard [8, 16, 32, 64].contains(bits) else { throw ColumnarError("The Arrow column `\(name)` has integers of \(bits) bits.") }
            kind = .int(bits: bits, signed: try type?.bool(1) ?? false)
        case 3:
            let precision = try type?.int(0, width: 2) ?? 0
            kind = precision == 1 ? .float(bits: 32) : precision == 2 ? .float(bits: 64) : .other(buffers: 2, name: "half-precision float")
        case 4: kind = .binary(large: false)
        case 5: kind = .text(large: false)
        case 6: kind = .bool
        case 12: kind = .list(large: false)
        case 13: kind = .other(buffers: 1, name: "struct")
        case 15: kind = .fixedBinary(Int(try type?.int(0, width: 4) ?? 0))
        case 16: kind = .other(buffers: 1, name: "fixed-size list")
        case 17: kind = .other(buffers: 2, name: "map")
        case 19: kind = .binary(large: true)
        case 20: kind = .text(large: true)
        case 21: kind = .list(large: true)
        case 7, 8, 9, 10, 11, 18: kind = .other(buffers: 2, name: "decimal, date or time")
        default: kind = .other(buffers: -1, name: "Arrow type \(typeID)")
        }
    }

    /// Buffers this field takes in a record batch, its children's included (nil: a layout Lectern cannot skip).
    var bufferCount: Int? {
        let own: Int
        switch kind {
        case .null: own = 0
        case .bool, .int, .float, .fixedBinary: own = 2
        case .text, .binary: own = 3
        case .list: own = 2
        case let .other(buffers, _): own = buffers
        }
        guard own >= 0 else { return nil }
        var total = own
        for child in children {
            guard let count = child.bufferCount else { return nil }
            total += count
        }
        return total
    }

    /// Field nodes this field takes (one for it and one per descendant).
    var nodeCount: Int { 1 + children.reduce(0) { $0 + $1.nodeCount } }
}
