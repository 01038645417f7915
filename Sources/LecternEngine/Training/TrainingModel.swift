import Foundation

/// A sequence classifier of any `ModelFamily` in training mode: a forward pass that keeps every activation
/// the backward pass needs, the cross-entropy loss, and the backward pass, which reads top to
/// bottom as the forward pass reversed (llm.c's structure). Gradients accumulate into
/// `gradients`, laid out exactly as `parameters.storage`.
public final class TrainingModel: @unchecked Sendable {
    public let parameters: ModelParameters
    /// ∂loss/∂parameter, same offsets as `parameters`.
    public let gradients: UnsafeMutableBufferPointer<Float>
    public var config: ModelConfig { parameters.config }
    /// Dropout probabilities in training mode (`hidden`, `attention`, `classifier`); zero turns dropout off.
    public var dropout: DropoutRates
    /// The matrix products' precision, fixed for the model's life (`MatrixPrecision.forRequest` says what the CPU allows).
    public let precision: MatrixPrecision
    /// `label_smoothing_factor`: the loss and its gradient as transformers' `LabelSmoother` computes them.
    public let labelSmoothing: Double

    private let activations = Activations(layout: .training)
    private var batch = TokenBatch([])
    private var targets: [Target] = []
    private var generator: DropoutGenerator

    public init(parameters: ModelParameters, dropout: DropoutRates? = nil, seed: UInt64 = 42, precision: MatrixPrecision = .float32,
                labelSmoothing: Double = 0) {
        self.parameters = parameters
        self.precision = precision
        self.labelSmoothing = labelSmoothing
        self.dropout = dropout ?? DropoutRates(config: parameters.config)
        gradients = ZeroedFloats.allocate(parameters.count)
        generator = DropoutGenerator(seed: seed)
    }

    deinit { ZeroedFloats.free(gradients) }

    /// Sets every gradient to zero; of the word-embedding table, only the rows the last batches touched.
    public func zeroGradients() {
        let values = gradients.baseAddress!, table = wordEmbeddingTable
        let ranges = [0..<table.lowerBound, table.upperBound..<gradients.count] + sparseRows.ranges
        parallelParts(of: ranges) { _, range in (values + range.lowerBound).update(repeating: 0, count: range.count) }
        touchedWords = []
    }

    /// The word-embedding rows with a gradient since the last `zeroGradients()` (the batches' token ids);
    /// the rest of that table's gradient is zero.
    public var sparseRows: SparseRows { SparseRows(table: wordEmbeddingTable, width: config.hiddenSize, rows: touchedWords) }

    private var touchedWords: [Int] = []
    private var wordEmbeddingTable: Range<Int> {
        parameters.wordEmbeddings..<(parameters.wordEmbeddings + config.vocabSize * config.hiddenSize)
    }

    /// Restarts the dropout stream (so that a step can be repeated exactly, e.g. after resuming).
    public func reseedDropout(_ seed: UInt64) {
        generator = DropoutGenerator(seed: seed)
    }

    /// Forward pass in training mode for a single-label classification batch: `forward(_:targets:)` with class ids.
    public func forward(_ batch: TokenBatch, labels: [Int]) throws(ModelError) -> (loss: Float, logits: [Float]) {
        try forward(batch, targets: labels.map(Target.label))
    }

    /// Forward pass in training mode (`forwardPass`, keeping what `backward` reads); returns the batch's
    /// mean loss (by the targets' problem type: `HeadLoss`) and the logits.
    public func forward(_ batch: TokenBatch, targets: [Target]) throws(ModelError) -> (loss: Float, logits: [Float]) {
        try config.check(batch)
        guard targets.count == batch.count, Target.fit(targets, outputs: config.numLabels) else {
            throw ModelError("The labels do not fit the model's \(config.numLabels) outputs.", file: "config.json")
        }
        self.batch = batch
        self.targets = targets
        let loss = forwardPass(batch, targets: targets, parameters: parameters, activations: activations, dropout: dropout, generator: &generator,
                               precision: precision, labelSmoothing: labelSmoothing)!
        return (Float(loss), Array(UnsafeBufferPointer(start: activations.head.logits, count: batch.count * config.numLabels)))
    }

    /// Backward pass of the last `forward`: adds ∂loss/∂parameters to `gradients`, the forward pass reversed.
    public func backward() {
        let p = parameters, a = activations, g = gradients.baseAddress!, scratch: Activations.Gradients = a.gradients, hiddenGradient = scratch.hidden
        let h = config.hiddenSize, n = batch.tokenCount
        ClassificationHead.backward(hiddenGradient: hiddenGradient, batch: batch, targets: targets, parameters: p, gradients: g, saved: a.head,
                                    scratch: a.gradients, dropout: dropout.head(config.family), precision: precision, smoothing: labelSmoothing)
        for index in stride(from: config.numHiddenLayers - 1, through: 0, by: -1) {
            encoderLayerBackward(hiddenGradient: hiddenGradient, input: a.hidden[index], layer: p.layers[index], parameters: p, gradients: g,
                                 saved: a.layers[index], scratch: a.gradients, dropout: dropout.layer(config.family), batch: batch, precision: precision)
        }
        // Embeddings: dropout, LayerNorm, then the tables.
        let e: Activations.Embeddings = a.embeddings, sumGradient = scratch.sum
        if dropout.hidden > 0 { applyMask(hiddenGradient, DropoutMask(e.mask, probability: dropout.hidden), count: n * h) }
        layerNormBackward(inputGradient: sumGradient, weightGradient: g + p.embeddingNormWeight, biasGradient: g + p.embeddingNormBias,
                          outputGradient: hiddenGradient, input: e.sum, weight: p.pointer(p.embeddingNormWeight),
                          mean: e.mean, rstd: e.rstd, rows: n, width: h)
        embeddingBackward(gradients: g, outputGradient: sumGradient, batch: batch, positions: a.positions, parameters: p)
        touchedWords = Set(touchedWords).union(batch.ids.map(Int.init)).sorted()
    }
}
