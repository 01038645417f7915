import Foundation

/// An encoder with a sequence-classification head (`BertForSequenceClassification`,
/// `DistilBertForSequenceClassification`: `config.family` says which), evaluated on the CPU: matrix products through OpenBLAS over all tokens of a batch at once, attention per
/// sequence at its real length. It only reads its parameters: in bfloat16 it packs each weight
/// once, at the first forward pass, and keeps the packed copy (a changed weight needs a new classifier).
public final class SequenceClassifier: @unchecked Sendable {
    public let parameters: ModelParameters
    public var config: ModelConfig { parameters.config }
    private var workspace = Workspace()
    /// The dense weights packed for bfloat16 products: each encoder layer's, then the head's and the classifier's.
    private lazy var packed: (layers: [EncoderLayerPackedWeights], headDense: BFloat16PackedWeight, classifier: BFloat16PackedWeight) = {
        let p = parameters, h = config.hiddenSize
        return (p.layers.map { EncoderLayerPackedWeights($0, parameters: p) },
                BFloat16PackedWeight(p.pointer(p.headDenseWeight), outFeatures: h, inFeatures: h),
                BFloat16PackedWeight(p.pointer(p.classifierWeight), outFeatures: config.numLabels, inFeatures: h))
    }()

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

    /// Evaluation-mode forward pass (dropout off), its matrix products in `precision` (a value the
    /// caller decided with `MatrixPrecision.forRequest`). Sequences longer than the model's
    /// `max_position_embeddings`, or ids outside its vocabulary, are an error.
    public func forward(_ batch: TokenBatch, precision: MatrixPrecision = .float32) throws(ModelError) -> Output {
        let config = self.config
        if batch.longest > config.maxSequenceLength {
            throw ModelError("A sequence of \(batch.longest) tokens is longer than the model's \(config.maxSequenceLength) positions.",
                             file: "config.json", hint: "Truncate the text (truncation: true, max_length: \(config.maxSequenceLength)).")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError("The token id \(bad) is outside the model's vocabulary of \(config.vocabSize).", file: "config.json",
                             hint: "The tokenizer and the model do not belong together.")
        }
        try config.checkTokenTypes(batch)
        let h = config.hiddenSize, n = batch.tokenCount, heads = config.numAttentionHeads
        workspace.reserve(tokens: n, hidden: h, intermediate: config.intermediateSize, attention: heads * batch.attentionArea)
        let p = parameters
        let w = workspace
        let packed = precision == .bfloat16 ? self.packed : nil

        embeddingForward(output: w.sum, batch: batch, positions: positionRows(batch, config: config), parameters: p)
        layerNormForward(output: w.hidden, mean: w.mean, rstd: w.rstd, input: w.sum, weight: p.pointer(p.embeddingNormWeight),
                         bias: p.pointer(p.embeddingNormBias), rows: n, width: h, epsilon: config.layerNormEps)
        // Every layer reuses the same scratch buffers: nothing is kept for a backward pass.
        let scratch = EncoderLayerBuffers(qkv: w.qkv, context: w.context, probabilities: w.attention, attentionProjection: w.projection,
                                          attentionSum: w.sum, attentionNorm: w.norm, attentionMean: w.mean, attentionRstd: w.rstd,
                                          intermediatePre: w.intermediate, intermediate: w.intermediate, outputProjection: w.projection,
                                          outputSum: w.sum, outputMean: w.mean, outputRstd: w.rstd, dropout: nil)
        for (index, layer) in p.layers.enumerated() {
            encoderLayerForward(output: w.hidden, input: w.hidden, layer: layer, parameters: p, buffers: scratch, batch: batch, precision: precision,
                                packed: packed?.layers[index])
        }

        // The head's dense layer and activation on each sequence's first token ([CLS]), then the classifier.
        let sequences = batch.count, labels = config.numLabels
        var pooled = [Float](repeating: 0, count: sequences * h)
        var logits = [Float](repeating: 0, count: sequences * labels)
        var firstTokens = [Float](repeating: 0, count: sequences * h)
        firstTokens.withUnsafeMutableBufferPointer { ClassificationHead.firstTokens(of: w.hidden, batch: batch, width: h, into: $0.baseAddress!) }
        pooled.withUnsafeMutableBufferPointer { pooled in
            ClassificationHead.dense(firstTokens, sequences: sequences, parameters: p, precision: precision, packed: packed?.headDense,
                                     output: pooled.baseAddress!)
            logits.withUnsafeMutableBufferPointer { logits in
                ClassificationHead.classify(pooled.baseAddress!, sequences: sequences, parameters: p, precision: precision, packed: packed?.classifier,
                                            logits: logits.baseAddress!)
            }
        }
        return Output(pooled: pooled, logits: logits)
    }

    /// Buffers for one forward pass, grown to the largest batch seen and reused.
    final class Workspace {
        private(set) var sum = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var projection = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var context = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var norm = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var qkv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var intermediate = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var attention = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var mean = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private(set) var rstd = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private var tokens = 0, attentionCapacity = 0

        func reserve(tokens needed: Int, hidden h: Int, intermediate i: Int, attention area: Int) {
            if needed > tokens {
                for pointer in [sum, hidden, projection, context, norm, qkv, intermediate, mean, rstd] { pointer.deallocate() }
                sum = .allocate(capacity: needed * h)
                hidden = .allocate(capacity: needed * h)
                projection = .allocate(capacity: needed * h)
                context = .allocate(capacity: needed * h)
                norm = .allocate(capacity: needed * h)
                qkv = .allocate(capacity: needed * 3 * h)
                intermediate = .allocate(capacity: needed * i)
                mean = .allocate(capacity: needed)
                rstd = .allocate(capacity: needed)
                tokens = needed
            }
            if area > attentionCapacity {
                attention.deallocate()
                attention = .allocate(capacity: area)
                attentionCapacity = area
            }
        }

        deinit {
            for pointer in [sum, hidden, projection, context, norm, qkv, intermediate, attention, mean, rstd] { pointer.deallocate() }
        }
    }
}
