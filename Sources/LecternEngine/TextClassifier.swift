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
        var encodings: [Encoding] = []
        encodings.reserveCapacity(texts.count)
        for index in texts.indices {
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
        let batches = stride(from: 0, to: encodings.count, by: batchSize).map { start in
            let rows = encodings[start..<min(start + batchSize, encodings.count)]
            return TokenBatch(rows.map(\.ids), typeIDs: rows.map(\.typeIDs))
        }
        let labels = model.config.numLabels
        var predictions: [Prediction] = []
        predictions.reserveCapacity(texts.count)
        for group in JoinedBatches.groups(batches, precision: precision, config: model.config) {
            let output = try model.forward(joining: Array(batches[group]), precision: precision)
            for (index, encoding) in encodings[(group.lowerBound * batchSize)..<min(group.upperBound * batchSize, encodings.count)].enumerated() {
                let logits = Array(output.logits[(index * labels)..<((index + 1) * labels)])
                let probabilities = [Float](unsafeUninitializedCapacity: labels) { buffer, count in
                    HeadLoss.activate(logits, outputs: labels, as: model.config.problemType, into: buffer.baseAddress!)
                    count = labels
                }
                let best = ClassificationMetrics.predictions(logits: logits, labelCount: labels)[0]
                predictions.append(Prediction(logits: logits, probabilities: probabilities, label: best, truncatedTokens: encoding.truncatedTokens))
            }
        }
        return predictions
    }
}
