import LecternData
import LecternNotebook

extension [any DirectiveSettings] {
    /// The task of the data the last `load` cell among these reads.
    var loadedTask: LabelTask? { lazy.compactMap { $0 as? LoadDirective.Settings }.last?.problemType }
}

extension LoadDirective {
    /// The `load` cell's parameters, typed: where the data is, which rows, how to divide them.
    public struct Settings: DirectiveSettings {
        static let dataset = Parameter<String>.requiredText("dataset",
            "A dataset name (searched in ./data, $LECTERN_DATA, the Hugging Face cache, installed corpora such as `bbc_news`), a Hub name such as `fancyzhx/ag_news`, or a path.")
        static let config = Parameter<String?>.text("config",
            "For a dataset with several configs, which one (`load_dataset(name, config)`): a config of its README.md, or a folder of its Parquet export.")
        static let split = Parameter<String?>.text("split",
            "The rows to load, as `datasets` writes a split: `train`, `train[:1000]`, `train[:10%]`, `test[-200:]`.")
        static let splits = Parameter<[(name: String, expression: String)]?>(
            ParameterSpec("splits", .mapping(of: .string), "Named splits, each a split expression, e.g. `train: train[:800]` and `test: test[:200]`.")) { value in
            guard case let .mapping(entries)? = value else { return nil }
            return entries.compactMap { entry in entry.value.text.map { (name: entry.name, expression: $0) } }
        }
        static let testSize = size("test_size", "Split the loaded rows into `train` and `test`: a fraction (0.2) or a count (200) for `test`.")
        static let trainSize = size("train_size", "With `test_size`, or alone: a fraction or count for `train`.")
        static let seed = Parameter<Int?>.integer("seed", 0...Int.max, "Seed for the shuffle before splitting (default: the notebook's seed, else 42).")
        static let shuffle = Parameter<Bool>.flag("shuffle", default: true, "Shuffle before splitting, as `train_test_split(shuffle=True)`.")
        /// nil: `auto`, told from the files.
        static let format = Parameter<DatasetFormat?>(
            ParameterSpec("format", .choice(["auto"] + DatasetFormat.allCases.map(\.rawValue)), default: .string("auto"),
                          "The files' layout; `auto` tells it from the files.")) { $0?.text.flatMap(DatasetFormat.init(rawValue:)) }
        static let textColumn = Parameter<String>.text("text_column", default: "text", "The text column of a CSV, JSON Lines, Parquet or Arrow dataset.")
        static let labelColumn = Parameter<String>.text("label_column", default: "label", "The label column of a CSV, JSON Lines, Parquet or Arrow dataset.")
        static let textPairColumn = Parameter<String?>.text("text_pair_column",
            "The second text of a sentence pair (MRPC's `sentence2`; AG News's `description` with `text_column: title`): each row is then a pair.")
        static let invalidUTF8 = Parameter<InvalidUTF8Policy>.choice("invalid_utf8", default: .windows1252,
            "What to do with text that is not valid UTF-8: decode it as `windows-1252`, `replace` bad bytes, or stop with an `error`.")

        /// Declared without recorded defaults, so that transcripts of cells that do not give them stay as they were.
        static let problemType = Parameter<LabelTask?>.choice("problem_type",
            "What the label column holds, with transformers' names: one class per text (`single_label_classification`, the default), "
                + "a number (`regression`), or a list of classes (`multi_label_classification`: a JSON array, or a field split at `label_delimiter`).")
        static let labelDelimiter = Parameter<String?>.text("label_delimiter",
            "For multi-label data: what separates the labels written in one field (default: `,`).")

        public static let parameters = [dataset.spec, config.spec, split.spec, splits.spec, testSize.spec, trainSize.spec, seed.spec, shuffle.spec, format.spec,
                                        textColumn.spec, labelColumn.spec, textPairColumn.spec, invalidUTF8.spec, problemType.spec, labelDelimiter.spec]
        public static let exclusiveGroups = [[split.name, splits.name]]

        /// `test_size` and `train_size`: a fraction strictly between 0 and 1, or a count.
        private static func size(_ name: String, _ summary: String) -> Parameter<TrainTestSplit.Size?> {
            Parameter(ParameterSpec(name, .fractionOrCount, summary)) { value in
                switch value {
                case let .integer(count)?: return .count(count)
                case let .number(fraction)?: return .fraction(fraction)
                default: return nil
                }
            }
        }

        public let arguments: DirectiveArguments
        public let dataset: String
        public let config: String?
        public let split: String?
        public let splits: [(name: String, expression: String)]?
        public let testSize: TrainTestSplit.Size?
        public let trainSize: TrainTestSplit.Size?
        public let seed: Int?
        public let shuffle: Bool
        public let format: DatasetFormat?
        public let textColumn: String
        public let labelColumn: String
        public let textPairColumn: String?
        public let invalidUTF8: InvalidUTF8Policy
        public let problemType: LabelTask
        public let labelDelimiter: String

        public init(_ arguments: DirectiveArguments) {
            self.arguments = arguments
            dataset = arguments[Self.dataset]
            config = arguments[Self.config]
            split = arguments[Self.split]
            splits = arguments[Self.splits]
            testSize = arguments[Self.testSize]
            trainSize = arguments[Self.trainSize]
            seed = arguments[Self.seed]
            shuffle = arguments[Self.shuffle]
            format = arguments[Self.format]
            textColumn = arguments[Self.textColumn]
            labelColumn = arguments[Self.labelColumn]
            textPairColumn = arguments[Self.textPairColumn]
            invalidUTF8 = arguments[Self.invalidUTF8]
            problemType = arguments[Self.problemType] ?? .singleLabelClassification
            labelDelimiter = arguments[Self.labelDelimiter] ?? ","
        }

        /// The rows of each split the cell uses (nil: every row), so that a reader can stop there.
        var rowsNeeded: [String: Int?]? {
            let texts = split.map { [$0] } ?? splits?.map(\.expression)
            return texts.map { texts in SplitExpression.rowsNeeded(texts.compactMap { try? SplitExpression($0) }) }
        }

        /// Whether the cell divides its rows into `train` and `test`.
        public var divides: Bool { testSize != nil || trainSize != nil }
        /// The parameter that asked for the division, for messages.
        var divisionParameter: String { arguments.isGiven(Self.testSize) ? Self.testSize.name : Self.trainSize.name }

        public func check() -> [Diagnostic] {
            var problems: [Diagnostic] = []
            if arguments.isGiven(Self.labelDelimiter), problemType != .multiLabelClassification {
                problems.append(arguments.problem("`label_delimiter` separates the labels of multi-label data.", with: Self.labelDelimiter,
                                                  hint: "Add `problem_type: multi_label_classification`, or drop `label_delimiter`."))
            }
            if labelDelimiter.isEmpty {
                problems.append(arguments.problem("`label_delimiter` must not be empty.", with: Self.labelDelimiter))
            }
            if let split {
                do { _ = try SplitExpression(split) } catch {
                    problems.append(arguments.problem(error.message, with: Self.split, hint: error.hint))
                }
            }
            if let splits {
                for entry in splits {
                    do { _ = try SplitExpression(entry.expression) } catch {
                        problems.append(arguments.problem(error.message, with: Self.splits, hint: error.hint))
                    }
                }
                for size in [Self.testSize, Self.trainSize] where arguments.isGiven(size) {
                    problems.append(arguments.problem("`\(size.name)` splits one set of rows, so it cannot be used with `splits`.", with: size,
                                                      hint: "Use `split:` to choose the rows to divide, or drop `\(size.name)`."))
                }
            }
            return problems
        }
    }
}
