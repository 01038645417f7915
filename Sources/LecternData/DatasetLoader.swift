import Foundation

/// How to read a dataset's files.
public struct LoadOptions: Sendable {
    /// The layout; nil detects it from the files (see `DatasetLoader.detectFormat`).
    public var format: DatasetFormat?
    /// The text column (CSV with a header, JSON Lines).
    public var textColumn: String
    /// The label column (CSV with a header, JSON Lines).
    public var labelColumn: String
    /// The second text of a sentence pair (`text_pair` in transformers' tokenizer call); nil for single texts.
    public var textPairColumn: String?
    public var invalidUTF8: InvalidUTF8Policy
    /// What the label column holds (CSV and JSON Lines; the AG News release and class folders hold classes).
    public var task: LabelTask
    /// For multi-label data: what separates the labels of a text written as one field (a JSON array needs none).
    public var labelDelimiter: String
    /// The rows a `load` will use, from the start of each split (split → row count, nil for all of a split's rows;
    /// a split not listed is not needed). Nil: every row. Readers that can read part of a file (Parquet) read no more.
    public var rowsNeeded: [String: Int?]?
    /// For a dataset with several configs (README.md's `configs`, or a folder per config): which one.
    public var config: String?

    public init(format: DatasetFormat? = nil, textColumn: String = "text", labelColumn: String = "label", textPairColumn: String? = nil,
                invalidUTF8: InvalidUTF8Policy = .windows1252, task: LabelTask = .singleLabelClassification, labelDelimiter: String = ",",
                rowsNeeded: [String: Int?]? = nil, config: String? = nil) {
        self.format = format
        self.textColumn = textColumn
        self.labelColumn = labelColumn
        self.textPairColumn = textPairColumn
        self.invalidUTF8 = invalidUTF8
        self.task = task
        self.labelDelimiter = labelDelimiter
        self.rowsNeeded = rowsNeeded
        self.config = config
    }
}

/// Reads a dataset from a file or folder in one of the `DatasetFormat` layouts.
public enum DatasetLoader {
    public static func load(at path: String, options: LoadOptions = LoadOptions()) throws(DataError) -> Dataset {
        let format: DatasetFormat
        if let chosen = options.format { format = chosen } else { format = try detectFormat(at: path) }
        if options.task != .singleLabelClassification, format == .agNews || format == .folders {
            throw DataError("This dataset (\(format == .agNews ? "the AG News release" : "a folder of class folders")) has one class per text, so it cannot be read for `\(options.task.rawValue)`.",
                            file: path, hint: "Scores and label lists come from CSV or JSON Lines files.")
        }
        if options.config != nil, format != .parquet, format != .arrow {
            throw DataError("Only a dataset of Parquet files, as the Hub keeps them, has configs to choose from.", file: path, hint: "Remove `config`.")
        }
        switch format {
        case .agNews: return try AGNewsReader.read(folder: path, options: options)
        case .csv, .jsonl: return try TableReader.read(at: path, format: format, options: options)
        case .folders: return try ClassFolderReader.read(folder: path, options: options)
        case .parquet, .arrow: return try ColumnarTableReader.read(at: path, format: format, options: options)
        }
    }

    /// A file: by its extension. A folder: `classes.txt` beside CSV files is the AG News release;
    /// otherwise CSV files, then JSON Lines files, then Parquet files (at any depth, as the Hub keeps them
    /// in `data/`), then class folders.
    public static func detectFormat(at path: String) throws(DataError) -> DatasetFormat {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError("No such file or folder.", file: path)
        }
        if !isFolder.boolValue {
            switch (path as NSString).pathExtension.lowercased() {
            case "csv": return .csv
            case "jsonl", "json", "ndjson": return .jsonl
            case "parquet": return .parquet
            case "arrow": return .arrow
            default:
                throw DataError("Lectern cannot tell this file's format from its name.", file: path,
                                hint: "Use a .csv, .jsonl, .parquet or .arrow file, or set `format:` (ag_news, csv, jsonl, folders, parquet, arrow).")
            }
        }
        let entries = Files.list(path)
        if entries.contains("classes.txt"), entries.contains(where: { $0.hasSuffix(".csv") }) { return .agNews }
        if entries.contains(where: { $0.hasSuffix(".csv") }) { return .csv }
        if entries.contains(where: { $0.hasSuffix(".jsonl") }) { return .jsonl }
        if entries.contains("dataset_dict.json") || entries.contains("state.json") { return .arrow }
        // One walk of the folder for both columnar kinds (the Hub keeps them in data/ or a folder per config).
        let columnar = DataFiles.list(path, suffixes: [".parquet", ".arrow"])
        if columnar.contains(where: { $0.hasSuffix(".parquet") }) { return .parquet }
        if !columnar.isEmpty { return .arrow }
        if entries.contains(where: { Files.isFolder((path as NSString).appendingPathComponent($0)) }) { return .folders }
        throw DataError("This folder holds no dataset Lectern can read.", file: path,
                        hint: "Lectern reads CSV files, JSON Lines files, Parquet and Arrow files (save_to_disk folders too), the AG News release (CSV + classes.txt) or a folder of class folders of .txt files.")
    }

    /// Orders split names as `datasets` users expect to see them.
    static func splitOrder(_ a: String, _ b: String) -> Bool {
        let preferred = ["train", "validation", "test"]
        switch (preferred.firstIndex(of: a), preferred.firstIndex(of: b)) {
        case let (x?, y?): return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}

/// Small file-system helpers with sorted, hidden-file-free listings (so row order never depends on the OS).
enum Files {
    static func list(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    static func join(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent(name)
    }
}

/// The AG News release: `train.csv` and `test.csv` with rows `"class","title","description"`
/// (class 1-based) and `classes.txt` (one name a line). Rows become text = title + " " + description
/// and label = class - 1, as Hugging Face's `ag_news` builds them. Its columns are `text` (that
/// join), `title` and `description`, so `title` and `description` can be a sentence pair.
enum AGNewsReader {
    static let columns = ["text", "title", "description"]

    /// The text of `column` in a row of title and description.
    static func column(_ column: String, title: String, description: String) -> String {
        switch column {
        case "title": title
        case "description": description
        default: title + " " + description
        }
    }

    static func read(folder: String, options: LoadOptions) throws(DataError) -> Dataset {
        let classesPath = Files.join(folder, "classes.txt")
        let classesText = TextDecoding.decode(try FileBytes.read(classesPath), policy: .windows1252).text
        let names = classesText.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw DataError("classes.txt lists no class names.", file: classesPath) }
        for (column, role) in [(options.textColumn, "text_column"), (options.textPairColumn, "text_pair_column")] {
            if let column, !columns.contains(column) {
                throw DataError("The AG News release has no column `\(column)`.", file: folder,
                                hint: "Its columns are `text` (title and description joined), `title` and `description`; set `\(role)` to one of them.")
            }
        }

        var splits: [DatasetSplit] = []
        var notices: [DataNotice] = []
        for file in Files.list(folder) where file.hasSuffix(".csv") {
            let path = Files.join(folder, file)
            let (records, fileNotices) = try CSVReader.read(file: path, policy: options.invalidUTF8)
            notices += fileNotices
            var texts: [String] = [], labels: [Int] = [], pairs: [String] = []
            texts.reserveCapacity(records.count)
            labels.reserveCapacity(records.count)
            for record in records {
                guard record.fields.count == 3 else {
                    throw DataError("This row has \(record.fields.count) fields; the AG News format has 3: \"class\",\"title\",\"description\".",
                                    file: path, line: record.line)
                }
                guard let classIndex = Int(record.fields[0].trimmingCharacters(in: .whitespaces)), (1...names.count).contains(classIndex) else {
                    throw DataError("The class `\(record.fields[0])` is not one of 1 to \(names.count) (classes.txt lists \(names.count) classes).",
                                    file: path, line: record.line)
                }
                texts.append(column(options.textColumn, title: record.fields[1], description: record.fields[2]))
                if let pair = options.textPairColumn { pairs.append(column(pair, title: record.fields[1], description: record.fields[2])) }
                labels.append(classIndex - 1)
            }
            splits.append(DatasetSplit(name: Files.stem(file), texts: texts, labels: labels, pairs: options.textPairColumn == nil ? nil : pairs))
        }
        splits.sort { DatasetLoader.splitOrder($0.name, $1.name) }
        return Dataset(labelNames: names, splits: splits, source: folder, format: .agNews, notices: notices)
    }
}

/// A folder of class folders of `.txt` files: label names are the folder names sorted,
/// rows are ordered by class folder, then file name. One split, "train".
enum ClassFolderReader {
    static func read(folder: String, options: LoadOptions) throws(DataError) -> Dataset {
        if let pair = options.textPairColumn {
            throw DataError("A folder of class folders holds one text per file, so it has no column `\(pair)` for a sentence pair.", file: folder,
                            hint: "Sentence pairs come from CSV, JSON Lines or the AG News release (`title` and `description`).")
        }
        let classes = Files.list(folder).filter { Files.isFolder(Files.join(folder, $0)) && !$0.hasPrefix("__") }
        guard !classes.isEmpty else {
            throw DataError("This folder has no class folders.", file: folder,
                            hint: "Put each class's .txt files in a folder named after the class.")
        }
        var texts: [String] = [], labels: [Int] = [], notices: [DataNotice] = []
        for (label, name) in classes.enumerated() {
            let classFolder = Files.join(folder, name)
            for file in Files.list(classFolder) where file.hasSuffix(".txt") {
                let path = Files.join(classFolder, file)
                let decoded = TextDecoding.decode(try FileBytes.read(path), policy: options.invalidUTF8)
                if decoded.wasInvalid {
                    if options.invalidUTF8 == .error {
                        throw DataError("This file is not valid UTF-8 text.", file: path,
                                        hint: "Set `invalid_utf8: windows-1252` or `replace` to read it anyway.")
                    }
                    notices.append(DataNotice(file: path, line: nil, message: "not valid UTF-8; " + options.invalidUTF8.noticeText))
                }
                texts.append(decoded.text)
                labels.append(label)
            }
        }
        guard !texts.isEmpty else {
            throw DataError("The class folders hold no .txt files.", file: folder)
        }
        return Dataset(labelNames: classes, splits: [DatasetSplit(name: "train", texts: texts, labels: labels)],
                       source: folder, format: .folders, notices: notices)
    }
}
