import CCompression

/// Pages decompressed by Debian's codec libraries, into exactly the size the page header states; that size
/// is checked against a limit first, so a page that claims gigabytes is refused before any memory is taken.
enum Decompression {
    /// Larger than any page a writer makes (pyarrow's default is 1 MiB; row-group-sized pages reach tens of MiB).
    static let maximumPageSize = 256 << 20

    static func decompress(_ input: ArraySlice<UInt8>, codec: Codec, size: Int) throws(ColumnarError) -> [UInt8] {
        guard size >= 0, size <= maximumPageSize else {
            throw ColumnarError("A page claims to hold \(size) bytes, more than Lectern reads in one page (\(maximumPageSize >> 20) MiB): the file is damaged.")
        }
        if codec == .uncompressed {
            guard input.count == size else { throw ColumnarError("An uncompressed page's size does not match its header: the file is damaged.") }
            return Array(input)
        }
        var output = [UInt8](repeating: 0, count: size)
        let written: Int? = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                Self.run(codec, source, target)
            }
        }
        guard let written, written == size else {
            throw ColumnarError("A \(codec.name) page does not decompress to the size its header states: the file is damaged.")
        }
        return output
    }

    /// The bytes written, or nil when the codec reports an error.
    private static func run(_ codec: Codec, _ source: UnsafeRawBufferPointer, _ target: UnsafeMutableRawBufferPointer) -> Int? {
        let input = source.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        let output = target.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!
        switch codec {
        case .snappy:
            var length = 0
            guard snappy_uncompressed_length(input.assumingMemoryBound(to: CChar.self), source.count, &length) == SNAPPY_OK,
                  length == target.count else { return nil }
            return snappy_uncompress(input.assumingMemoryBound(to: CChar.self), source.count,
                                     output.assumingMemoryBound(to: CChar.self), &length) == SNAPPY_OK ? length : nil
        case .zstd:
            let written = ZSTD_decompress(output, target.count, input, source.count)
            return ZSTD_isError(written) != 0 ? nil : written
        case .lz4Raw:
            guard source.count <= Int(Int32.max), target.count <= Int(Int32.max) else { return nil }
            let written = LZ4_decompress_safe(input.assumingMemoryBound(to: CChar.self), output.assumingMemoryBound(to: CChar.self),
                                              Int32(source.count), Int32(target.count))
            return written < 0 ? nil : Int(written)
        case .gzip:
            return inflate(input, source.count, output, target.count)
        case .uncompressed, .lzo, .brotli, .lz4:
            return nil
        }
    }

    /// zlib's inflate for gzip (and zlib) streams: windowBits 15 + 32 detects the header.
    private static func inflate(_ input: UnsafeRawPointer, _ inputCount: Int, _ output: UnsafeMutableRawPointer, _ outputCount: Int) -> Int? {
        guard inputCount <= Int(UInt32.max), outputCount <= Int(UInt32.max) else { return nil }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(inputCount)
        stream.next_out = output.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(outputCount)
        let status = CCompression.inflate(&stream, Z_FINISH)
        guard status == Z_STREAM_END else { return nil }
        return Int(stream.total_out)
    }

    /// Whether Lectern reads this codec; the message for one it does not.
    static func check(_ codec: Codec, column: String) throws(ColumnarError) {
        switch codec {
        case .uncompressed, .snappy, .gzip, .zstd, .lz4Raw: return
        case .lzo, .brotli, .lz4:
            throw ColumnarError("The column `\(column)` is compressed with \(codec.name), which Lectern does not read. "
                + "Write the file with Snappy, ZSTD, GZIP, LZ4_RAW or no compression (pyarrow: compression=\"zstd\").")
        }
    }
}
