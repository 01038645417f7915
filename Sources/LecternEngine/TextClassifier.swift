import Foundation

/// A tokenizer and a sequence classifier together: texts in, class probabilities out.
///
/// ```swift
/// let classifier = try TextClassifier(folder: try ModelResolver.resolve("my-checkpoint"))
/// let prediction = try classifier.classify(["Stocks rallied today."])[0]
/// classifier.labels[prediction.label]   // "Business"
/// ```
public final class TextClassifier: Sendable {
    public let tokenizer: any TextTokenizer
    public let model: SequenceClassifier
    /// Texts are truncated to this many tokens, special tokens included.
    public let maxLength: Int
    public var labels: [String] { model.config.id2label }

    public struct Prediction: Sendable {
        public var logits: [Float]
        /// By the model's problem type: the softmax over the labels (single-label), each label's sigmoid
        /// (multi-label), or the output itself (regression: the predicted score).
        public var probabilities: [Float]
        /// The most probable label's id (0 for regression).
        public var label: Int
        /// Word pieces cut by truncation.
        public var truncatedTokens: Int
    }

    public init(tokenizer: any TextTokenizer, model: SequenceClassifier, maxLength: Int? = nil) {
        self.tokenizer = tokenizer
        self.model = model
        self.maxLength = min(maxLength ?? model.config.maxSequenceLength, model.config.maxSequenceLength)
    }

    /// Loads a model folder's tokenizer and weights (`labels` as in `ModelCheckpoint`); texts are cut
    /// where the folder's tokenizer cuts them (`model_max_length`), within the model's positions.
    public convenience init(folder: String, labels: [String]? = nil, seed: UInt64 = 42) throws(ModelError) {
        let checkpoint = try ModelCheckpoint(folder: folder, labels: labels, seed: seed)
        self.init(tokenizer: try ModelTokenizer.load(folder: folder), model: SequenceClassifier(parameters: checkpoint.parameters),
                  maxLength: ModelTokenizer.defaultMaxLength(folder: folder, positions: checkpoint.parameters.config.maxSequenceLength))
    }

    /// Classifies `texts` (a text with a second text in `pairs` as a sentence pair, cut by `truncation`), `batchSize` at a time,
    /// the matrix products in `precision`.
    public func classify(_ texts: [String], pairs: [String?]? = nil, truncation: TruncationStrategy = .longestFirst,
                         batchSize: Int = 32, precision: MatrixPrecision = .float32) throws(ModelError) -> [Prediction] {
        precondition(pairs == nil || pairs?.count == texts.count, "one second text per text")
        var predictions: [Prediction] = []
        predictions.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            var encodings: [Encoding] = []
            for index in start..<min(start + batchSize, texts.count) {
                guard let pair = pairs?[index] ?? nil else {
                    encodings.append(tokenizer.encode(texts[index], maxLength: maxLength))
                    continue
                }
                do {
                    encodings.append(try tokenizer.encode(texts[index], pair: pair, maxLength: maxLength, strategy: truncation))
                } catch {
                    throw ModelError("Text \(index + 1): \(error.message)", file: "tokenizer", hint: "Use `truncation: longest_first`, or a larger `max_length`.")
                }
            }
            let output = try model.forward(TokenBatch(encodings.map(\.ids), typeIDs: encodings.map(\.typeIDs)), precision: precision)
            let labels = model.config.numLabels
            for (index, encoding) in encodings.enumerated() {
                let logits = Array(output.logits[(index * labels)..<((index + 1) * labels)])
                let probabilities = [Float](unsafeUninitializedCapacity: labels) { buffer, count in
                    HeadLoss.activate(logits, outputs: labels, as: model.config.problemType, into: buffer.baseAddress!)
                    count = labels
                }
                let best = ClassificationMetrics.predictions(logits: logits, labelCount: labels)[0]
                predictions.append(Prediction(logits: logits, probabilities: probabilities, label: best, truncatedTokens: encoding.truncatedTokens))
            }
            start += batchSize
        }
        return predictions
    }
}
