/// Where the forward pass writes (llm.c's `ActivationTensors`): one allocation of floats and one of
/// dropout masks' bytes, carved into named buffers, grown to the largest batch seen and reused.
/// In the `training` layout every layer keeps what the backward pass needs, with the backward
/// pass's scratch; in the `inference` layout every layer writes into the same buffers and nothing
/// is kept (evaluation and prediction allocate one layer's worth).
final class Activations {
    enum Layout { case training, inference }
    /// One encoder layer's saved activations and dropout masks (its projections in a buffer all layers share).
    struct Layer {
        var qkv, context, attentionProjection, attentionSum, attentionNorm, attentionMean, attentionRstd: UnsafeMutablePointer<Float>
        var intermediatePre, intermediate, outputProjection, outputSum, outputMean, outputRstd: UnsafeMutablePointer<Float>
        var probabilities, droppedProbabilities: UnsafeMutablePointer<Float>
        var attentionMask, attentionOutputMask, outputMask: UnsafeMutablePointer<UInt8>

        /// The masks `dropout` applies in this layer (nil where it applies none), as the forward pass filled them.
        func masks(_ dropout: EncoderLayerDropout) -> (attention: DropoutMask?, attentionOutput: DropoutMask?, output: DropoutMask?) {
            (dropout.attention.map { DropoutMask(attentionMask, probability: $0) },
             dropout.attentionOutput.map { DropoutMask(attentionOutputMask, probability: $0) },
             dropout.output.map { DropoutMask(outputMask, probability: $0) })
        }

        /// Where the layer's forward pass writes, with the masks it applies.
        func buffers(_ dropout: EncoderLayerDropout) -> EncoderLayerBuffers {
            let masks = masks(dropout)
            let dropout = dropout.isOff ? nil
                : (attention: masks.attention, droppedProbabilities: droppedProbabilities, attentionOutput: masks.attentionOutput, output: masks.output)
            return EncoderLayerBuffers(qkv: qkv, context: context, probabilities: probabilities, attentionProjection: attentionProjection,
                                       attentionSum: attentionSum, attentionNorm: attentionNorm, attentionMean: attentionMean,
                                       attentionRstd: attentionRstd, intermediatePre: intermediatePre, intermediate: intermediate,
                                       outputProjection: outputProjection, outputSum: outputSum, outputMean: outputMean,
                                       outputRstd: outputRstd, dropout: dropout)
        }
    }

    /// The embeddings' sum, its LayerNorm statistics and dropout mask.
    struct Embeddings {
        var sum, mean, rstd: UnsafeMutablePointer<Float>
        var mask: UnsafeMutablePointer<UInt8>
    }

    /// The head's activations, per sequence: the first token's hidden state (after the head's input
    /// dropout, if any), the dense layer's activated output, the same after dropout, the logits and
    /// their softmax, and the masks.
    struct Head {
        var firstToken, dense, denseDropped, logits, probabilities: UnsafeMutablePointer<Float>
        var denseMask, inputMask: UnsafeMutablePointer<UInt8>
    }

    /// The backward pass's gradients, shared by every layer (the pass runs one layer at a time).
    struct Gradients {
        var logits, dense, firstToken, hidden, sum, norm, intermediate, context, qkv, scores: UnsafeMutablePointer<Float>
    }

    let layout: Layout
    private var storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
    private var maskStorage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 0)
    private var shape: [Int] = []
    private(set) var layers: [Layer] = []
    /// The input of layer 0 (the embeddings' output), then each layer's output.
    private(set) var hidden: [UnsafeMutablePointer<Float>] = []
    private(set) var embeddings: Embeddings!
    private(set) var head: Head!
    /// The backward pass's scratch (training layout only).
    private(set) var gradients: Gradients!
    /// The batch's rows of the position table, from the forward pass, for the backward pass.
    var positions: [Int] = []

    init(layout: Layout) { self.layout = layout }

    /// Lays out every buffer in one allocation, grown (never shrunk) when a batch needs more room.
    func reserve(tokens n: Int, hidden h: Int, intermediate i: Int, layers count: Int, attention area: Int, sequences b: Int, labels l: Int) {
        let fixed = [h, i, count, l], variable = [n, area, b]
        if shape.count == 7, Array(shape[3...]) == fixed, zip(shape[..<3], variable).allSatisfy({ $0 >= $1 }) { return }
        let sameModel = shape.count == 7 && Array(shape[3...]) == fixed
        let grown = sameModel ? zip(shape[..<3], variable).map { max($0, $1) } : variable
        let (tokens, attention, sequences) = (grown[0], grown[1], grown[2])
        switch layout {
        case .training: carveTraining(tokens: tokens, hidden: h, intermediate: i, layers: count, attention: attention, sequences: sequences, labels: l)
        case .inference: carveInference(tokens: tokens, hidden: h, intermediate: i, layers: count, attention: attention, sequences: sequences, labels: l)
        }
        shape = grown + fixed
    }

    private func carveTraining(tokens: Int, hidden h: Int, intermediate i: Int, layers count: Int, attention: Int, sequences: Int, labels l: Int) {
        // Sizes first, in the order the buffers are carved; then one allocation.
        let layerSizes = [tokens * 3 * h, tokens * h, tokens * h, tokens * h, tokens, tokens,
                          tokens * i, tokens * h, tokens, tokens, attention]
        let layerMaskSizes = [attention, tokens * h, tokens * h]
        // The dense projections before dropout and the residual are not read by the backward pass, and the
        // attention maps after dropout and the feed-forward activation's output are made again there (from
        // the maps and masks, and from its input): every layer writes them into one shared buffer each.
        let total = count * layerSizes.reduce(0, +) + tokens * h + attention + tokens * i + (count + 1) * tokens * h
            + [tokens * h, tokens, tokens].reduce(0, +)
            + [sequences * h, sequences * h, sequences * h, sequences * l, sequences * l].reduce(0, +)
            + [sequences * l, sequences * h, sequences * h, tokens * h, tokens * h, tokens * h, tokens * i, tokens * h, tokens * 3 * h, attention].reduce(0, +)
        let maskTotal = count * layerMaskSizes.reduce(0, +) + tokens * h + 2 * sequences * h
        let (carve, carveMask) = allocate(floats: total, masks: maskTotal)
        let projection = carve(tokens * h), droppedProbabilities = carve(attention), intermediate = carve(tokens * i)
        layers = (0..<count).map { _ in
            Layer(qkv: carve(tokens * 3 * h), context: carve(tokens * h), attentionProjection: projection, attentionSum: carve(tokens * h),
                  attentionNorm: carve(tokens * h), attentionMean: carve(tokens), attentionRstd: carve(tokens),
                  intermediatePre: carve(tokens * i), intermediate: intermediate, outputProjection: projection, outputSum: carve(tokens * h),
                  outputMean: carve(tokens), outputRstd: carve(tokens),
                  probabilities: carve(attention), droppedProbabilities: droppedProbabilities, attentionMask: carveMask(attention),
                  attentionOutputMask: carveMask(tokens * h), outputMask: carveMask(tokens * h))
        }
        hidden = (0...count).map { _ in carve(tokens * h) }
        embeddings = Embeddings(sum: carve(tokens * h), mean: carve(tokens), rstd: carve(tokens), mask: carveMask(tokens * h))
        let firstToken = carve(sequences * h), dense = carve(sequences * h), denseDropped = carve(sequences * h), denseMask = carveMask(sequences * h)
        let logits = carve(sequences * l), probabilities = carve(sequences * l)
        gradients = Gradients(logits: carve(sequences * l), dense: carve(sequences * h), firstToken: carve(sequences * h),
                              hidden: carve(tokens * h), sum: carve(tokens * h), norm: carve(tokens * h), intermediate: carve(tokens * i),
                              context: carve(tokens * h), qkv: carve(tokens * 3 * h), scores: carve(attention))
        head = Head(firstToken: firstToken, dense: dense, denseDropped: denseDropped, logits: logits, probabilities: probabilities,
                    denseMask: denseMask, inputMask: carveMask(sequences * h))
        precondition(carve(0) == storage.baseAddress! + total && carveMask(0) == maskStorage.baseAddress! + maskTotal)
    }

    /// One layer's buffers, which every layer reuses: the embeddings' sum, both residual sums and both
    /// projections share one buffer each, the feed-forward activation runs in place, no masks.
    private func carveInference(tokens: Int, hidden h: Int, intermediate i: Int, layers count: Int, attention: Int, sequences: Int, labels l: Int) {
        let total = [tokens * 3 * h, tokens * h, attention, tokens * h, tokens * h, tokens * h, tokens, tokens, tokens * i, tokens * h].reduce(0, +)
            + [sequences * h, sequences * h, sequences * h, sequences * l, sequences * l].reduce(0, +)
        let (carve, carveMask) = allocate(floats: total, masks: 0)
        let qkv = carve(tokens * 3 * h), context = carve(tokens * h), probabilities = carve(attention), projection = carve(tokens * h)
        let sum = carve(tokens * h), norm = carve(tokens * h), mean = carve(tokens), rstd = carve(tokens), intermediate = carve(tokens * i)
        let noMask = carveMask(0)
        let layer = Layer(qkv: qkv, context: context, attentionProjection: projection, attentionSum: sum, attentionNorm: norm, attentionMean: mean,
                          attentionRstd: rstd, intermediatePre: intermediate, intermediate: intermediate, outputProjection: projection, outputSum: sum,
                          outputMean: mean, outputRstd: rstd, probabilities: probabilities, droppedProbabilities: probabilities,
                          attentionMask: noMask, attentionOutputMask: noMask, outputMask: noMask)
        layers = Array(repeating: layer, count: count)
        hidden = Array(repeating: carve(tokens * h), count: count + 1)
        embeddings = Embeddings(sum: sum, mean: mean, rstd: rstd, mask: noMask)
        head = Head(firstToken: carve(sequences * h), dense: carve(sequences * h), denseDropped: carve(sequences * h), logits: carve(sequences * l),
                    probabilities: carve(sequences * l), denseMask: noMask, inputMask: noMask)
        gradients = nil
        precondition(carve(0) == storage.baseAddress! + total)
    }

    /// Replaces the storage with `floats` and `masks` zeroed values; returns functions that hand out consecutive buffers of them.
    private func allocate(floats: Int, masks: Int) -> (floats: (Int) -> UnsafeMutablePointer<Float>, masks: (Int) -> UnsafeMutablePointer<UInt8>) {
        storage.deallocate()
        storage = .allocate(capacity: max(floats, 1))
        storage.initialize(repeating: 0)
        maskStorage.deallocate()
        maskStorage = .allocate(capacity: max(masks, 1))
        maskStorage.initialize(repeating: 0)
        var next = storage.baseAddress!, nextMask = maskStorage.baseAddress!
        return ({ size in defer { next += size }; return next }, { size in defer { nextMask += size }; return nextMask })
    }

    deinit {
        storage.deallocate()
        maskStorage.deallocate()
    }
}
