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
        public var probabilities: [Float]
        /// The most probable label's id.
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
                  maxLength: ModelTokenizer.modelMaxLength(folder: folder))
    }

    /// Classifies `texts`, `batchSize` at a time.
    public func classify(_ texts: [String], batchSize: Int = 32) throws(ModelError) -> [Prediction] {
        var predictions: [Prediction] = []
        predictions.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let encodings = texts[start..<min(start + batchSize, texts.count)].map { tokenizer.encode($0, maxLength: maxLength) }
            let output = try model.forward(TokenBatch(encodings.map(\.ids)))
            let labels = model.config.numLabels
            for (index, encoding) in encodings.enumerated() {
                let logits = Array(output.logits[(index * labels)..<((index + 1) * labels)])
                let probabilities = softmax(logits)
                let best = ClassificationMetrics.predictions(logits: logits, labelCount: labels)[0]
                predictions.append(Prediction(logits: logits, probabilities: probabilities, label: best, truncatedTokens: encoding.truncatedTokens))
            }
            start += batchSize
        }
        return predictions
    }
}

/// Softmax of a short vector, in Double for the sum.
func softmax(_ logits: [Float]) -> [Float] {
    let largest = logits.max() ?? 0
    let exponentials = logits.map { Foundation.exp(Double($0 - largest)) }
    let sum = exponentials.reduce(0, +)
    return exponentials.map { Float($0 / sum) }
}
