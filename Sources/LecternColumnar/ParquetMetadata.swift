/// Parquet's physical types (parquet.thrift `Type`).
enum PhysicalType: Int64, Sendable {
    case boolean = 0, int32, int64, int96, float, double, byteArray, fixedLengthByteArray

    /// Bytes per value in PLAIN and BYTE_STREAM_SPLIT (nil: variable length).
    func width(fixedLength: Int) -> Int? {
        switch self {
        case .boolean, .byteArray: nil
        case .int32, .float: 4
        case .int64, .double: 8
        case .int96: 12
        case .fixedLengthByteArray: fixedLength
        }
    }
}

/// parquet.thrift `CompressionCodec`.
enum Codec: Int64, Sendable {
    case uncompressed = 0, snappy, gzip, lzo, brotli, lz4, zstd, lz4Raw

    var name: String {
        switch self {
        case .uncompressed: "none"
        case .snappy: "Snappy"
        case .gzip: "GZIP"
        case .lzo: "LZO"
        case .brotli: "Brotli"
        case .lz4: "LZ4 (Hadoop framing)"
        case .zstd: "ZSTD"
        case .lz4Raw: "LZ4_RAW"
        }
    }
}

/// parquet.thrift `Encoding`.
enum Encoding: Int64, Sendable {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6,
         deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

enum Repetition: Int64, Sendable { case required = 0, optional, repeated }

/// One node of the flattened schema (parquet.thrift `SchemaElement`).
struct SchemaElement: Sendable {
    var name: String
    var type: PhysicalType?
    var typeLength: Int
    var repetition: Repetition
    var childCount: Int
    /// `ConvertedType` UTF8 (0) or `LogicalType` STRING: byte arrays that are text.
    var isText: Bool
    /// `ConvertedType` LIST (3) or `LogicalType` LIST.
    var isList: Bool

    init(_ fields: ThriftFields) throws(ColumnarError) {
        name = try fields.string(4)
        if let raw = fields.optionalInt(1) {
            guard let type = PhysicalType(rawValue: raw) else { throw ColumnarError("The column `\(name)` has an unknown type (\(raw)).") }
            self.type = type
        }
        typeLength = Int(clamping: fields.optionalInt(2) ?? 0)
        repetition = fields.optionalInt(3).flatMap(Repetition.init(rawValue:)) ?? .required
        let children = fields.optionalInt(5) ?? 0
        guard children >= 0, children < 1 << 20 else { throw ColumnarError("The column `\(name)` claims \(children) children: the file is damaged.") }
        childCount = Int(children)
        let converted = fields.optionalInt(6)
        let logical = fields.structure(10)
        isText = converted == 0 || logical?.fields[1] != nil
        isList = converted == 3 || logical?.fields[3] != nil
    }
}

/// Where a column chunk's pages are and how they are written (parquet.thrift `ColumnMetaData`).
struct ColumnChunk: Sendable {
    var path: [String]
    var type: PhysicalType
    var codec: Codec
    var valueCount: Int
    var start: Int
    var length: Int
    var uncompressedLength: Int

    init(_ chunk: ThriftFields) throws(ColumnarError) {
        guard let meta = chunk.structure(3) else {
            throw ColumnarError("A column's data is in another file (ColumnChunk.file_path), which Lectern does not read.")
        }
        if let path = chunk.fields[1]?.string, !path.isEmpty {
            throw ColumnarError("A column's data is in another file (\(path)), which Lectern does not read.")
        }
        path = try meta.list(3).map { $0.string ?? "" }
        guard let type = PhysicalType(rawValue: try meta.int(1)) else { throw ColumnarError("A column has an unknown type.") }
        self.type = type
        let codecNumber = try meta.int(4)
        guard let codec = Codec(rawValue: codecNumber) else {
            throw ColumnarError("The column `\(path.joined(separator: "."))` is compressed with an unknown codec (\(codecNumber)).")
        }
        self.codec = codec
        valueCount = try meta.count(5)
        uncompressedLength = try meta.count(6)
        length = try meta.count(7)
        let dataPage = try meta.count(9)
        // The dictionary comes first when there is one; some writers leave its offset at 0.
        let dictionaryPage = meta.optionalInt(11).flatMap { $0 > 0 ? Int(exactly: $0) : nil }
        start = min(dataPage, dictionaryPage ?? dataPage)
    }
}

struct RowGroup: Sendable {
    var rowCount: Int
    var columns: [ColumnChunk]
}

/// The footer: schema, row groups and key-value metadata (parquet.thrift `FileMetaData`).
struct FileMetadata: Sendable {
    var schema: [SchemaElement]
    var rowCount: Int
    var rowGroups: [RowGroup]
    var keyValues: [String: String]

    init(footer: [UInt8]) throws(ColumnarError) {
        var reader = ByteReader(footer)
        let fields = ThriftFields(try ThriftValue.readStruct(&reader), "footer")
        schema = try fields.list(2).map { (element) throws(ColumnarError) in
            guard let node = element.fields else { throw ColumnarError("The file's schema is damaged.") }
            return try SchemaElement(ThriftFields(node, "schema"))
        }
        rowCount = try fields.count(3)
        rowGroups = try fields.list(4).map { (group) throws(ColumnarError) in
            guard let node = group.fields else { throw ColumnarError("The file's row groups are damaged.") }
            let groupFields = ThriftFields(node, "row group")
            let columns = try groupFields.list(1).map { (chunk) throws(ColumnarError) in
                guard let node = chunk.fields else { throw ColumnarError("The file's column chunks are damaged.") }
                return try ColumnChunk(ThriftFields(node, "column chunk"))
            }
            return RowGroup(rowCount: try groupFields.count(3), columns: columns)
        }
        var keyValues: [String: String] = [:]
        for entry in (fields.fields[5]?.list ?? []) {
            if let pair = entry.fields, let key = pair[1]?.string { keyValues[key] = pair[2]?.string ?? "" }
        }
        self.keyValues = keyValues
    }
}
