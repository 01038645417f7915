import Foundation
import LecternData
import LecternEngine
import LecternNotebook
import LecternTranscript

/// ```predict```: classifies texts with the model trained earlier in the notebook, or with any
/// sequence-classification checkpoint named by `model:` (then a notebook may be this one cell).
public struct PredictDirective: DirectiveHandler {
    public init() {}

    public static let name = DirectiveName.predict
    public static let provides: [SessionResource] = []

    public static func needs(_ settings: Settings) -> [SessionResource] {
        (settings.model != nil ? [] : [.model]) + (settings.split != nil ? [.dataset] : [])
    }

    public static var cacheable: Bool { true }
    public static func cacheKeyParts(_ settings: Settings) -> [String] { settings.precision.cacheKeyParts }
    public static func runHeader(_ settings: Settings) -> [RunHeaderNote] { settings.precision.runHeader }

    public func inputs(_ settings: Settings, context: RunContext) -> [String] { NamedModel.inputs(settings.model, context: context) }

    public func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let arguments = settings.arguments
        let classifier: TextClassifier
        var notices: [String] = []
        let modelName: String
        if let name = settings.model, let named = try NamedModel.load(name, arguments: arguments, session: &session, context: context) {
            modelName = name
            do {
                let tokenizer = try ModelTokenizer.load(folder: named.folder)
                // The length `tokenize` worked out for these texts, else the same rule for this model's tokenizer.
                let maxLength = settings.maxLength ?? session.tokenized?.maxLength
                    ?? ModelTokenizer.defaultMaxLength(folder: named.folder, positions: named.model.config.maxSequenceLength)
                classifier = TextClassifier(tokenizer: tokenizer, model: named.model, maxLength: maxLength)
            } catch {
                throw arguments.problem(error.statement, with: ModelChoice.instead, hint: error.hint)
            }
            notices = named.notices
        } else if let trained = session.model {
            modelName = trained.name
            classifier = trained.classifier
        } else {
            throw Diagnostic("There is no trained model to predict with.", at: arguments.location, hint: "Add `model:` or a `train` cell above.")
        }

        var texts = settings.texts
        var truth: Labels? = nil
        // A split of sentence pairs classifies each row's two texts together.
        var pairs: [String?] = texts.map { _ in nil }
        if let splitName = settings.split {
            guard let split = session.dataset?.dataset[split: splitName] else {
                throw arguments.problem("The loaded dataset has no split `\(splitName)`.", with: Settings.split,
                                        hint: "Its splits are " + (session.dataset?.dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") ?? "none") + ".")
            }
            texts += split.texts
            pairs += split.pairs ?? split.texts.map { _ in nil }
            truth = split.targets
        }
        notices += [settings.precision.notice].compactMap { $0 }
        let predictions: [TextClassifier.Prediction]
        do {
            predictions = try classifier.classify(texts, pairs: pairs.contains { $0 != nil } ? pairs : nil,
                                                  truncation: session.tokenized?.truncation ?? .longestFirst, batchSize: settings.batchSize,
                                                  precision: settings.precision.precision)
        } catch {
            throw arguments.problem(error.statement, with: settings.model != nil ? ModelChoice.instead.name : Settings.text.name, hint: error.hint)
        }
        switch classifier.model.config.problemType {
        case .regression:
            guard truth.map({ $0.task == .regression }) ?? true else { throw Self.mismatch(classifier.model.config, truth, arguments) }
            return PredictionReport.scores(texts: texts, pairs: pairs, predictions: predictions, truth: truth, model: modelName,
                                           show: settings.split != nil ? settings.show : texts.count, notices: notices)
        case .multiLabelClassification:
            guard truth.map({ $0.task == .multiLabelClassification }) ?? true else { throw Self.mismatch(classifier.model.config, truth, arguments) }
            return PredictionReport.labelSets(texts: texts, pairs: pairs, predictions: predictions, labels: classifier.labels, truth: truth,
                                              threshold: settings.threshold, model: modelName,
                                              show: settings.split != nil ? settings.show : texts.count, notices: notices)
        case .singleLabelClassification:
            break
        }
        guard truth.map({ $0.task == .singleLabelClassification }) ?? true else { throw Self.mismatch(classifier.model.config, truth, arguments) }
        return Self.report(texts: texts, pairs: pairs, predictions: predictions, labels: classifier.labels, truth: truth?.classIDs, model: modelName,
                           show: settings.split != nil ? settings.show : texts.count, notices: notices)
    }

    /// The split's labels are of another task than the model's outputs.
    static func mismatch(_ config: ModelConfig, _ truth: Labels?, _ arguments: DirectiveArguments) -> Diagnostic {
        arguments.problem("This model is \(config.problemType.rawValue), but the split's labels are \(truth?.task.rawValue ?? "none").", with: Settings.split,
                          hint: "Predict with a model trained on this kind of data.")
    }

    static func report(texts: [String], pairs: [String?], predictions: [TextClassifier.Prediction], labels: [String], truth: [Int]?, model: String,
                       show: Int, notices: [String]) -> CellResult {
        // A sentence pair reads "first | second" in tables and charts.
        let shownTexts = zip(texts, pairs).map { text, pair in pair.map { text + " | " + $0 } ?? text }
        var blocks: [OutputBlock] = notices.map { .notice($0) }
        var columns = ["Text", "Predicted", "Probability"] + labels
        if truth != nil { columns.insert("True label", at: 1) }
        var rows: [[String]] = []
        for (index, prediction) in predictions.prefix(show).enumerated() {
            let shown = Formatting.excerpt(shownTexts[index], limit: 70)
            var row = [shown, labels[prediction.label], String(format: "%.4f", prediction.probabilities[prediction.label])]
                + prediction.probabilities.map { String(format: "%.4f", $0) }
            if let truth { row.insert(labels[truth[index]], at: 1) }
            rows.append(row)
        }
        let firstNumber = truth == nil ? 2 : 3
        blocks.append(.table(OutputTable(title: "Predictions of \(model)", columns: columns, rows: rows,
                                         numericColumns: Set(firstNumber..<columns.count))))
        blocks.append(PredictionReport.probabilityChart("Predicted probabilities", texts: shownTexts, predictions: predictions, labels: labels))
        if predictions.count > show {
            blocks.append(.text("Showing \(show) of \(predictions.count.grouped) predictions; all are in the JSON transcript."))
        }
        let truncated = predictions.filter { $0.truncatedTokens > 0 }.count
        if truncated > 0 { blocks.append(.notice("\(truncated) text\(truncated == 1 ? " was" : "s were") truncated to the model's maximum length.")) }

        let entries: [JSONValue] = predictions.enumerated().map { index, prediction in
            var entry: [(key: String, value: JSONValue)] = [
                ("label", .string(labels[prediction.label])), ("label_id", .int(prediction.label)),
                ("score", .double(Double(prediction.probabilities[prediction.label]))),
                ("probabilities", .object(zip(labels, prediction.probabilities).map { (key: $0, value: .double(Double($1))) })),
                ("logits", .array(prediction.logits.map { .double(Double($0)) })),
            ]
            if predictions.count <= 100 {
                entry.insert(("text", .string(Formatting.transcriptText(texts[index]))), at: 0)
                if let pair = pairs[index] { entry.insert(("text_pair", .string(Formatting.transcriptText(pair))), at: 1) }
            }
            if let truth { entry.append(("true_label_id", .int(truth[index]))) }
            return .object(entry)
        }
        return CellResult(outputs: .object([("model", .string(model)), ("label_names", .array(labels.map { .string($0) })),
                                            ("predictions", .array(entries))]), blocks: blocks)
    }
}
