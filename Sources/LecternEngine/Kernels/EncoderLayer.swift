/// Where one encoder layer's forward pass reads and writes. Inference passes the same scratch
/// buffers for every layer; training passes each layer its own, kept for the backward pass.
struct EncoderLayerBuffers {
    var qkv, context, probabilities, attentionProjection, attentionSum, attentionNorm, attentionMean, attentionRstd: UnsafeMutablePointer<Float>
    /// The feed-forward input to the activation, and its output (the same buffer in inference).
    var intermediatePre, intermediate: UnsafeMutablePointer<Float>
    var outputProjection, outputSum, outputMean, outputRstd: UnsafeMutablePointer<Float>
    /// Training only: dropout masks (already filled) for attention maps, attention output and feed-forward output,
    /// and room for the masked attention maps.
    var dropout: (attention: DropoutMask?, droppedProbabilities: UnsafeMutablePointer<Float>, attentionOutput: DropoutMask?,
                  output: DropoutMask?)?
}

/// One encoder layer's four dense weights packed for bfloat16 products (inference packs them once).
struct EncoderLayerPackedWeights {
    let qkv, attentionOutput, intermediate, output: BFloat16PackedWeight

    init(_ layer: ModelParameters.Layer, parameters p: ModelParameters) {
        let h = p.config.hiddenSize, i = p.config.intermediateSize
        qkv = BFloat16PackedWeight(p.pointer(layer.qkvWeight), outFeatures: 3 * h, inFeatures: h)
        attentionOutput = BFloat16PackedWeight(p.pointer(layer.attentionOutputWeight), outFeatures: h, inFeatures: h)
        intermediate = BFloat16PackedWeight(p.pointer(layer.intermediateWeight), outFeatures: i, inFeatures: h)
        output = BFloat16PackedWeight(p.pointer(layer.outputWeight), outFeatures: h, inFeatures: i)
    }
}

/// One encoder layer (BERT's, which DistilBERT's equals): fused QKV projection, attention per sequence and head, output
/// projection, residual and LayerNorm; feed-forward with the activation, residual and LayerNorm.
/// The matrix products use OpenBLAS's threads; the passes between them are shared out between
/// the cores by rows (each row computed as on one core, so the split changes no value).
func encoderLayerForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, layer: ModelParameters.Layer,
                         parameters p: ModelParameters, buffers s: EncoderLayerBuffers, batch: TokenBatch, precision: MatrixPrecision,
                         packed: EncoderLayerPackedWeights? = nil) {
    let config = p.config
    let h = config.hiddenSize, n = batch.tokenCount, i = config.intermediateSize
    precision.linear(input: input, rows: n, inFeatures: h, weight: p.pointer(layer.qkvWeight), bias: p.pointer(layer.qkvBias),
                     outFeatures: 3 * h, output: s.qkv, packed: packed?.qkv)
    let attentionDropout = s.dropout.flatMap { dropout in dropout.attention.map { (mask: $0, dropped: dropout.droppedProbabilities) } }
    attentionForward(context: s.context, probabilities: s.probabilities, qkv: s.qkv, sequenceStarts: batch.sequenceStarts,
                     heads: config.numAttentionHeads, hidden: h, dropout: attentionDropout, precision: precision)
    // Each product's following pass (residual and LayerNorm, the activation) goes with it as `then`:
    // in bfloat16 the kernel runs it on rows just computed.
    precision.linear(input: s.context, rows: n, inFeatures: h, weight: p.pointer(layer.attentionOutputWeight),
                     bias: p.pointer(layer.attentionOutputBias), outFeatures: h, output: s.attentionProjection, packed: packed?.attentionOutput) { rows in
        residualLayerNorm(rows, projection: s.attentionProjection, mask: s.dropout?.attentionOutput,
                          residual: input, sum: s.attentionSum, output: s.attentionNorm, mean: s.attentionMean, rstd: s.attentionRstd,
                          weight: p.pointer(layer.attentionNormWeight), normBias: p.pointer(layer.attentionNormBias), width: h, epsilon: config.layerNormEps)
    }
    precision.linear(input: s.attentionNorm, rows: n, inFeatures: h, weight: p.pointer(layer.intermediateWeight),
                     bias: p.pointer(layer.intermediateBias), outFeatures: i, output: s.intermediatePre, packed: packed?.intermediate) { rows in
        let offset = rows.lowerBound * i
        activationForward(s.intermediatePre + offset, output: s.intermediate + offset, count: rows.count * i, kind: config.hiddenAct)
    }
    precision.linear(input: s.intermediate, rows: n, inFeatures: i, weight: p.pointer(layer.outputWeight),
                     bias: p.pointer(layer.outputBias), outFeatures: h, output: s.outputProjection, packed: packed?.output) { rows in
        residualLayerNorm(rows, projection: s.outputProjection, mask: s.dropout?.output,
                          residual: s.attentionNorm, sum: s.outputSum, output: output, mean: s.outputMean, rstd: s.outputRstd,
                          weight: p.pointer(layer.outputNormWeight), normBias: p.pointer(layer.outputNormBias), width: h, epsilon: config.layerNormEps)
    }
}

/// Rows per core below which a pass between matrix products stays on one core.
let rowsPerPart = 32

/// For `rows`: projection × dropout mask, sum = projection + residual, output = LayerNorm(sum).
private func residualLayerNorm(_ rows: Range<Int>, projection: UnsafeMutablePointer<Float>, mask: DropoutMask?,
                               residual: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                               mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                               normBias: UnsafePointer<Float>, width: Int, epsilon: Float) {
    let offset = rows.lowerBound * width, count = rows.count * width
    if let mask { applyMask(projection + offset, mask.advanced(by: offset), count: count) }
    add(sum + offset, projection + offset, residual + offset, count: count)
    layerNormForward(output: output + offset, mean: mean + rows.lowerBound, rstd: rstd + rows.lowerBound, input: sum + offset,
                     weight: weight, bias: normBias, rows: rows.count, width: width, epsilon: epsilon)
}

/// The dropout probability of each of a layer's masks (nil: none there), so that its backward pass
/// applies again the masks its forward pass applied.
struct EncoderLayerDropout {
    var attention: Float?
    var attentionOutput: Float?
    var output: Float?

    var isOff: Bool { attention == nil && attentionOutput == nil && output == nil }
}

/// The backward pass of `encoderLayerForward`, read bottom to top: output LayerNorm, feed-forward
/// block, attention LayerNorm, output projection, attention, fused QKV projection. On entry
/// `hiddenGradient` holds ∂loss/∂output; on return ∂loss/∂input. Parameter gradients are added
/// into `g` (laid out as `parameters.storage`).
func encoderLayerBackward(hiddenGradient: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, layer: ModelParameters.Layer,
                          parameters p: ModelParameters, gradients g: UnsafeMutablePointer<Float>, saved s: Activations.Layer,
                          scratch: Activations.Gradients, dropout: EncoderLayerDropout, batch: TokenBatch, precision: MatrixPrecision) {
    let config = p.config, h = config.hiddenSize, n = batch.tokenCount, i = config.intermediateSize
    let masks = s.masks(dropout)
    // Output LayerNorm → residual sum, which feeds the attention LayerNorm's output (the residual path)
    // and the output projection (after dropout).
    let normGradient = scratch.norm
    let outputMasked = masks.output.map { (mask: $0, gradient: scratch.sum) }
    layerNormBackward(inputGradient: normGradient, masked: outputMasked, weightGradient: g + layer.outputNormWeight,
                      biasGradient: g + layer.outputNormBias, outputGradient: hiddenGradient, input: s.outputSum,
                      weight: p.pointer(layer.outputNormWeight), mean: s.outputMean, rstd: s.outputRstd, rows: n, width: h)
    let projectionGradient = outputMasked?.gradient ?? normGradient
    // The activation's output is not kept per layer: made again here from its saved input, split by rows as
    // the forward pass split it (so every value is computed as it was there), with its derivative in place
    // of the input.
    let activation = config.hiddenAct
    parallelParts(n, minimumPart: rowsPerPart) { rows in
        activationOutputAndDerivative(s.intermediatePre + rows.lowerBound * i, output: s.intermediate + rows.lowerBound * i,
                                      count: rows.count * i, kind: activation)
    }
    precision.linearBackward(outputGradient: projectionGradient, input: s.intermediate, weight: p.pointer(layer.outputWeight), rows: n, inFeatures: i,
                             outFeatures: h, weightGradient: g + layer.outputWeight, biasGradient: g + layer.outputBias, inputGradient: scratch.intermediate)
    // The activation's backward pass and its bias's in one pass over the gradient.
    let intermediateGradient = scratch.intermediate
    biasBackward(g + layer.intermediateBias, intermediateGradient, rows: n, columns: i, derivative: (UnsafePointer(s.intermediatePre), activation))
    precision.linearBackward(outputGradient: intermediateGradient, input: s.attentionNorm, weight: p.pointer(layer.intermediateWeight), rows: n,
                             inFeatures: h, outFeatures: i, weightGradient: g + layer.intermediateWeight, biasGradient: nil,
                             inputGradient: normGradient, accumulateInput: true)

    // Attention LayerNorm → residual sum (input + attention projection): the residual path carries the
    // gradient to this layer's input, and the output projection gets it after dropout.
    let attentionMasked = masks.attentionOutput.map { (mask: $0, gradient: scratch.sum) }
    layerNormBackward(inputGradient: hiddenGradient, masked: attentionMasked, weightGradient: g + layer.attentionNormWeight,
                      biasGradient: g + layer.attentionNormBias, outputGradient: normGradient, input: s.attentionSum,
                      weight: p.pointer(layer.attentionNormWeight), mean: s.attentionMean, rstd: s.attentionRstd, rows: n, width: h)
    precision.linearBackward(outputGradient: attentionMasked?.gradient ?? hiddenGradient, input: s.context, weight: p.pointer(layer.attentionOutputWeight),
                             rows: n, inFeatures: h, outFeatures: h, weightGradient: g + layer.attentionOutputWeight,
                             biasGradient: g + layer.attentionOutputBias, inputGradient: scratch.context)
    attentionBackward(qkvGradient: scratch.qkv, scratch: scratch.scores, contextGradient: scratch.context,
                      probabilities: s.probabilities, qkv: s.qkv, sequenceStarts: batch.sequenceStarts, heads: config.numAttentionHeads, hidden: h,
                      dropout: masks.attention.map { ($0, s.droppedProbabilities) },
                      precision: precision)
    precision.linearBackward(outputGradient: scratch.qkv, input: input, weight: p.pointer(layer.qkvWeight), rows: n, inFeatures: h, outFeatures: 3 * h,
                             weightGradient: g + layer.qkvWeight, biasGradient: g + layer.qkvBias, inputGradient: hiddenGradient, accumulateInput: true)
}
