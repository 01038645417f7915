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
        var raw: [RawSplit] = []
        for (split, files) in groups {
            var rows = RawSplit(name: split)
            // Rows still needed from this split's shards, in order (nil: all).
            var needed = options.rowsNeeded.map { $0[split] ?? 0 } ?? nil
            for file in files {
                if needed == 0 { break }
                let table: TableFile
                do { table = try TableFile(path: file, format: format) } catch { throw DataError(error.message, file: file) }
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
                rows.files.append((file, rows.labels.count))
                try Self.appendTexts(values[0], to: &rows.texts, column: options.textColumn, file: file)
                if values.count > 2 { try Self.appendTexts(values[2], to: &rows.pairs, column: options.textPairColumn!, file: file) }
                rows.labels += values[1]
                needed = needed.map { $0 - values[0].count }
            }
            raw.append(rows)
        }
        let folder = Files.isFolder(path) ? path : parentFolder(of: path)
        let given = classNames ?? .classesFile(Files.join(folder, "classes.txt"))
        let names: [String], targets: [Labels]
        if options.task == .singleLabelClassification, let ids = Self.classIDs(raw) {
            (names, targets) = try LabelColumn.encode(ids: ids, classNames: given, source: path)
        } else {
            let written = try raw.map { (split) throws(DataError) in try split.writtenLabels(options: options) }
            (names, targets) = try LabelColumn.encode(written, task: options.task, delimiter: options.labelDelimiter, classNames: given)
        }
        let splits = zip(raw, targets).map { split, labels in
            DatasetSplit(name: split.name, texts: split.texts, targets: labels, pairs: options.textPairColumn == nil ? nil : split.pairs)
        }
        var dataset = Dataset(labelNames: names, splits: splits, source: path, format: format)
        dataset.filesRead = raw.flatMap { $0.files.map(\.path) }
        return dataset
    }

    /// One split's columns as read, with where each file's rows begin (for messages).
    struct RawSplit {
        var name: String
        var texts: [String] = []
        var pairs: [String] = []
        var labels: [ColumnValue] = []
        var files: [(path: String, firstRow: Int)] = []

        init(name: String) { self.name = name }

        /// The labels as written, each with its file and row (1-based), for the general label encoding.
        func writtenLabels(options: LoadOptions) throws(DataError) -> [TableReader.RawLabel] {
            var written: [TableReader.RawLabel] = []
            written.reserveCapacity(labels.count)
            for (index, file) in files.enumerated() {
                let end = index + 1 < files.count ? files[index + 1].firstRow : labels.count
                for row in file.firstRow..<end {
                    let value = try ColumnarTableReader.label(labels[row], options: options, file: file.path, row: row - file.firstRow)
                    written.append(TableReader.RawLabel(value: value, file: file.path, line: row - file.firstRow + 1))
                }
            }
            return written
        }
    }

    /// Every split's labels as class ids, when they are all whole numbers (nil otherwise).
    private static func classIDs(_ splits: [RawSplit]) -> [[Int]]? {
        var ids: [[Int]] = []
        for split in splits {
            var column: [Int] = []
            column.reserveCapacity(split.labels.count)
            for value in split.labels {
                guard case let .int(id) = value, let small = Int(exactly: id) else { return nil }
                column.append(small)
            }
            ids.append(column)
        }
        return ids
    }

    private static func appendTexts(_ values: [ColumnValue], to texts: inout [String], column: String, file: String) throws(DataError) {
        texts.reserveCapacity(texts.count + values.count)
        for (row, value) in values.enumerated() {
            guard case let .string(text) = value else {
                throw DataError("Row \(row + 1) of the column `\(column)` is \(Self.describe(value)), not text.", file: file,
                                hint: value == .null ? "Remove the rows without text (datasets: `.filter(lambda e: e[\"\(column)\"] is not None)`)." : "Set `text_column` to a column of text.")
            }
            texts.append(text)
        }
    }

    fileprivate static func label(_ value: ColumnValue, options: LoadOptions, file: String, row: Int) throws(DataError) -> TableReader.RawLabel.Value {
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
        throw DataError("Row \(row + 1) of the label column `\(options.labelColumn)` is \(Self.describe(value)).", file: file,
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

    init(path: String, format: DatasetFormat) throws(ColumnarError) {
        self = format == .arrow ? .arrow(try ArrowFile(path: path)) : .parquet(try ParquetFile(path: path))
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
