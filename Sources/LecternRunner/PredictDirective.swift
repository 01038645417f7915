import Foundation
import LecternEngine
import LecternNotebook
import LecternTranscript

/// ```predict```: classifies texts with the model trained earlier in the notebook, or with any
/// sequence-classification checkpoint named by `model:` (then a notebook may be this one cell).
public struct PredictDirective: DirectiveHandler {
    public init() {}

    public static let name = DirectiveName.predict
    public static let provides: [SessionResource] = []

    public static func needs(_ arguments: DirectiveArguments) -> [SessionResource] {
        (arguments.isGiven("model") ? [] : [.model]) + (arguments.isGiven("split") ? [.dataset] : [])
    }

    public static let schema = DirectiveSchema(.predict, parameters: [
        ParameterSpec("text", .string, "One text to classify."),
        ParameterSpec("texts", .list(of: .string), "Several texts to classify."),
        ParameterSpec("split", .string, "Classify every row of this split of the loaded dataset (e.g. `test`)."),
        ParameterSpec("model", .string, "A checkpoint folder or model name (default: the model trained above)."),
        ParameterSpec("max_length", .integer(min: 2, max: 8192), "Tokens per text; longer texts are truncated (default: as tokenized above, else the tokenizer's `model_max_length` within the model's maximum)."),
        ParameterSpec("batch_size", .integer(min: 1, max: 4096), default: .integer(32), "Texts per forward pass."),
        ParameterSpec("show", .integer(min: 0, max: 10_000), default: .integer(10), "How many rows of a split to show in the transcript."),
        ParameterSpec("bf16", .boolean, "Matrix products on bfloat16 inputs with float32 sums where the CPU has AVX512-BF16, as `bf16=True` (default: false; float32 elsewhere, with a notice)."),
    ], exclusiveGroups: [["text", "texts"]])

    public static func check(_ arguments: DirectiveArguments) -> [Diagnostic] {
        if !arguments.isGiven("text") && !arguments.isGiven("texts") && !arguments.isGiven("split") {
            return [Diagnostic("`predict` needs something to classify.", at: arguments.location,
                               hint: "Add `text: ...`, a list under `texts:`, or `split: test`.")]
        }
        return []
    }

    public static var cacheable: Bool { true }

    public func inputs(_ arguments: DirectiveArguments, context: RunContext) -> [String] { NamedModel.inputs(arguments, context: context) }

    public func run(_ arguments: DirectiveArguments, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let classifier: TextClassifier
        var notices: [String] = []
        let modelName: String
        if let named = try NamedModel.load(arguments, session: &session, context: context) {
            modelName = arguments.string("model")!
            do {
                let tokenizer = try ModelTokenizer.load(folder: named.folder)
                classifier = TextClassifier(tokenizer: tokenizer, model: named.model,
                                            maxLength: arguments.integer("max_length") ?? session.tokenized?.maxLength ?? ModelTokenizer.modelMaxLength(folder: named.folder))
            } catch {
                throw arguments.problem(error.statement, with: "model", hint: error.hint)
            }
            notices = named.notices
        } else if let trained = session.model {
            modelName = trained.name
            classifier = trained.classifier
        } else {
            throw Diagnostic("There is no trained model to predict with.", at: arguments.location, hint: "Add `model:` or a `train` cell above.")
        }

        var texts: [String] = []
        var truth: [Int]? = nil
        if let text = arguments.string("text") { texts = [text] }
        if case let .list(items)? = arguments["texts"] { texts = items.map(\.description) }
        // A split of sentence pairs classifies each row's two texts together.
        var pairs: [String?] = texts.map { _ in nil }
        if let splitName = arguments.string("split") {
            guard let split = session.dataset?.dataset[split: splitName] else {
                throw arguments.problem("The loaded dataset has no split `\(splitName)`.", with: "split",
                                        hint: "Its splits are " + (session.dataset?.dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") ?? "none") + ".")
            }
            texts += split.texts
            pairs += split.pairs ?? split.texts.map { _ in nil }
            truth = split.labels
        }
        // The model may be the session's, shared with later cells: each cell sets the precision it asks for.
        let precision = MatrixPrecision.forRequest(bf16: arguments.boolean("bf16") ?? false)
        classifier.model.precision = precision.precision
        notices += [precision.notice].compactMap { $0 }
        let predictions: [TextClassifier.Prediction]
        do {
            predictions = try classifier.classify(texts, pairs: pairs.contains { $0 != nil } ? pairs : nil,
                                                  truncation: session.tokenized?.truncation ?? .longestFirst, batchSize: arguments.integer("batch_size")!)
        } catch {
            throw arguments.problem(error.statement, with: arguments.isGiven("model") ? "model" : "text", hint: error.hint)
        }
        return Self.report(texts: texts, pairs: pairs, predictions: predictions, labels: classifier.labels, truth: truth, model: modelName,
                           show: arguments.isGiven("split") ? arguments.integer("show")! : texts.count, notices: notices)
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
        let charted = min(predictions.count, 8)
        blocks.append(.chart(Chart(title: "Predicted probabilities" + (charted < predictions.count ? " (first \(charted) texts)" : ""),
                                   kind: .bars(categories: (0..<charted).map { "\($0 + 1). " + Formatting.excerpt(shownTexts[$0], limit: 100) },
                                               groups: labels.enumerated().map { label, name in
                                                   Chart.BarGroup(name: name, values: predictions.prefix(charted).map { Double($0.probabilities[label]) })
                                               }),
                                   xLabel: "text", yLabel: "probability")))
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
