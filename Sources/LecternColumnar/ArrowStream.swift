import CCompression
import Foundation

/// An Arrow IPC file, stream format or file format, as `datasets` writes them (`save_to_disk`, its cache)
/// and pyarrow writes `.arrow` files: the schema, then record batches read one at a time, so the first
/// rows of a large file cost its first batches. Values come out as `ColumnValue`s, like Parquet's.
public struct ArrowFile: Sendable {
    public let path: String
    /// The top-level columns, in the schema's order.
    public let columnNames: [String]
    /// The schema's key-value metadata (`datasets` keeps its features under `huggingface`).
    public let keyValueMetadata: [String: String]
    let fields: [ArrowField]

    /// Larger than any message metadata or batch body Lectern reads in one piece.
    static let maximumMessage = 1 << 31

    public init(path: String) throws(ColumnarError) {
        self.path = path
        var stream = try MessageStream(path: path)
        guard let (message, _) = try stream.next(), try message.int(1, width: 1) == 1, let schema = try message.table(2) else {
            throw ColumnarError("The file does not begin with an Arrow schema, so it is not an Arrow file (or it is damaged).")
        }
        fields = try schema.tables(1).map { (field) throws(ColumnarError) in try ArrowField(field) }
        columnNames = fields.map(\.name)
        var metadata: [String: String] = [:]
        for entry in try schema.tables(2) { if let key = try entry.string(0) { metadata[key] = try entry.string(1) ?? "" } }
        keyValueMetadata = metadata
    }

    /// The first `limit` rows (all when nil) of the named columns, one array per column.
    public func read(_ names: [String], limit: Int? = nil) throws(ColumnarError) -> [[ColumnValue]] {
        var positions: [Int] = []
        for name in names {
            guard let index = columnNames.firstIndex(of: name) else {
                throw ColumnarError("There is no column `\(name)`. The columns are " + columnNames.map { "`\($0)`" }.joined(separator: ", ") + ".")
            }
            positions.append(index)
        }
        var stream = try MessageStream(path: path)
        _ = try stream.next()
        var result = Array(repeating: [ColumnValue](), count: names.count)
        var rows = 0
        while limit.map({ rows < $0 }) ?? true, let (message, body) = try stream.next() {
            switch try message.int(1, width: 1) {
            case 3:
                guard let batch = try message.table(2) else { throw FlatTable.damaged }
                let decoded = try RecordBatch(batch, body: body, fields: fields).columns(positions)
                let take = min(decoded.first?.count ?? 0, (limit ?? .max) - rows)
                for index in decoded.indices { result[index].append(contentsOf: decoded[index].prefix(take)) }
                rows += decoded.first?.count ?? 0
            case 2:
                throw ColumnarError("The file has dictionary-encoded columns, which Lectern does not read; `datasets` writes none.")
            default:
                continue
            }
        }
        return result
    }
}

/// The messages of an IPC stream (or of the stream inside the file format), read one at a time.
struct MessageStream {
    let file: RandomAccessFile
    var position = 0

    init(path: String) throws(ColumnarError) {
        file = try RandomAccessFile(path: path)
        if file.size >= 8, try file.read(at: 0, count: 6) == Array("ARROW1".utf8) { position = 8 }
    }

    /// The next message's metadata and body, or nil at the end of the stream.
    mutating func next() throws(ColumnarError) -> (FlatTable, [UInt8])? {
        guard position + 4 <= file.size else { return nil }
        var length = Int(Int32(bitPattern: UInt32(try lengthWord())))
        if length == -1 {
            guard position + 4 <= file.size else { return nil }
            length = Int(Int32(bitPattern: UInt32(try lengthWord())))
        }
        if length == 0 { return nil }
        guard length > 0, length <= file.size - position else { throw ColumnarError("An Arrow message claims \(length) bytes, more than the file has: it is truncated or damaged.") }
        let metadata = try file.read(at: position, count: length)
        position += length
        let message = try FlatTable(root: metadata)
        let bodyLength = try message.int(3, width: 8)
        guard bodyLength >= 0, bodyLength <= Int64(file.size - position) else {
            throw ColumnarError("An Arrow record batch claims \(bodyLength) bytes, more than the file has: it is truncated or damaged.")
        }
        let body = try file.read(at: position, count: Int(bodyLength))
        position += Int(bodyLength)
        return (message, body)
    }

    private mutating func lengthWord() throws(ColumnarError) -> UInt32 {
        var reader = ByteReader(try file.read(at: position, count: 4))
        position += 4
        return try reader.uint32()
    }
}

/// One record batch: field nodes (length, null count) and buffers (offset, length) in the body, in the
/// schema's depth-first order.
struct RecordBatch {
    let length: Int
    let nodes: [[Int64]]
    let buffers: [Range<Int>]
    let body: [UInt8]
    let fields: [ArrowField]
    let codec: Int64?

    init(_ table: FlatTable, body: [UInt8], fields: [ArrowField]) throws(ColumnarError) {
        let length = try table.int(0, width: 8)
        guard length >= 0, length <= Int64(ColumnChunkReader.maximumPageValues * 64) else { throw ColumnarError("An Arrow record batch claims \(length) rows: the file is damaged.") }
        self.length = Int(length)
        nodes = try table.longStructs(1, width: 2)
        buffers = try table.longStructs(2, width: 2).map { (buffer) throws(ColumnarError) -> Range<Int> in
            let (end, overflow) = buffer[0].addingReportingOverflow(buffer[1])
            guard buffer[0] >= 0, buffer[1] >= 0, !overflow, end <= Int64(body.count) else {
                throw ColumnarError("An Arrow buffer lies outside its record batch: the file is damaged.")
            }
            return Int(buffer[0])..<Int(end)
        }
        codec = try table.table(3).map { (compression) throws(ColumnarError) in try compression.int(0, width: 1) }
        self.body = body
        self.fields = fields
    }

    /// The values of the top-level columns at `positions`.
    func columns(_ positions: [Int]) throws(ColumnarError) -> [[ColumnValue]] {
        var node = 0, buffer = 0
        var decoded: [Int: [ColumnValue]] = [:]
        for (index, field) in fields.enumerated() {
            if positions.contains(index) {
                var cursor = Cursor(node: node, buffer: buffer)
                let column = try values(field, &cursor)
                guard column.count == length else {
                    throw ColumnarError("The Arrow column `\(field.name)` has \(column.count) values in a batch of \(length) rows: the file is damaged.")
                }
                decoded[index] = column
            }
            guard let count = field.bufferCount else {
                if positions.contains(where: { $0 > index }) {
                    throw ColumnarError("The Arrow column `\(field.name)` has a type Lectern cannot read past; choose columns before it.")
                }
                break
            }
            node += field.nodeCount
            buffer += count
        }
        return positions.map { decoded[$0] ?? [] }
    }

    struct Cursor {
        var node: Int
        var buffer: Int
    }

    private func nextNode(_ cursor: inout Cursor) throws(ColumnarError) -> (length: Int, nulls: Int) {
        guard cursor.node < nodes.count else { throw ColumnarError("An Arrow record batch has fewer field nodes than its schema: the file is damaged.") }
        defer { cursor.node += 1 }
        let node = nodes[cursor.node]
        guard node[0] >= 0, node[0] <= Int64(body.count) * 8 + Int64(length), node[1] >= 0, node[1] <= node[0] else {
            throw ColumnarError("An Arrow field node claims \(node[0]) values: the file is damaged.")
        }
        return (Int(node[0]), Int(node[1]))
    }

    private func nextBuffer(_ cursor: inout Cursor) throws(ColumnarError) -> [UInt8] {
        guard cursor.buffer < buffers.count else { throw ColumnarError("An Arrow record batch has fewer buffers than its schema: the file is damaged.") }
        defer { cursor.buffer += 1 }
        let bytes = Array(body[buffers[cursor.buffer]])
        guard let codec, !bytes.isEmpty else { return bytes }
        // A compressed buffer: its uncompressed length (-1: stored as is), then the codec's frame.
        var reader = ByteReader(bytes)
        let size = Int64(bitPattern: try reader.littleEndian(8))
        if size == -1 { return Array(bytes[8...]) }
        guard size >= 0, size <= Int64(Decompression.maximumPageSize) else { throw ColumnarError("An Arrow buffer claims \(size) bytes: the file is damaged.") }
        switch codec {
        case 1: return try Decompression.decompress(bytes[8...], codec: .zstd, size: Int(size))
        default: throw ColumnarError("The file's record batches are compressed with LZ4 frames, which Lectern does not read; write it with ZSTD or uncompressed.")
        }
    }

    private func values(_ field: ArrowField, _ cursor: inout Cursor) throws(ColumnarError) -> [ColumnValue] {
        let (count, nulls) = try nextNode(&cursor)
        if case .null = field.kind {
            // A column of nulls has no buffers to bound its length; none holds texts or labels anyway.
            guard count <= 1 << 16 else { throw ColumnarError("The Arrow column `\(field.name)` holds only nulls (\(count) of them): it has no texts or labels.") }
            return Array(repeating: .null, count: count)
        }
        let validity = try nextBuffer(&cursor)
        guard validity.isEmpty || validity.count * 8 >= count else { throw .truncated }
        func isValid(_ index: Int) -> Bool { nulls == 0 || validity.isEmpty || validity[index >> 3] & (1 << UInt8(index & 7)) != 0 }
        var values: [ColumnValue] = []
        // The count comes from the file; the buffers checked below bound it, so reserve no more than a page's worth first.
        values.reserveCapacity(min(count, 1 << 16))
        switch field.kind {
        case .bool:
            let data = try nextBuffer(&cursor)
            guard data.count * 8 >= count else { throw .truncated }
            for index in 0..<count { values.append(isValid(index) ? .bool(data[index >> 3] & (1 << UInt8(index & 7)) != 0) : .null) }
        case let .int(bits, signed):
            let data = try nextBuffer(&cursor), width = bits / 8
            guard data.count / width >= count else { throw .truncated }
            var reader = ByteReader(data)
            for index in 0..<count {
                let raw = try reader.littleEndian(width)
                guard isValid(index) else { values.append(.null); continue }
                let shift = UInt64(64 - bits)
                values.append(.int(signed ? Int64(bitPattern: raw << shift) >> Int64(shift) : Int64(bitPattern: raw)))
            }
        case let .float(bits):
            let data = try nextBuffer(&cursor)
            guard data.count / (bits / 8) >= count else { throw .truncated }
            var reader = ByteReader(data)
            for index in 0..<count {
                let value = bits == 32 ? Double(Float(bitPattern: try reader.uint32())) : Double(bitPattern: try reader.littleEndian(8))
                values.append(isValid(index) ? .double(value) : .null)
            }
        case let .text(large), let .binary(large):
            let offsets = try self.offsets(try nextBuffer(&cursor), count: count, large: large)
            let data = try nextBuffer(&cursor)
            guard let last = offsets.last, last <= data.count else { throw .truncated }
            let isText: Bool = if case .text = field.kind { true } else { false }
            for index in 0..<count {
                guard isValid(index) else { values.append(.null); continue }
                let bytes = data[offsets[index]..<offsets[index + 1]]
                if isText {
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw ColumnarError("The text column `\(field.name)` holds bytes that are not valid UTF-8: the file is damaged.")
                    }
                    values.append(.string(text))
                } else {
                    values.append(.bytes(Array(bytes)))
                }
            }
        case let .fixedBinary(width):
            let data = try nextBuffer(&cursor)
            guard width > 0, data.count / width >= count else { throw .truncated }
            for index in 0..<count { values.append(isValid(index) ? .bytes(Array(data[index * width..<(index + 1) * width])) : .null) }
        case let .list(large):
            let offsets = try self.offsets(try nextBuffer(&cursor), count: count, large: large)
            guard field.children.count == 1 else { throw ColumnarError("The Arrow list column `\(field.name)` has no element field: the file is damaged.") }
            let elements = try self.values(field.children[0], &cursor)
            guard let last = offsets.last, last <= elements.count else { throw .truncated }
            for index in 0..<count { values.append(isValid(index) ? .list(Array(elements[offsets[index]..<offsets[index + 1]])) : .null) }
        case .null:
            break
        case let .other(_, name):
            throw ColumnarError("The Arrow column `\(field.name)` is of a type Lectern does not read (\(name)); Lectern reads text, numbers, booleans and lists of them.")
        }
        return values
    }

    /// `count + 1` offsets, checked to start at or above 0 and never to decrease.
    private func offsets(_ buffer: [UInt8], count: Int, large: Bool) throws(ColumnarError) -> [Int] {
        let width = large ? 8 : 4
        guard count < Int.max / width, buffer.count >= (count + 1) * width || (count == 0 && buffer.isEmpty) else { throw .truncated }
        if count == 0 { return [0] }
        var reader = ByteReader(buffer)
        var offsets: [Int] = []
        offsets.reserveCapacity(count + 1) // checked against the buffer's size above
        for _ in 0...count {
            let raw = large ? Int64(bitPattern: try reader.littleEndian(8)) : Int64(Int32(bitPattern: try reader.uint32()))
            guard raw >= 0, raw <= Int64(body.count) * 8 + 1, raw >= Int64(offsets.last ?? 0) else {
                throw ColumnarError("An Arrow column's offsets decrease or lie outside the batch: the file is damaged.")
            }
            offsets.append(Int(raw))
        }
        return offsets
    }
}
