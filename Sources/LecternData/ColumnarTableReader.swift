import Foundation
import LecternColumnar
import LecternFiles

/// Parquet and Arrow files as `datasets` and pyarrow write them: one file (the `train` split), a folder of
/// shards whose names give the splits (`DatasetLayout`), or a `save_to_disk` folder (`SavedDataset`).
/// Text columns are strings; labels are whole numbers (class ids, named by a `ClassLabel` in the
/// `datasets` features, else by classes.txt, else the numbers), text (class names), numbers
/// (regression) or lists (multi-label). Only the rows a `load` needs are read (`LoadOptions.rowsNeeded`),
/// and of them only the columns it needs.
enum ColumnarTableReader {
    static func read(at path: String, format: DatasetFormat, options: LoadOptions) throws(DataError) -> Dataset {
        let groups: [(split: String, files: [String])]
        var features: DatasetFeatures?
        if Files.isFolder(path), format == .arrow, let saved = try SavedDataset(folder: path) {
            groups = saved.splits
            features = saved.features
        } else if Files.isFolder(path) {
            let suffix = format == .arrow ? ".arrow" : ".parquet"
            groups = try DatasetLayout.splits(in: path, config: options.config, suffixes: [suffix])
            guard !groups.isEmpty else { throw DataError("This folder has no \(suffix) files.", file: path) }
        } else {
            groups = [("train", [path])]
        }
        var classNames = features?.classNames[options.labelColumn].map { LabelColumn.ClassNames(names: $0, source: "the dataset's ClassLabel feature") }
        var raw: [(split: String, texts: [String], pairs: [String], labels: [TableReader.RawLabel])] = []
        for (split, files) in groups {
            var texts: [String] = [], pairs: [String] = [], labels: [TableReader.RawLabel] = []
            // Rows still needed from this split's shards, in order (nil: all).
            var needed = options.rowsNeeded.map { $0[split] ?? 0 } ?? nil
            for file in files {
                if needed == 0 { break }
                let table: TableFile
                do { table = try TableFile(path: file) } catch { throw DataError(error.message, file: file) }
                if classNames == nil, let names = DatasetFeatures(metadata: table.keyValueMetadata).classNames[options.labelColumn] {
                    classNames = LabelColumn.ClassNames(names: names, source: "the dataset's ClassLabel feature")
                }
                let columns = [options.textColumn, options.labelColumn] + (options.textPairColumn.map { [$0] } ?? [])
                for (column, role) in zip(columns, ["text_column", "label_column", "text_pair_column"]) where !table.columnNames.contains(column) {
                    throw DataError("The file has no column `\(column)`.", file: file,
                                    hint: "Its columns are " + table.columnNames.map { "`\($0)`" }.joined(separator: ", ") + "; set `\(role)` to choose one.")
                }
                let values: [[ColumnValue]]
                do { values = try table.read(columns, limit: needed) } catch { throw DataError(error.message, file: file) }
                for (row, text) in values[0].enumerated() {
                    texts.append(try Self.text(text, column: options.textColumn, file: file, row: row))
                    if values.count > 2 { pairs.append(try Self.text(values[2][row], column: options.textPairColumn!, file: file, row: row)) }
                    labels.append(TableReader.RawLabel(value: try Self.label(values[1][row], options: options, file: file, row: row),
                                                       file: "\(file), row \(row)", line: nil))
                }
                needed = needed.map { $0 - values[0].count }
            }
            raw.append((split, texts, pairs, labels))
        }
        let folder = Files.isFolder(path) ? path : parentFolder(of: path)
        let (names, targets) = try LabelColumn.encode(raw.map(\.labels), task: options.task, delimiter: options.labelDelimiter,
                                                       classNames: classNames ?? .classesFile(Files.join(folder, "classes.txt")))
        let splits = zip(raw, targets).map { split, labels in
            DatasetSplit(name: split.split, texts: split.texts, targets: labels, pairs: options.textPairColumn == nil ? nil : split.pairs)
        }
        return Dataset(labelNames: names, splits: splits, source: path, format: format)
    }

    private static func text(_ value: ColumnValue, column: String, file: String, row: Int) throws(DataError) -> String {
        guard case let .string(text) = value else {
            throw DataError("Row \(row) of the column `\(column)` is \(Self.describe(value)), not text.", file: file,
                            hint: value == .null ? "Remove the rows without text (datasets: `.filter(lambda e: e[\"\(column)\"] is not None)`)." : "Set `text_column` to a column of text.")
        }
        return text
    }

    private static func label(_ value: ColumnValue, options: LoadOptions, file: String, row: Int) throws(DataError) -> TableReader.RawLabel.Value {
        func item(_ value: ColumnValue) -> String? {
            switch value {
            case let .int(number): String(number)
            case let .string(text): text
            case let .double(number): options.task == .regression || number != number.rounded() ? String(number) : String(Int64(number))
            case let .bool(flag): flag ? "1" : "0"
            case .null, .bytes, .list: nil
            }
        }
        if case let .list(items) = value, options.task == .multiLabelClassification {
            let texts = items.compactMap(item)
            if texts.count == items.count { return .list(texts) }
        } else if let text = item(value) {
            return .text(text)
        }
        throw DataError("Row \(row) of the label column `\(options.labelColumn)` is \(Self.describe(value)).", file: file,
                        hint: options.task == .multiLabelClassification ? "Multi-label data needs a list of class ids or names per text."
                            : "Set `label_column` to the column that holds the label" + (value.isList ? ", or `problem_type: multi_label_classification` for lists." : "."))
    }

    private static func describe(_ value: ColumnValue) -> String {
        switch value {
        case .null: "empty (null)"
        case .bool: "a boolean"
        case .int: "a whole number"
        case .double: "a number"
        case .string: "text"
        case .bytes: "binary data"
        case .list: "a list"
        }
    }
}

/// A Parquet or Arrow file, read the same way.
private enum TableFile {
    case parquet(ParquetFile)
    case arrow(ArrowFile)

    init(path: String) throws(ColumnarError) {
        self = path.hasSuffix(".arrow") ? .arrow(try ArrowFile(path: path)) : .parquet(try ParquetFile(path: path))
    }

    var columnNames: [String] {
        switch self {
        case let .parquet(file): file.columns.map(\.name)
        case let .arrow(file): file.columnNames
        }
    }

    var keyValueMetadata: [String: String] {
        switch self {
        case let .parquet(file): file.keyValueMetadata
        case let .arrow(file): file.keyValueMetadata
        }
    }

    /// The first `limit` rows (all when nil).
    func read(_ names: [String], limit: Int?) throws(ColumnarError) -> [[ColumnValue]] {
        switch self {
        case let .parquet(file): try file.read(names, rows: 0..<min(file.rowCount, limit ?? file.rowCount))
        case let .arrow(file): try file.read(names, limit: limit)
        }
    }
}

private extension ColumnValue {
    var isList: Bool { if case .list = self { true } else { false } }
}
