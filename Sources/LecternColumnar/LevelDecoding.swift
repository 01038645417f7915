/// Bit-packed and run-length runs: Parquet's RLE/bit-packing hybrid (levels, dictionary indices,
/// booleans) and the bit-packed miniblocks of DELTA_BINARY_PACKED. Values are packed from the least
/// significant bit of each byte.
enum BitPacking {
    /// The number of bits a value up to `maximum` needs.
    static func width(of maximum: Int) -> Int { maximum == 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount }

    /// `count` values of `width` bits (at most 64) from `range` of `bytes`, appended to `values`.
    static func unpack(_ bytes: [UInt8], _ range: Range<Int>, count: Int, width: Int, into values: inout [UInt64]) throws(ColumnarError) {
        guard width >= 0, width <= 64 else { throw ColumnarError("A bit width of \(width) is out of range: the file is damaged.") }
        let (bits, overflow) = count.multipliedReportingOverflow(by: width)
        guard count >= 0, !overflow, bits <= range.count * 8 else { throw .truncated }
        if width == 0 {
            values.append(contentsOf: repeatElement(0, count: count))
            return
        }
        let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        var bit = 0
        for _ in 0..<count {
            var value: UInt64 = 0, filled = 0
            while filled < width {
                let byte = range.lowerBound + (bit >> 3), offset = bit & 7
                let take = min(8 - offset, width - filled)
                value |= (UInt64(bytes[byte]) >> UInt64(offset)) << UInt64(filled)
                filled += take
                bit += take
            }
            values.append(value & mask)
        }
    }

    /// `count` values from a run of the hybrid encoding at the reader, `width` bits each (at most 32).
    static func hybrid(_ reader: inout ByteReader, width: Int, count: Int) throws(ColumnarError) -> [UInt64] {
        guard width >= 0, width <= 32 else { throw ColumnarError("A bit width of \(width) is out of range: the file is damaged.") }
        var values: [UInt64] = []
        values.reserveCapacity(count)
        while values.count < count {
            let header = try reader.varint()
            let needed = count - values.count
            if header & 1 == 1 {
                let groups = header >> 1
                guard groups <= UInt64(reader.remaining) + 1 else { throw .truncated }
                let packed = Int(groups) * 8
                let range = try reader.take((packed * width + 7) / 8)
                var run: [UInt64] = []
                try unpack(reader.bytes, range, count: packed, width: width, into: &run)
                values.append(contentsOf: run.prefix(needed))
            } else {
                let length = header >> 1
                let value = try reader.littleEndian((width + 7) / 8)
                values.append(contentsOf: repeatElement(value, count: Int(min(length, UInt64(needed)))))
            }
        }
        return values
    }
}
