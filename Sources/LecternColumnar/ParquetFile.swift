import Foundation

/// A Parquet file as pyarrow and `datasets` write it: the footer is read when the file is opened; column
/// data only when asked for, and only for the row groups that hold the rows asked for, so the first
/// thousand rows of a 1 GB file cost its first row group, not the file.
public struct ParquetFile: Sendable {
    public let path: String
    /// The top-level columns, in the file's order.
    public let columns: [ParquetColumn]
    public let rowCount: Int
    /// The schema's key-value metadata (`datasets` keeps its features under `huggingface`).
    public let keyValueMetadata: [String: String]
    let rowGroups: [RowGroup]
    private let dataEnd: Int

    public init(path: String) throws(ColumnarError) {
        self.path = path
        let file = try RandomAccessFile(path: path)
        let size = file.size
        guard size >= 12 else { throw ColumnarError("The file is too short to be a Parquet file (\(size) bytes).") }
        let tail = try file.read(at: size - 8, count: 8)
        guard try file.read(at: 0, count: 4) == Array("PAR1".utf8), Array(tail[4...]) == Array("PAR1".utf8) else {
            throw ColumnarError("The file does not begin and end with PAR1, so it is not a Parquet file (or it is truncated).")
        }
        var lengthReader = ByteReader(tail)
        let footerLength = Int(try lengthReader.uint32())
        guard footerLength <= size - 12 else { throw ColumnarError("The file's footer claims \(footerLength) bytes, more than the file has: it is truncated or damaged.") }
        let metadata = try FileMetadata(footer: try file.read(at: size - 8 - footerLength, count: footerLength))
        columns = try ParquetColumn.columns(of: metadata.schema)
        rowCount = metadata.rowCount
        rowGroups = metadata.rowGroups
        keyValueMetadata = metadata.keyValues
        dataEnd = size - 8 - footerLength
        let leaves = columns.last.map { _ in metadata.schema.filter { $0.childCount == 0 }.count } ?? 0
        for group in rowGroups {
            guard group.columns.count == leaves else { throw ColumnarError("A row group has \(group.columns.count) columns where the schema has \(leaves): the file is damaged.") }
            for chunk in group.columns {
                let (end, overflow) = chunk.start.addingReportingOverflow(chunk.length)
                guard chunk.start >= 4, !overflow, end <= dataEnd else {
                    throw ColumnarError("The column `\(chunk.path.joined(separator: "."))` claims bytes outside the file: it is truncated or damaged.")
                }
            }
        }
        guard rowGroups.reduce(0, { $0 &+ $1.rowCount }) == rowCount else {
            throw ColumnarError("The file's row groups do not add up to its \(rowCount) rows: it is damaged.")
        }
    }

    public func column(named name: String) -> ParquetColumn? { columns.first { $0.name == name } }

    /// The rows in `range` (all when nil) of the named columns, one array per column, reading only the row
    /// groups that overlap the range.
    public func read(_ names: [String], rows range: Range<Int>? = nil) throws(ColumnarError) -> [[ColumnValue]] {
        let wanted = range.map { $0.clamped(to: 0..<rowCount) } ?? 0..<rowCount
        let selected = try names.map { (name) throws(ColumnarError) -> ParquetColumn in
            guard let column = column(named: name) else {
                throw ColumnarError("There is no column `\(name)`. The columns are " + columns.map { "`\($0.name)`" }.joined(separator: ", ") + ".")
            }
            if case let .unsupported(kind) = column.shape {
                throw ColumnarError("The column `\(name)` is \(kind); Lectern reads columns of text, numbers and booleans, and lists of them.")
            }
            return column
        }
        let file = try RandomAccessFile(path: path)
        var result = Array(repeating: [ColumnValue](), count: selected.count)
        var groupStart = 0
        for group in rowGroups {
            defer { groupStart += group.rowCount }
            let groupRows = groupStart..<groupStart + group.rowCount
            guard groupRows.overlaps(wanted) else { continue }
            let keep = (wanted.clamped(to: groupRows).lowerBound - groupStart)..<(wanted.clamped(to: groupRows).upperBound - groupStart)
            for (position, column) in selected.enumerated() {
                let chunk = group.columns[column.leaf]
                let bytes = try file.read(at: chunk.start, count: chunk.length)
                let rows = try ColumnChunkReader(column: column, chunk: chunk).rows(from: bytes, rowCount: group.rowCount, limit: keep.upperBound)
                result[position].append(contentsOf: rows[keep])
            }
        }
        return result
    }

    /// The bytes of column data that reading these rows of these columns takes (the footer aside).
    public func bytesToRead(_ names: [String], rows range: Range<Int>) -> Int {
        let leaves = names.compactMap { column(named: $0)?.leaf }
        var total = 0, groupStart = 0
        for group in rowGroups {
            if (groupStart..<groupStart + group.rowCount).overlaps(range) { total += leaves.reduce(0) { $0 + group.columns[$1].length } }
            groupStart += group.rowCount
        }
        return total
    }
}

/// Reads byte ranges of a file, each checked against its size.
struct RandomAccessFile {
    let handle: FileHandle
    let size: Int

    init(path: String) throws(ColumnarError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ColumnarError("The file cannot be opened for reading.") }
        self.handle = handle
        do { size = Int(try handle.seekToEnd()) } catch { throw ColumnarError("The file cannot be read: \(error.localizedDescription)") }
    }

    func read(at offset: Int, count: Int) throws(ColumnarError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { throw .truncated }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw ColumnarError.truncated }
            return [UInt8](data)
        } catch let error as ColumnarError {
            throw error
        } catch {
            throw ColumnarError("The file cannot be read: \(error.localizedDescription)")
        }
    }
}
