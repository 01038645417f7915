/// A labelled text dataset: named splits of (text, label) rows, the labels by task (`Labels`).
public struct Dataset: Sendable {
    /// Label names; a row's class is an index into this list (one name, the output's, for regression).
    public var labelNames: [String]
    /// Splits in a stable order ("train" first, then "validation", "test", then the rest).
    public var splits: [DatasetSplit]
    /// Where the rows came from (a file or folder).
    public var source: String
    public var format: DatasetFormat
    /// Things a user should know about the data: undecodable bytes, and where.
    public var notices: [DataNotice]
    /// The files a reader that reads only part of a dataset opened (Parquet and Arrow shards), in order;
    /// empty when the whole source was read.
    public var filesRead: [String] = []

    public init(labelNames: [String], splits: [DatasetSplit], source: String, format: DatasetFormat, notices: [DataNotice] = []) {
        self.labelNames = labelNames
        self.splits = splits
        self.source = source
        self.format = format
        self.notices = notices
    }

    public subscript(split name: String) -> DatasetSplit? { splits.first { $0.name == name } }

    /// What the label column holds.
    public var task: LabelTask { splits.first?.targets.task ?? .singleLabelClassification }

    /// The split a lesson trains on: "train" if present, else the first.
    public var trainingSplit: DatasetSplit? { self[split: "train"] ?? splits.first }
}

/// One split's rows, stored column-wise.
public struct DatasetSplit: Sendable, Equatable {
    public var name: String
    public var texts: [String]
    /// The label column, by task.
    public var targets: Labels
    /// Each row's second text, for sentence-pair tasks (`text_pair_column`); nil for single texts.
    public var pairs: [String]?

    public init(name: String, texts: [String], targets: Labels, pairs: [String]? = nil) {
        self.name = name
        self.texts = texts
        self.targets = targets
        self.pairs = pairs
    }

    /// A single-label classification split.
    public init(name: String, texts: [String], labels: [Int], pairs: [String]? = nil) {
        self.init(name: name, texts: texts, targets: .classes(labels), pairs: pairs)
    }

    /// The class ids of a single-label split (empty for regression and multi-label splits, whose
    /// labels are in `targets`).
    public var labels: [Int] {
        if case let .classes(values) = targets { return values }
        return []
    }

    public var count: Int { texts.count }

    /// The rows at `indices`, in that order (as `Dataset.select`).
    public func select(_ indices: [Int], name: String? = nil) -> DatasetSplit {
        DatasetSplit(name: name ?? self.name, texts: indices.map { texts[$0] }, targets: targets.select(indices),
                     pairs: pairs.map { pairs in indices.map { pairs[$0] } })
    }

    /// The rows in `range`, in order.
    public func rows(_ range: Range<Int>) -> DatasetSplit {
        DatasetSplit(name: name, texts: Array(texts[range]), targets: targets.rows(range), pairs: pairs.map { Array($0[range]) })
    }

    /// How many rows have each label, for `labelCount` labels (for multi-label splits: hold it).
    public func classCounts(labelCount: Int) -> [Int] { targets.classCounts(labelCount) }
}

/// The on-disk layouts Lectern reads.
public enum DatasetFormat: String, Sendable, CaseIterable {
    /// Headerless `"class","title","description"` CSV files (class 1-based) with `classes.txt`, as AG News is released.
    case agNews = "ag_news"
    /// CSV with a header row naming the columns.
    case csv
    /// JSON Lines: one object per line.
    case jsonl
    /// A folder of class folders holding `.txt` files, one document each (as BBC News).
    case folders
    /// Parquet files, as `datasets` and pyarrow write them and the Hub stores every dataset: one file, or a
    /// folder of shards whose names give the splits.
    case parquet
    /// Arrow IPC files: `save_to_disk` folders (`dataset_dict.json`, `state.json`), a folder of `.arrow` shards, or one file.
    case arrow
}

/// Something about the data that a user should know, with the file and line it concerns.
public struct DataNotice: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line (CSV, JSON Lines) or nil for a whole file.
    public var line: Int?
    public var message: String

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// A problem with data files, naming the file and the row or line.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public var hint: String?

    public init(_ message: String, file: String, line: Int? = nil, hint: String? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint
    }

    /// The file, the row and what is wrong, without the hint.
    public var statement: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }

    public var description: String {
        var text = statement
        if let hint { text += (message.contains("\n") ? "\n" : " ") + hint }
        return text
    }
}
