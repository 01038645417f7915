import Foundation
import LecternData
import LecternNotebook
import LecternTranscript

/// ```load```: reads a dataset, selects a split, and optionally splits it into train and test
/// exactly as `load_dataset(name, split=...)` followed by `train_test_split(...)` does.
public struct LoadDirective: DirectiveHandler {
    public init() {}

    public static let name = DirectiveName.load
    public static let provides: [SessionResource] = [.dataset]

    public func inputs(_ settings: Settings, context: RunContext) -> [String] {
        (try? DatasetResolver.resolve(settings.dataset, relativeTo: context.baseFolder)).map { [$0] } ?? []
    }

    public func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let arguments = settings.arguments
        func problem(_ error: DataError, named name: String = "dataset") -> Diagnostic {
            arguments.problem(error.statement, with: name, hint: error.hint)
        }
        let path: String
        let loaded: Dataset
        var options = LoadOptions(format: settings.format, textColumn: settings.textColumn, labelColumn: settings.labelColumn,
                                  textPairColumn: settings.textPairColumn, invalidUTF8: settings.invalidUTF8, task: settings.problemType,
                                  labelDelimiter: settings.labelDelimiter, rowsNeeded: settings.rowsNeeded, config: settings.config)
        do {
            path = try DatasetResolver.resolve(settings.dataset, relativeTo: context.baseFolder)
            loaded = try DatasetLoader.load(at: path, options: options)
        } catch {
            throw problem(error)
        }

        var dataset = loaded
        let slicing = settings.splits != nil ? Settings.splits.name : Settings.split.name
        do {
            if let text = settings.split {
                dataset.splits = [try SplitExpression(text).select(from: loaded)]
            } else if let splits = settings.splits {
                dataset.splits = try splits.map { entry throws(DataError) in try SplitExpression(entry.expression).select(from: loaded).renamed(entry.name) }
            }
        } catch {
            throw problem(error, named: slicing)
        }
        if let empty = dataset.splits.first(where: { $0.count == 0 }) {
            // Parquet and Arrow stop at the rows needed, so they do not know every split's size: read them all for the message.
            options.rowsNeeded = nil
            let partial = loaded.format == .parquet || loaded.format == .arrow
            let whole = partial ? (try? DatasetLoader.load(at: path, options: options)) ?? loaded : loaded
            throw arguments.problem("The split `\(empty.name)` has no rows after slicing.", with: slicing,
                                    hint: "Check the slice bounds; the source has " + whole.splits.map { "\($0.name): \($0.count) rows" }.joined(separator: ", ") + ".")
        }

        var seedUsed: Int?
        if settings.divides {
            guard dataset.splits.count == 1 else {
                throw arguments.problem("`test_size` splits one set of rows, but the dataset has the splits "
                                        + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".",
                                        with: settings.divisionParameter, hint: "Add `split: train` (or another split) to choose the rows to divide.")
            }
            let seed = settings.seed ?? context.seed
            seedUsed = seed
            let splitter = TrainTestSplit(testSize: settings.testSize, trainSize: settings.trainSize, seed: UInt64(seed), shuffle: settings.shuffle)
            do {
                let rows = dataset.splits[0]
                let (train, test) = try splitter.indices(count: rows.count)
                dataset.splits = [rows.select(train, name: "train"), rows.select(test, name: "test")]
            } catch {
                throw arguments.problem(error.message, with: settings.divisionParameter, hint: error.hint)
            }
        }
        session.dataset = LoadedDataset(name: settings.dataset, dataset: dataset)
        // Parquet and Arrow read only some files of a dataset: the header names each, with its SHA-256.
        let filesRead = loaded.filesRead.map { file in
            let shown = file.hasPrefix(path + "/") ? String(file.dropFirst(path.count + 1)) : (file as NSString).lastPathComponent
            return shown + ((try? context.hashes.sha256(of: file)).map { " (sha256:\($0))" } ?? "")
        }
        session.recordInput(kind: .data, name: settings.dataset, path: path,
                            detail: "\(dataset.splits.reduce(0) { $0 + $1.count }.grouped) rows" + (filesRead.isEmpty ? "" : "; read " + filesRead.joined(separator: ", ")),
                            hashes: context.hashes)
        return Self.report(name: settings.dataset, path: path, dataset: dataset, seed: seedUsed)
    }

    /// A split's first label as the transcript names it, and as its JSON entry.
    static func firstLabel(of split: DatasetSplit, names: [String]) -> (shown: String, json: (key: String, value: JSONValue)) {
        switch split.targets {
        case let .classes(values): return ("label \(values[0]) \(names[values[0]])", ("label", .int(values[0])))
        case let .scores(values): return ("score \(values[0])", ("label", .double(values[0])))
        case let .sets(values):
            let named = values[0].map { names[$0] }
            return ("labels: " + (named.isEmpty ? "none" : named.joined(separator: ", ")), ("labels", .array(named.map { .string($0) })))
        }
    }

    /// The summary line, the class balance table and its chart of single-label data.
    static func classBalance(_ dataset: Dataset, summary splitSummary: String, name: String) -> [OutputBlock] {
        let labels = dataset.labelNames
        var blocks: [OutputBlock] = []
        blocks.append(.text("Loaded \(name) (\(dataset.format.summary), \(labels.count) classes): \(splitSummary)."))

        var columns = ["Label"]
        for split in dataset.splits { columns += [split.name, "%"] }
        let counts = dataset.splits.map { $0.classCounts(labelCount: labels.count) }
        var rows: [[String]] = labels.enumerated().map { label, labelName in
            var row = ["\(label) \(labelName)"]
            for (splitIndex, split) in dataset.splits.enumerated() {
                let count = counts[splitIndex][label]
                row += [count.grouped, String(format: "%.1f", 100 * Double(count) / Double(max(split.count, 1)))]
            }
            return row
        }
        rows.append(["total"] + dataset.splits.flatMap { [$0.count.grouped, "100.0"] })
        blocks.append(.table(OutputTable(title: "Class balance", columns: columns, rows: rows,
                                         numericColumns: Set(1..<columns.count))))
        blocks.append(.chart(Chart(title: "Class balance", kind: .bars(categories: labels, groups: dataset.splits.enumerated().map { index, split in
            Chart.BarGroup(name: split.name, values: counts[index].map { 100 * Double($0) / Double(max(split.count, 1)) })
        }), xLabel: "class", yLabel: "% of the split")))

        return blocks
    }

    /// The transcript's view of a loaded dataset: rows and class balance per split, the first training example.
    static func report(name: String, path: String, dataset: Dataset, seed: Int?) -> CellResult {
        let labels = dataset.labelNames
        var blocks: [OutputBlock] = []
        let splitSummary = dataset.splits.map { "\($0.name): \($0.count.grouped) rows" }.joined(separator: ", ")
        switch dataset.task {
        case .singleLabelClassification:
            blocks += classBalance(dataset, summary: splitSummary, name: name)
        case .regression:
            blocks.append(.text("Loaded \(name) (\(dataset.format.summary), a score per text): \(splitSummary)."))
            blocks += LoadReport.scores(dataset).blocks
        case .multiLabelClassification:
            blocks.append(.text("Loaded \(name) (\(dataset.format.summary), \(labels.count) labels, any number per text): \(splitSummary)."))
            blocks += LoadReport.labelSets(dataset).blocks
        }

        var outputs: [(key: String, value: JSONValue)] = [
            ("dataset", .string(name)),
            ("source", .string(path)),
            ("format", .string(dataset.format.rawValue)),
            ("label_names", .array(labels.map { .string($0) })),
            ("num_rows", .object(dataset.splits.map { (key: $0.name, value: .int($0.count)) })),
        ]
        if dataset.task == .regression {
            outputs.append(("problem_type", .string(dataset.task.rawValue)))
            outputs.append(("score_statistics", LoadReport.scores(dataset).json))
        } else {
            if dataset.task == .multiLabelClassification { outputs.append(("problem_type", .string(dataset.task.rawValue))) }
            let counts = dataset.splits.map { $0.classCounts(labelCount: labels.count) }
            outputs.append(("class_counts", .object(dataset.splits.enumerated().map { index, split in
                (key: split.name, value: .object(labels.enumerated().map { (key: $1, value: .int(counts[index][$0])) }))
            })))
        }
        if let seed { outputs.append(("seed", .int(seed))) }
        if let first = dataset.trainingSplit, first.count > 0 {
            let text = first.texts[0]
            let preview = Formatting.excerpt(text, limit: 80, marker: "...")
            let (shown, label) = Self.firstLabel(of: first, names: labels)
            blocks.append(.preformatted(title: "First \(first.name) example (\(shown))", text: preview))
            var example: [(key: String, value: JSONValue)] = [("split", .string(first.name)), ("text", .string(Formatting.transcriptText(text)))]
            if let pair = first.pairs?[0] {
                blocks.append(.preformatted(title: "Its second text", text: Formatting.excerpt(pair, limit: 80, marker: "...")))
                example.append(("text_pair", .string(Formatting.transcriptText(pair))))
            }
            outputs.append(("first_example", .object(example + [label])))
        }
        if !dataset.notices.isEmpty {
            let listed = dataset.notices.prefix(10).map(\.description).joined(separator: "\n")
            let more = dataset.notices.count > 10 ? "\n… and \(dataset.notices.count - 10) more." : ""
            blocks.append(.notice("\(dataset.notices.count) text\(dataset.notices.count == 1 ? " was" : "s were") not valid UTF-8:\n\(listed)\(more)"))
            outputs.append(("notices", .array(dataset.notices.map { .string($0.description) })))
        }
        return CellResult(outputs: .object(outputs), blocks: blocks)
    }
}

extension DatasetSplit {
    func renamed(_ name: String) -> DatasetSplit {
        var copy = self
        copy.name = name
        return copy
    }
}

extension Int {
    /// "10,429": thousands grouped with commas, whatever the machine's locale.
    var grouped: String {
        let digits = String(abs(self))
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }
}

extension DatasetFormat {
    /// How the transcript names the layout.
    var summary: String {
        switch self {
        case .agNews: return "AG News CSV release"
        case .csv: return "CSV"
        case .jsonl: return "JSON Lines"
        case .folders: return "a folder per class"
        case .parquet: return "Parquet"
        case .arrow: return "Arrow"
        }
    }
}
