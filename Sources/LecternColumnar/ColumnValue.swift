/// One cell of a table read from Parquet or Arrow: what `datasets` would give for it in Python.
public enum ColumnValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([ColumnValue])
}
