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

    public static let schema = DirectiveSchema(.load, parameters: [
        ParameterSpec("dataset", .string, required: true,
                      "A dataset name (searched in ./data, $LECTERN_DATA, installed corpora such as `bbc_news`) or a path."),
        ParameterSpec("split", .string, "The rows to load, as `datasets` writes a split: `train`, `train[:1000]`, `train[:10%]`, `test[-200:]`."),
        ParameterSpec("splits", .mapping(of: .string), "Named splits, each a split expression, e.g. `train: train[:800]` and `test: test[:200]`."),
        ParameterSpec("test_size", .fractionOrCount, "Split the loaded rows into `train` and `test`: a fraction (0.2) or a count (200) for `test`."),
        ParameterSpec("train_size", .fractionOrCount, "With `test_size`, or alone: a fraction or count for `train`."),
        ParameterSpec("seed", .integer(min: 0, max: Int.max), "Seed for the shuffle before splitting (default: the notebook's seed, else 42)."),
        ParameterSpec("shuffle", .boolean, default: .boolean(true), "Shuffle before splitting, as `train_test_split(shuffle=True)`."),
        ParameterSpec("format", .choice(["auto"] + DatasetFormat.allCases.map(\.rawValue)), default: .string("auto"),
                      "The files' layout; `auto` tells it from the files."),
        ParameterSpec("text_column", .string, default: .string("text"), "The text column of a CSV or JSON Lines dataset."),
        ParameterSpec("label_column", .string, default: .string("label"), "The label column of a CSV or JSON Lines dataset."),
        ParameterSpec("text_pair_column", .string,
                      "The second text of a sentence pair (MRPC's `sentence2`; AG News's `description` with `text_column: title`): each row is then a pair."),
        ParameterSpec("invalid_utf8", .choice(InvalidUTF8Policy.allCases.map(\.rawValue)), default: .string(InvalidUTF8Policy.windows1252.rawValue),
                      "What to do with text that is not valid UTF-8: decode it as `windows-1252`, `replace` bad bytes, or stop with an `error`."),
    ], exclusiveGroups: [["split", "splits"]])

    public static func check(_ arguments: DirectiveArguments) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for name in ["split"] where arguments.string(name) != nil {
            do { _ = try SplitExpression(arguments.string(name)!) } catch {
                problems.append(arguments.problem(error.message, with: name, hint: error.hint))
            }
        }
        if case let .mapping(entries)? = arguments["splits"] {
            for entry in entries {
                guard case let .string(text) = entry.value else { continue }
                do { _ = try SplitExpression(text) } catch {
                    problems.append(arguments.problem(error.message, with: "splits", hint: error.hint))
                }
            }
            for name in ["test_size", "train_size"] where arguments.isGiven(name) {
                problems.append(arguments.problem("`\(name)` splits one set of rows, so it cannot be used with `splits`.", with: name,
                                                  hint: "Use `split:` to choose the rows to divide, or drop `\(name)`."))
            }
        }
        return problems
    }

    public func inputs(_ arguments: DirectiveArguments, context: RunContext) -> [String] {
        (try? DatasetResolver.resolve(arguments.string("dataset")!, relativeTo: context.baseFolder)).map { [$0] } ?? []
    }

    public func run(_ arguments: DirectiveArguments, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let name = arguments.string("dataset")!
        func problem(_ error: DataError, about key: String = "dataset") -> Diagnostic {
            arguments.problem(error.statement, with: key, hint: error.hint)
        }
        let path: String
        let loaded: Dataset
        do {
            path = try DatasetResolver.resolve(name, relativeTo: context.baseFolder)
            let format = arguments.string("format").flatMap(DatasetFormat.init(rawValue:))
            let policy = InvalidUTF8Policy(rawValue: arguments.string("invalid_utf8")!)!
            loaded = try DatasetLoader.load(at: path, options: LoadOptions(format: format, textColumn: arguments.string("text_column")!,
                                                                           labelColumn: arguments.string("label_column")!,
                                                                           textPairColumn: arguments.string("text_pair_column"), invalidUTF8: policy))
        } catch {
            throw problem(error)
        }

        var dataset = loaded
        do {
            if let text = arguments.string("split") {
                dataset.splits = [try SplitExpression(text).select(from: loaded)]
            } else if case let .mapping(entries)? = arguments["splits"] {
                dataset.splits = try entries.map { entry throws(DataError) in
                    guard case let .string(text) = entry.value else { throw DataError("not a split", file: "splits") }
                    return try SplitExpression(text).select(from: loaded).renamed(entry.name)
                }
            }
        } catch {
            throw problem(error, about: arguments.isGiven("split") ? "split" : "splits")
        }
        if let empty = dataset.splits.first(where: { $0.count == 0 }) {
            throw arguments.problem("The split `\(empty.name)` has no rows after slicing.", with: arguments.isGiven("splits") ? "splits" : "split",
                                    hint: "Check the slice bounds; the source has " + loaded.splits.map { "\($0.name): \($0.count) rows" }.joined(separator: ", ") + ".")
        }

        var seedUsed: Int?
        if arguments.isGiven("test_size") || arguments.isGiven("train_size") {
            guard dataset.splits.count == 1 else {
                throw arguments.problem("`test_size` splits one set of rows, but the dataset has the splits "
                                        + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".",
                                        with: arguments.isGiven("test_size") ? "test_size" : "train_size",
                                        hint: "Add `split: train` (or another split) to choose the rows to divide.")
            }
            let seed = arguments.integer("seed") ?? context.seed
            seedUsed = seed
            let splitter = TrainTestSplit(testSize: Self.size(arguments["test_size"]), trainSize: Self.size(arguments["train_size"]),
                                          seed: UInt64(seed), shuffle: arguments.boolean("shuffle")!)
            do {
                let rows = dataset.splits[0]
                let (train, test) = try splitter.indices(count: rows.count)
                dataset.splits = [rows.select(train, name: "train"), rows.select(test, name: "test")]
            } catch {
                throw arguments.problem(error.message, with: arguments.isGiven("test_size") ? "test_size" : "train_size", hint: error.hint)
            }
        }
        session.dataset = LoadedDataset(name: name, dataset: dataset)
        session.recordInput(kind: .data, name: name, path: path, detail: "\(dataset.splits.reduce(0) { $0 + $1.count }.grouped) rows", hashes: context.hashes)
        return Self.report(name: name, path: path, dataset: dataset, seed: seedUsed)
    }

    private static func size(_ value: ParameterValue?) -> TrainTestSplit.Size? {
        switch value {
        case let .integer(count)?: return .count(count)
        case let .number(fraction)?: return .fraction(fraction)
        default: return nil
        }
    }

    /// The transcript's view of a loaded dataset: rows and class balance per split, the first training example.
    static func report(name: String, path: String, dataset: Dataset, seed: Int?) -> CellResult {
        let labels = dataset.labelNames
        var blocks: [OutputBlock] = []
        let splitSummary = dataset.splits.map { "\($0.name): \($0.count.grouped) rows" }.joined(separator: ", ")
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

        var outputs: [(key: String, value: JSONValue)] = [
            ("dataset", .string(name)),
            ("source", .string(path)),
            ("format", .string(dataset.format.rawValue)),
            ("label_names", .array(labels.map { .string($0) })),
            ("num_rows", .object(dataset.splits.map { (key: $0.name, value: .int($0.count)) })),
            ("class_counts", .object(dataset.splits.enumerated().map { index, split in
                (key: split.name, value: .object(labels.enumerated().map { (key: $1, value: .int(counts[index][$0])) }))
            })),
        ]
        if let seed { outputs.append(("seed", .int(seed))) }
        if let first = dataset.trainingSplit, first.count > 0 {
            let text = first.texts[0]
            let preview = Formatting.excerpt(text, limit: 80, marker: "...")
            blocks.append(.preformatted(title: "First \(first.name) example (label \(first.labels[0]) \(labels[first.labels[0]]))", text: preview))
            var example: [(key: String, value: JSONValue)] = [("split", .string(first.name)), ("text", .string(Formatting.transcriptText(text)))]
            if let pair = first.pairs?[0] {
                blocks.append(.preformatted(title: "Its second text", text: Formatting.excerpt(pair, limit: 80, marker: "...")))
                example.append(("text_pair", .string(Formatting.transcriptText(pair))))
            }
            outputs.append(("first_example", .object(example + [("label", .int(first.labels[0]))])))
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
        }
    }
}
