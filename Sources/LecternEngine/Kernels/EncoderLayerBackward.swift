/// Which dropout masks a layer's forward pass applied, so that its backward pass applies them again.
struct EncoderLayerDropout {
    var attention: Bool
    var attentionOutput: Bool
    var output: Bool
}

/// The backward pass of `encoderLayerForward`, read bottom to top: output LayerNorm, feed-forward
/// block, attention LayerNorm, output projection, attention, fused QKV projection. On entry
/// `hiddenGradient` holds ∂loss/∂output; on return ∂loss/∂input. Parameter gradients are added
/// into `g` (laid out as `parameters.storage`).
func encoderLayerBackward(hiddenGradient: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, layer: ModelParameters.Layer,
                          parameters p: ModelParameters, gradients g: UnsafeMutablePointer<Float>, saved s: TrainingActivations.Layer,
                          scratch: TrainingActivations.Gradients, dropout: EncoderLayerDropout, batch: TokenBatch, precision: MatrixPrecision) {
    let config = p.config, h = config.hiddenSize, n = batch.tokenCount, i = config.intermediateSize
    // Output LayerNorm → residual sum.
    let sumGradient = scratch.sum
    sumGradient.update(repeating: 0, count: n * h)
    layerNormBackward(inputGradient: sumGradient, weightGradient: g + layer.outputNormWeight, biasGradient: g + layer.outputNormBias,
                      outputGradient: hiddenGradient, input: s.outputSum, weight: p.pointer(layer.outputNormWeight),
                      mean: s.outputMean, rstd: s.outputRstd, rows: n, width: h)
    // The sum feeds the attention LayerNorm output (residual) and the output projection (after dropout).
    let normGradient = scratch.norm
    normGradient.update(from: sumGradient, count: n * h)
    if dropout.output { applyMask(sumGradient, s.outputMask, count: n * h) }
    precision.linearBackward(outputGradient: sumGradient, input: s.intermediate, weight: p.pointer(layer.outputWeight), rows: n, inFeatures: i,
                             outFeatures: h, weightGradient: g + layer.outputWeight, biasGradient: g + layer.outputBias, inputGradient: scratch.intermediate)
    let intermediateGradient = scratch.intermediate, activation = config.hiddenAct
    parallelParts(n * i) { part in
        activationBackward(intermediateGradient + part.lowerBound, input: s.intermediatePre + part.lowerBound, count: part.count, kind: activation)
    }
    precision.linearBackward(outputGradient: intermediateGradient, input: s.attentionNorm, weight: p.pointer(layer.intermediateWeight), rows: n,
                             inFeatures: h, outFeatures: i, weightGradient: g + layer.intermediateWeight, biasGradient: g + layer.intermediateBias,
                             inputGradient: normGradient, accumulateInput: true)

    // Attention LayerNorm → residual sum (input + attention projection).
    sumGradient.update(repeating: 0, count: n * h)
    layerNormBackward(inputGradient: sumGradient, weightGradient: g + layer.attentionNormWeight, biasGradient: g + layer.attentionNormBias,
                      outputGradient: normGradient, input: s.attentionSum, weight: p.pointer(layer.attentionNormWeight),
                      mean: s.attentionMean, rstd: s.attentionRstd, rows: n, width: h)
    // The residual path carries the gradient to this layer's input.
    hiddenGradient.update(from: sumGradient, count: n * h)
    if dropout.attentionOutput { applyMask(sumGradient, s.attentionOutputMask, count: n * h) }
    precision.linearBackward(outputGradient: sumGradient, input: s.context, weight: p.pointer(layer.attentionOutputWeight), rows: n, inFeatures: h,
                             outFeatures: h, weightGradient: g + layer.attentionOutputWeight, biasGradient: g + layer.attentionOutputBias,
                             inputGradient: scratch.context)
    attentionBackward(qkvGradient: scratch.qkv, scratch: scratch.scores, contextGradient: scratch.context,
                      probabilities: s.probabilities, qkv: s.qkv, sequenceStarts: batch.sequenceStarts, heads: config.numAttentionHeads, hidden: h,
                      dropout: dropout.attention ? (UnsafePointer(s.attentionMask), UnsafePointer(s.droppedProbabilities)) : nil,
                      precision: precision)
    precision.linearBackward(outputGradient: scratch.qkv, input: input, weight: p.pointer(layer.qkvWeight), rows: n, inFeatures: h, outFeatures: 3 * h,
                             weightGradient: g + layer.qkvWeight, biasGradient: g + layer.qkvBias, inputGradient: hiddenGradient, accumulateInput: true)
}
