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
    public static func needs(_ settings: Settings) -> [SessionResource] {
        [.dataset, .tokenizer] + (settings.model != nil ? [] : [.model])
    }

    public static var cacheable: Bool { true }
    public static func cacheKeyParts(_ settings: Settings) -> [String] { settings.precision.cacheKeyParts }
    public static func runHeader(_ settings: Settings) -> [RunHeaderNote] { settings.precision.runHeader }

    public func inputs(_ settings: Settings, context: RunContext) -> [String] { NamedModel.inputs(settings.model, context: context) }

    public func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let arguments = settings.arguments
        guard let dataset = session.dataset?.dataset, let tokenized = session.tokenized else {
            throw Diagnostic("`evaluate` needs `load` and `tokenize` cells above it.", at: arguments.location)
        }
        var notices: [String] = []
        // A checkpoint named here needs no tokenizer files: the split was tokenized above.
        let model: SequenceClassifier
        if let named = try NamedModel.load(settings.model, arguments: arguments, session: &session, context: context) {
            model = named.model
            notices = named.notices
        } else if let trained = session.model {
            model = trained.classifier.model
        } else {
            throw Diagnostic("There is no trained model to evaluate.", at: arguments.location, hint: "Add `model:` or a `train` cell above.")
        }
        let splitName = settings.split, labelNames = model.config.id2label
        guard let rows = dataset[split: splitName],
              let examples = tokenized.examples(splitName, labels: rows.targets, labelCount: dataset.labelNames.count) else {
            throw arguments.problem("The dataset has no split `\(splitName)`.", with: Settings.split,
                                    hint: "Its splits are " + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".")
        }
        let task = dataset.task.problemType
        let names: [CellMetrics.Name]
        switch CellMetrics.names(settings.metrics, given: settings.metricsGiven, task: task, average: settings.average) {
        case let .success(chosen): names = chosen
        case let .failure(mismatch): throw arguments.problem(mismatch.message, with: mismatch.parameter)
        }
        let average = settings.average, zeroDivision = settings.zeroDivision, threshold = settings.threshold
        try Self.requireFit(of: model.config, examples: examples, task: task, classCount: dataset.labelNames.count, arguments)
        let results: [(key: String, value: Double)]
        let logits: [Float]
        do {
            // No Trainer: evaluating needs neither gradients nor optimizer moments.
            (results, logits) = try Evaluation.run(parameters: model.parameters, precision: settings.precision.precision,
                                                   batchSize: settings.batchSize, examples: examples) { logits, targets, outputs in
                CellMetrics.compute(logits: logits, targets: targets, outputs: outputs, names: names, average: average, zeroDivision: zeroDivision,
                                    labelNames: labelNames, threshold: threshold)
            }
        } catch {
            throw Diagnostic("Evaluation failed: \(error)", at: arguments.location)
        }
        var result: CellResult
        switch rows.targets {
        case let .scores(truth):
            result = EvaluationReport.regression(results: results, predictions: logits.map(Double.init), truth: truth, split: splitName)
        case let .sets(truth):
            result = EvaluationReport.multiLabel(results: results, logits: logits, truth: truth, labelNames: labelNames, split: splitName,
                                                 threshold: threshold, zeroDivision: zeroDivision)
        case .classes:
            let metrics = ClassificationMetrics(logits: logits, truth: rows.labels, labelCount: labelNames.count)
            result = Self.report(results: results, metrics: metrics, labelNames: labelNames, split: splitName, zeroDivision: zeroDivision)
        }
        notices += [settings.precision.notice].compactMap { $0 }
        result.blocks.insert(contentsOf: notices.map { .notice($0) }, at: 0)
        return result
    }

    /// The split was tokenized and labelled for the model named in `tokenize` and the data loaded;
    /// a checkpoint named by `model:` must read its ids and predict its classes.
    static func requireFit(of config: ModelConfig, examples: [LabelledSequence], task: ProblemType, classCount: Int,
                           _ arguments: DirectiveArguments) throws(Diagnostic) {
        let ids = examples.map(\.ids)
        if let longest = ids.map(\.count).max(), longest > config.maxSequenceLength {
            throw arguments.problem("The split has sequences of \(longest) tokens, longer than this model's \(config.maxSequenceLength) positions.",
                                    with: ModelChoice.instead, hint: "Tokenize with `truncation: true` and `max_length: \(config.maxSequenceLength)`.")
        }
        if let largest = ids.lazy.compactMap({ $0.max() }).max(), Int(largest) >= config.vocabSize {
            throw arguments.problem("The split holds the token id \(largest), outside this model's vocabulary of \(config.vocabSize).", with: ModelChoice.instead,
                                    hint: "Tokenize with the model you evaluate (`tokenize` with the same `model:`).")
        }
        // A head fits regression data with one output, label sets with one output per label, classes if it is no regressor.
        let fits = switch task {
        case .regression: config.numLabels == 1
        case .multiLabelClassification: config.problemType != .regression && config.numLabels == classCount
        case .singleLabelClassification: config.problemType != .regression
        }
        if !fits {
            throw arguments.problem("The data is \(task.rawValue) with \(classCount) label\(classCount == 1 ? "" : "s"), but this model's head is "
                                    + "\(config.problemType.rawValue) with \(config.numLabels) output\(config.numLabels == 1 ? "" : "s").", with: ModelChoice.instead,
                                    hint: "Evaluate a checkpoint trained on this kind of data.")
        }
        let labels = examples.compactMap { example -> Int? in if case let .label(label) = example.target { return label } else { return nil } }
        if let largest = labels.max(), largest >= config.id2label.count {
            throw arguments.problem("The data has \(classCount) classes, but this model's head has \(config.id2label.count) labels: "
                                    + config.id2label.joined(separator: ", ") + ".", with: ModelChoice.instead,
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
