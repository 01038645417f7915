import Foundation

/// An encoder with a sequence-classification head (`BertForSequenceClassification`,
/// `DistilBertForSequenceClassification`: `config.family` says which), evaluated on the CPU: matrix products through OpenBLAS over all tokens of a batch at once, attention per
/// sequence at its real length. It only reads its parameters: in bfloat16 it packs each weight
/// once, at the first forward pass, and keeps the packed copy (a changed weight needs a new classifier).
public final class SequenceClassifier: @unchecked Sendable {
    public let parameters: ModelParameters
    public var config: ModelConfig { parameters.config }
    /// One layer's buffers, which every layer reuses.
    private let activations = Activations(layout: .inference)
    /// Never drawn from: evaluation mode has no dropout.
    private var generator = DropoutGenerator(seed: 0)
    /// The dense weights packed for bfloat16 products, at the first bfloat16 forward pass.
    private lazy var packed = ClassifierPackedWeights(parameters)

    public init(parameters: ModelParameters) {
        self.parameters = parameters
    }

    /// What a forward pass returns, one row per sequence.
    public struct Output: Sendable {
        /// `[sequences, hidden]`: the head's dense layer on the first token, after its activation
        /// (BERT's pooler output, tanh(W · h[CLS] + b)).
        public var pooled: [Float]
        /// `[sequences, labels]`.
        public var logits: [Float]
    }

    /// Evaluation-mode forward pass (dropout off, `forwardPass` as training runs it), its matrix products in
    /// `precision` (a value the caller decided with `MatrixPrecision.forRequest`). Sequences longer than the
    /// model's `max_position_embeddings`, or ids outside its vocabulary, are an error.
    public func forward(_ batch: TokenBatch, precision: MatrixPrecision = .float32) throws(ModelError) -> Output {
        try forward(batch, headParts: nil, precision: precision)
    }

    /// `forward` over several batches at once, their outputs one after another: the encoder runs over all their
    /// tokens together (its products gain from the longer matrices, `JoinedBatches`), the head over each batch
    /// on its own. Where product rows are independent (`BLASKernels.rowsAreIndependent`, batches of 4 tokens or
    /// more), every batch's outputs are bit for bit those of a pass over it alone; the head's products, a few
    /// rows each, are not covered, which is why they keep the batches apart.
    public func forward(joining batches: [TokenBatch], precision: MatrixPrecision = .float32) throws(ModelError) -> Output {
        // A batch on its own (the usual group) is passed as it is, not copied.
        if batches.count == 1 { return try forward(batches[0], headParts: nil, precision: precision) }
        var parts: [Range<Int>] = [], first = 0
        for batch in batches {
            parts.append(first..<(first + batch.count))
            first += batch.count
        }
        return try forward(TokenBatch(joining: batches), headParts: parts, precision: precision)
    }

    private func forward(_ batch: TokenBatch, headParts: [Range<Int>]?, precision: MatrixPrecision) throws(ModelError) -> Output {
        try config.check(batch)
        _ = forwardPass(batch, targets: nil, parameters: parameters, activations: activations, dropout: .off, generator: &generator,
                        precision: precision, packed: precision == .bfloat16 ? packed : nil, headParts: headParts)
        let head = activations.head!, sequences = batch.count
        return Output(pooled: Array(UnsafeBufferPointer(start: head.dense, count: sequences * config.hiddenSize)),
                      logits: Array(UnsafeBufferPointer(start: head.logits, count: sequences * config.numLabels)))
    }
}
