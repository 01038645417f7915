/// The values of a page, decoded by its encoding into `ColumnValue`s (only present values: nulls are
/// placed by the definition levels). Every count is checked against the page's own, so a damaged
/// page cannot make a decoder allocate more than the page could hold.
struct ValueDecoder {
    let type: PhysicalType
    let fixedLength: Int
    let isText: Bool
    let column: String

    func decode(_ reader: inout ByteReader, encoding: Encoding, count: Int, dictionary: [ColumnValue]?) throws(ColumnarError) -> [ColumnValue] {
        switch encoding {
        case .plain:
            return try plain(&reader, count: count)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ColumnarError("The column `\(column)` uses a dictionary it does not have: the file is damaged.") }
            let width = Int(try reader.byte())
            let indices = try BitPacking.hybrid(&reader, width: width, count: count)
            var values: [ColumnValue] = []
            values.reserveCapacity(count)
            for index in indices {
                guard index < UInt64(dictionary.count) else {
                    throw ColumnarError("The column `\(column)` refers to dictionary entry \(index) of \(dictionary.count): the file is damaged.")
                }
                values.append(dictionary[Int(index)])
            }
            return values
        case .rle:
            guard type == .boolean else { throw unsupported(encoding) }
            let length = Int(try reader.uint32())
            var run = ByteReader(reader.bytes, from: reader.position, to: reader.position + min(length, reader.remaining))
            try reader.skip(length)
            return try BitPacking.hybrid(&run, width: 1, count: count).map { .bool($0 != 0) }
        case .deltaBinaryPacked:
            guard type == .int32 || type == .int64 else { throw unsupported(encoding) }
            return try Self.deltaBinaryPacked(&reader, count: count).map { type == .int32 ? .int(Int64(Int32(truncatingIfNeeded: $0))) : .int($0) }
        case .deltaLengthByteArray:
            guard type == .byteArray else { throw unsupported(encoding) }
            var values: [ColumnValue] = []
            values.reserveCapacity(count)
            for bytes in try deltaLength(&reader, count: count) { values.append(try bytesValue(bytes)) }
            return values
        case .deltaByteArray:
            guard type == .byteArray || type == .fixedLengthByteArray else { throw unsupported(encoding) }
            let prefixes = try Self.deltaBinaryPacked(&reader, count: count)
            let suffixes = try deltaLength(&reader, count: count)
            var values: [ColumnValue] = [], previous: [UInt8] = []
            values.reserveCapacity(count)
            for (prefix, suffix) in zip(prefixes, suffixes) {
                guard prefix >= 0, prefix <= previous.count else {
                    throw ColumnarError("The column `\(column)` has a shared prefix longer than the value before it: the file is damaged.")
                }
                var value = Array(previous[..<Int(prefix)])
                value.append(contentsOf: suffix)
                values.append(try bytesValue(value[...]))
                previous = value
            }
            return values
        case .byteStreamSplit:
            guard let width = type.width(fixedLength: fixedLength), type != .int96 else { throw unsupported(encoding) }
            let (size, overflow) = width.multipliedReportingOverflow(by: count)
            guard !overflow else { throw .truncated }
            let range = try reader.take(size)
            var bytes = [UInt8](repeating: 0, count: width)
            var values: [ColumnValue] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                for stream in 0..<width { bytes[stream] = reader.bytes[range.lowerBound + stream * count + index] }
                var inner = ByteReader(bytes)
                values.append(try fixedValue(&inner))
            }
            return values
        case .bitPacked:
            throw unsupported(encoding)
        }
    }

    /// PLAIN: fixed-width values back to back, booleans as bits, byte arrays each after a 4-byte length.
    func plain(_ reader: inout ByteReader, count: Int) throws(ColumnarError) -> [ColumnValue] {
        var values: [ColumnValue] = []
        switch type {
        case .boolean:
            var bits: [UInt64] = []
            try BitPacking.unpack(reader.bytes, try reader.take((count + 7) / 8), count: count, width: 1, into: &bits)
            return bits.map { .bool($0 != 0) }
        case .byteArray:
            guard count <= reader.remaining / 4 else { throw .truncated }
            values.reserveCapacity(count)
            for _ in 0..<count {
                let length = Int(try reader.uint32())
                values.append(try bytesValue(reader.bytes[try reader.take(length)]))
            }
        default:
            guard let width = type.width(fixedLength: fixedLength), width > 0, count <= reader.remaining / width else { throw .truncated }
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try fixedValue(&reader)) }
        }
        return values
    }

    private func fixedValue(_ reader: inout ByteReader) throws(ColumnarError) -> ColumnValue {
        switch type {
        case .int32: .int(Int64(Int32(bitPattern: try reader.uint32())))
        case .int64: .int(Int64(bitPattern: try reader.littleEndian(8)))
        case .float: .double(Double(Float(bitPattern: try reader.uint32())))
        case .double: .double(Double(bitPattern: try reader.littleEndian(8)))
        case .fixedLengthByteArray: try bytesValue(reader.bytes[try reader.take(fixedLength)])
        case .int96: throw ColumnarError("The column `\(column)` holds INT96 timestamps, which Lectern does not read as text or labels.")
        case .boolean, .byteArray: throw .truncated
        }
    }

    /// Text for a STRING column (checked to be UTF-8, as Arrow requires), bytes otherwise.
    private func bytesValue(_ bytes: ArraySlice<UInt8>) throws(ColumnarError) -> ColumnValue {
        guard isText else { return .bytes(Array(bytes)) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ColumnarError("The text column `\(column)` holds bytes that are not valid UTF-8: the file is damaged.")
        }
        return .string(text)
    }

    /// DELTA_LENGTH_BYTE_ARRAY: the lengths, delta-encoded, then the bytes back to back.
    private func deltaLength(_ reader: inout ByteReader, count: Int) throws(ColumnarError) -> [ArraySlice<UInt8>] {
        let lengths = try Self.deltaBinaryPacked(&reader, count: count)
        var values: [ArraySlice<UInt8>] = []
        values.reserveCapacity(count)
        for length in lengths {
            guard length >= 0, length <= Int64(reader.remaining) else { throw .truncated }
            values.append(reader.bytes[try reader.take(Int(length))])
        }
        return values
    }

    /// DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value count, first value), then
    /// blocks of a minimum delta, each miniblock's bit width and the bit-packed deltas. Arithmetic wraps,
    /// as the format's writers' does.
    static func deltaBinaryPacked(_ reader: inout ByteReader, count: Int) throws(ColumnarError) -> [Int64] {
        let blockSize = try reader.count(atMost: 1 << 16, of: "values per block")
        let miniblocks = try reader.count(atMost: blockSize, of: "miniblocks per block")
        let total = try reader.count(atMost: Int(Int32.max), of: "values")
        guard blockSize > 0, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0 else {
            throw ColumnarError("A DELTA_BINARY_PACKED header is malformed (block size \(blockSize), \(miniblocks) miniblocks): the file is damaged.")
        }
        guard total == count else { throw ColumnarError("A page holds \(total) values where \(count) are expected: the file is damaged.") }
        var previous = try reader.zigzag()
        var values: [Int64] = []
        values.reserveCapacity(total)
        if total > 0 { values.append(previous) }
        let perMiniblock = blockSize / miniblocks
        var deltas: [UInt64] = []
        while values.count < total {
            let minimum = try reader.zigzag()
            let widths = try reader.take(miniblocks)
            for widthIndex in widths where values.count < total {
                let width = Int(reader.bytes[widthIndex])
                deltas.removeAll(keepingCapacity: true)
                try BitPacking.unpack(reader.bytes, try reader.take(perMiniblock * width / 8), count: perMiniblock, width: width, into: &deltas)
                for delta in deltas.prefix(total - values.count) {
                    previous = previous &+ minimum &+ Int64(bitPattern: delta)
                    values.append(previous)
                }
            }
        }
        return values
    }

    private func unsupported(_ encoding: Encoding) -> ColumnarError {
        ColumnarError("The column `\(column)` uses the encoding \(encoding) for \(type) values, which Parquet does not define: the file is damaged.")
    }
}
