/// Reads one column chunk's pages (a dictionary page, then data pages v1 or v2) into a value per row,
/// nulls and lists rebuilt from the definition and repetition levels.
struct ColumnChunkReader {
    let column: ParquetColumn
    let chunk: ColumnChunk

    /// Values in one page, at most: levels can describe millions of nulls in a few bytes, so the page's
    /// size does not bound its count; this does (writers use 20,000 at most by default).
    static let maximumPageValues = 1 << 20

    /// The chunk's rows, or its first `limit` rows: decoding stops at the page that completes them.
    func rows(from bytes: [UInt8], rowCount: Int, limit: Int? = nil) throws(ColumnarError) -> [ColumnValue] {
        let name = column.name
        try Decompression.check(chunk.codec, column: name)
        let decoder = ValueDecoder(type: chunk.type, fixedLength: column.leafElement.typeLength, isText: column.leafElement.isText, column: name)
        var reader = ByteReader(bytes)
        var dictionary: [ColumnValue]?
        var assembler = RowAssembler(column: column, expectedRows: rowCount)
        var valuesSeen = 0
        while valuesSeen < chunk.valueCount {
            // A list row may go on in the next page (pages v1), so a list column stops one row later.
            if let limit, assembler.rows.count > limit || (column.shape == .value && assembler.rows.count >= limit) { return Array(assembler.rows.prefix(limit)) }
            guard !reader.isAtEnd else { throw ColumnarError("The column `\(name)` ends before its last value: the file is truncated or damaged.") }
            let header = ThriftFields(try ThriftValue.readStruct(&reader), "page header")
            let pageType = try header.int(1)
            let uncompressed = try header.count(2)
            let payload = reader.bytes[try reader.take(try header.count(3))]
            switch pageType {
            case 2:
                guard dictionary == nil, let fields = header.structure(7) else {
                    throw ColumnarError("The column `\(name)` has a second or malformed dictionary page: the file is damaged.")
                }
                let count = try fields.count(1)
                guard count <= Self.maximumPageValues else { throw tooMany(count) }
                let page = try Decompression.decompress(payload, codec: chunk.codec, size: uncompressed)
                var pageReader = ByteReader(page)
                dictionary = try decoder.plain(&pageReader, count: count)
            case 0:
                guard let fields = header.structure(5) else { throw ColumnarError("A data page of `\(name)` lacks its header: the file is damaged.") }
                let count = try pageValues(fields, seen: valuesSeen)
                let page = try Decompression.decompress(payload, codec: chunk.codec, size: uncompressed)
                var pageReader = ByteReader(page)
                let repetition = try levels(&pageReader, maximum: column.maxRepetition, count: count, lengthPrefixed: true)
                let definition = try levels(&pageReader, maximum: column.maxDefinition, count: count, lengthPrefixed: true)
                let present = definition.map { levels in levels.lazy.filter { $0 == column.maxDefinition }.count } ?? count
                let values = try decoder.decode(&pageReader, encoding: try encoding(fields.int(2)), count: present, dictionary: dictionary)
                try assembler.add(values: values, definition: definition, repetition: repetition, count: count)
                valuesSeen += count
            case 3:
                guard let fields = header.structure(8) else { throw ColumnarError("A data page of `\(name)` lacks its header: the file is damaged.") }
                let count = try pageValues(fields, seen: valuesSeen)
                let definitionLength = try fields.count(5), repetitionLength = try fields.count(6)
                guard definitionLength + repetitionLength <= payload.count, definitionLength + repetitionLength <= uncompressed else { throw .truncated }
                var levelReader = ByteReader(Array(payload.prefix(repetitionLength + definitionLength)))
                var repetitionReader = ByteReader(levelReader.bytes, from: 0, to: repetitionLength)
                var definitionReader = ByteReader(levelReader.bytes, from: repetitionLength, to: repetitionLength + definitionLength)
                try levelReader.skip(repetitionLength + definitionLength)
                let repetition = try levels(&repetitionReader, maximum: column.maxRepetition, count: count, lengthPrefixed: false)
                let definition = try levels(&definitionReader, maximum: column.maxDefinition, count: count, lengthPrefixed: false)
                let compressed = fields.fields[7]?.bool ?? true
                let body = payload.dropFirst(repetitionLength + definitionLength)
                let valuesSize = uncompressed - repetitionLength - definitionLength
                let page = compressed ? try Decompression.decompress(body, codec: chunk.codec, size: valuesSize)
                    : try Decompression.decompress(body, codec: .uncompressed, size: valuesSize)
                var pageReader = ByteReader(page)
                let present = definition.map { levels in levels.lazy.filter { $0 == column.maxDefinition }.count } ?? count
                let values = try decoder.decode(&pageReader, encoding: try encoding(fields.int(4)), count: present, dictionary: dictionary)
                try assembler.add(values: values, definition: definition, repetition: repetition, count: count)
                valuesSeen += count
            default:
                continue // index pages and pages of kinds to come carry nothing a dataset needs
            }
        }
        return try assembler.finish()
    }

    /// A data page's value count, checked against the limit and the values its chunk has left.
    private func pageValues(_ fields: ThriftFields, seen: Int) throws(ColumnarError) -> Int {
        let count = try fields.count(1)
        guard count <= Self.maximumPageValues else { throw tooMany(count) }
        guard count <= chunk.valueCount - seen else {
            throw ColumnarError("The column `\(column.name)` has more values in its pages than its metadata counts: the file is damaged.")
        }
        return count
    }

    private func tooMany(_ count: Int) -> ColumnarError {
        ColumnarError("A page of `\(column.name)` claims \(count) values, more than Lectern reads in one page (\(Self.maximumPageValues)): the file is damaged.")
    }

    private func encoding(_ number: Int64) throws(ColumnarError) -> Encoding {
        guard let encoding = Encoding(rawValue: number) else {
            throw ColumnarError("The column `\(column.name)` uses an encoding Lectern does not know (\(number)).")
        }
        return encoding
    }

    /// A page's levels (nil when the column has none): in v1 after a 4-byte length, in v2 in their own range.
    private func levels(_ reader: inout ByteReader, maximum: Int, count: Int, lengthPrefixed: Bool) throws(ColumnarError) -> [UInt64]? {
        guard maximum > 0 else { return nil }
        let width = BitPacking.width(of: maximum)
        if !lengthPrefixed { return try checked(BitPacking.hybrid(&reader, width: width, count: count), maximum) }
        let length = Int(try reader.uint32())
        var run = ByteReader(reader.bytes, from: reader.position, to: reader.position + min(length, reader.remaining))
        try reader.skip(length)
        return try checked(BitPacking.hybrid(&run, width: width, count: count), maximum)
    }

    private func checked(_ levels: [UInt64], _ maximum: Int) throws(ColumnarError) -> [UInt64] {
        guard levels.allSatisfy({ $0 <= UInt64(maximum) }) else {
            throw ColumnarError("The column `\(column.name)` has a level above its schema's maximum: the file is damaged.")
        }
        return levels
    }
}

/// Rows from levels and values: a value per row, or for a list column a list per row (null, empty, or
/// elements that may be null), as Arrow and `datasets` give them.
struct RowAssembler {
    let column: ParquetColumn
    let expectedRows: Int
    private(set) var rows: [ColumnValue] = []
    private var open: [ColumnValue]?
    private var openIsNull = false

    init(column: ParquetColumn, expectedRows: Int) {
        self.column = column
        self.expectedRows = expectedRows
        rows.reserveCapacity(min(expectedRows, ColumnChunkReader.maximumPageValues))
    }

    mutating func add(values: [ColumnValue], definition: [UInt64]?, repetition: [UInt64]?, count: Int) throws(ColumnarError) {
        var next = 0
        func value(_ level: Int) -> ColumnValue {
            guard level == column.maxDefinition else { return .null }
            defer { next += 1 }
            return values[next]
        }
        for slot in 0..<count {
            let level = definition.map { Int($0[slot]) } ?? column.maxDefinition
            guard column.shape == .list else {
                rows.append(value(level))
                continue
            }
            let repeated = repetition.map { $0[slot] != 0 } ?? false
            if !repeated {
                closeRow()
                guard rows.count < expectedRows else { break }
                open = []
                openIsNull = level < column.listDefined
                if level < column.elementDefined { continue }
            } else if open == nil || openIsNull || level < column.elementDefined {
                throw ColumnarError("The list column `\(column.name)` continues a row that has no list: the file is damaged.")
            }
            open?.append(value(level))
        }
        guard next == values.count else {
            throw ColumnarError("The column `\(column.name)` has \(values.count) values for \(next) places: the file is damaged.")
        }
    }

    private mutating func closeRow() {
        if let list = open { rows.append(openIsNull ? .null : .list(list)) }
        open = nil
    }

    mutating func finish() throws(ColumnarError) -> [ColumnValue] {
        closeRow()
        guard rows.count == expectedRows else {
            throw ColumnarError("The column `\(column.name)` has \(rows.count) rows where its row group has \(expectedRows): the file is damaged.")
        }
        return rows
    }
}
