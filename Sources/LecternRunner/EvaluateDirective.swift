import Foundation
import LecternEngine
import LecternNotebook
import LecternTranscript

/// ```evaluate```: the trained model (or a checkpoint named by `model:`) on a tokenized split: loss,
/// the chosen metrics as scikit-learn computes them, a confusion matrix and a per-class report.
public struct EvaluateDirective: DirectiveHandler {
    public init() {}

    public static let name = DirectiveName.evaluate
    public static let provides: [SessionResource] = []
    public static func needs(_ arguments: DirectiveArguments) -> [SessionResource] {
        [.dataset, .tokenizer] + (arguments.isGiven("model") ? [] : [.model])
    }

    public static let schema = DirectiveSchema(.evaluate, parameters: [
        ParameterSpec("split", .string, default: .string("test"), "The split to evaluate on."),
        ParameterSpec("model", .string, "A checkpoint folder or model name to evaluate, e.g. one a Python run wrote (default: the model trained above)."),
        ParameterSpec("metrics", .list(of: .choice(CellMetrics.names)), default: .list(CellMetrics.names.map { .string($0) }),
                      "Which metrics: accuracy, precision, recall, f1."),
        ParameterSpec("average", .choice(["micro", "macro", "weighted", "none"]), default: .string("micro"),
                      "How precision, recall and F1 average over classes (`none`: one value per class), as scikit-learn's `average`."),
        ParameterSpec("zero_division", .choice(["0", "1"]), default: .string("0"), "The value of a ratio whose denominator is 0, as scikit-learn's `zero_division`."),
        ParameterSpec("per_device_eval_batch_size", .integer(min: 1, max: 4096), default: .integer(8), "Examples per evaluation step."),
        ParameterSpec("bf16", .boolean, "Matrix products on bfloat16 inputs with float32 sums where the CPU has AVX512-BF16, as `bf16=True` (default: false; float32 elsewhere, with a notice)."),
    ])

    public static var cacheable: Bool { true }

    public func inputs(_ arguments: DirectiveArguments, context: RunContext) -> [String] { NamedModel.inputs(arguments, context: context) }

    public func run(_ arguments: DirectiveArguments, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        guard let dataset = session.dataset?.dataset, let tokenized = session.tokenized else {
            throw Diagnostic("`evaluate` needs `load` and `tokenize` cells above it.", at: arguments.location)
        }
        var notices: [String] = []
        // A checkpoint named here needs no tokenizer files: the split was tokenized above.
        let model: SequenceClassifier
        if let named = try NamedModel.load(arguments, session: &session, context: context) {
            model = named.model
            notices = named.notices
        } else if let trained = session.model {
            model = trained.classifier.model
        } else {
            throw Diagnostic("There is no trained model to evaluate.", at: arguments.location, hint: "Add `model:` or a `train` cell above.")
        }
        let splitName = arguments.string("split")!
        guard let rows = dataset[split: splitName], let ids = tokenized.splits[splitName] else {
            throw arguments.problem("The dataset has no split `\(splitName)`.", with: "split",
                                    hint: "Its splits are " + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".")
        }
        let names = CellMetrics.requested(arguments["metrics"])
        let average = ClassificationMetrics.Average(rawValue: arguments.string("average")!)!
        let zeroDivision = Double(arguments.string("zero_division")!)!
        let labelNames = model.config.id2label
        try Self.requireFit(of: model.config, ids: ids, labels: rows.labels, classCount: dataset.labelNames.count, arguments)
        let precision = MatrixPrecision.forRequest(bf16: arguments.boolean("bf16") ?? false)
        let examples = tokenized.examples(splitName, labels: rows.labels)!
        let results: [(key: String, value: Double)]
        let logits: [Float]
        do {
            // No Trainer: evaluating needs neither gradients nor optimizer moments.
            (results, logits) = try Evaluation.run(parameters: model.parameters, precision: precision.precision,
                                                   batchSize: arguments.integer("per_device_eval_batch_size")!, examples: examples) { logits, labels, count in
                CellMetrics.compute(logits: logits, labels: labels, labelCount: count, names: names, average: average, zeroDivision: zeroDivision, labelNames: labelNames)
            }
        } catch {
            throw Diagnostic("Evaluation failed: \(error)", at: arguments.location)
        }
        let metrics = ClassificationMetrics(logits: logits, truth: rows.labels, labelCount: labelNames.count)
        var result = Self.report(results: results, metrics: metrics, labelNames: labelNames, split: splitName, zeroDivision: zeroDivision)
        notices += [precision.notice].compactMap { $0 }
        result.blocks.insert(contentsOf: notices.map { .notice($0) }, at: 0)
        return result
    }

    /// The split was tokenized and labelled for the model named in `tokenize` and the data loaded;
    /// a checkpoint named by `model:` must read its ids and predict its classes.
    static func requireFit(of config: ModelConfig, ids: [[Int32]], labels: [Int], classCount: Int, _ arguments: DirectiveArguments) throws(Diagnostic) {
        if let longest = ids.map(\.count).max(), longest > config.maxSequenceLength {
            throw arguments.problem("The split has sequences of \(longest) tokens, longer than this model's \(config.maxSequenceLength) positions.",
                                    with: "model", hint: "Tokenize with `truncation: true` and `max_length: \(config.maxSequenceLength)`.")
        }
        if let largest = ids.lazy.compactMap({ $0.max() }).max(), Int(largest) >= config.vocabSize {
            throw arguments.problem("The split holds the token id \(largest), outside this model's vocabulary of \(config.vocabSize).", with: "model",
                                    hint: "Tokenize with the model you evaluate (`tokenize` with the same `model:`).")
        }
        if let largest = labels.max(), largest >= config.id2label.count {
            throw arguments.problem("The data has \(classCount) classes, but this model's head has \(config.id2label.count) labels: "
                                    + config.id2label.joined(separator: ", ") + ".", with: "model",
                                    hint: "Evaluate a checkpoint trained on these classes.")
        }
    }

    static func report(results: [(key: String, value: Double)], metrics: ClassificationMetrics, labelNames: [String], split: String,
                       zeroDivision: Double) -> CellResult {
        var blocks: [OutputBlock] = [
            .table(OutputTable(title: "Metrics on \(split) (\(metrics.total.grouped) examples)", columns: ["Metric", "Value"],
                               rows: results.map { [$0.key, CellMetrics.shown($0.value)] }, numericColumns: [1])),
        ]
        let header = ["True \\ predicted"] + labelNames
        blocks.append(.table(OutputTable(title: "Confusion matrix", columns: header,
                                         rows: labelNames.enumerated().map { [$1] + metrics.confusion[$0].map { $0.grouped } },
                                         numericColumns: Set(1...labelNames.count))))
        blocks.append(.chart(Chart(title: "Confusion matrix on \(split)", kind: .heatmap(rows: labelNames, columns: labelNames, values: metrics.confusion),
                                   xLabel: "predicted class", yLabel: "true class")))
        let perClass = metrics.perClassScores(zeroDivision: zeroDivision)
        blocks.append(.table(OutputTable(title: "Per class", columns: ["Class", "Precision", "Recall", "F1", "Support"],
                                         rows: labelNames.enumerated().map { index, name in
                                             let scores = perClass[index]
                                             return [name, String(format: "%.4f", scores.precision), String(format: "%.4f", scores.recall),
                                                     String(format: "%.4f", scores.f1), scores.support.grouped]
                                         }, numericColumns: [1, 2, 3, 4])))
        let json: [(key: String, value: JSONValue)] = [
            ("split", .string(split)),
            ("metrics", .object(results.map { (key: $0.key, value: .double($0.value)) })),
            ("confusion_matrix", .array(metrics.confusion.map { .array($0.map { .int($0) }) })),
            ("label_names", .array(labelNames.map { .string($0) })),
            ("per_class", .object(labelNames.enumerated().map { index, name in
                (key: name, value: .object([("precision", .double(perClass[index].precision)), ("recall", .double(perClass[index].recall)),
                                            ("f1", .double(perClass[index].f1)), ("support", .int(perClass[index].support))]))
            })),
        ]
        return CellResult(outputs: .object(json), blocks: blocks)
    }
}
