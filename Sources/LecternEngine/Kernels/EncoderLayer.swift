/// Where one encoder layer's forward pass reads and writes. Inference passes the same scratch
/// buffers for every layer; training passes each layer its own, kept for the backward pass.
struct EncoderLayerBuffers {
    var qkv, context, probabilities, attentionProjection, attentionSum, attentionNorm, attentionMean, attentionRstd: UnsafeMutablePointer<Float>
    /// The feed-forward input to the activation, and its output (the same buffer in inference).
    var intermediatePre, intermediate: UnsafeMutablePointer<Float>
    var outputProjection, outputSum, outputMean, outputRstd: UnsafeMutablePointer<Float>
    /// Training only: dropout masks (already filled) for attention maps, attention output and feed-forward output,
    /// and room for the masked attention maps.
    var dropout: (attention: UnsafePointer<Float>?, droppedProbabilities: UnsafeMutablePointer<Float>, attentionOutput: UnsafePointer<Float>?,
                  output: UnsafePointer<Float>?)?
}

/// The embeddings: word + position + token type (type 0: single sentences), for packed sequences.
func embeddingForward(output: UnsafeMutablePointer<Float>, batch: TokenBatch, parameters p: BertParameters) {
    let h = p.config.hiddenSize
    for sequence in 0..<batch.count {
        let start = batch.sequenceStarts[sequence], end = batch.sequenceStarts[sequence + 1]
        for token in start..<end {
            let word = p.pointer(p.wordEmbeddings) + Int(batch.ids[token]) * h
            let position = p.pointer(p.positionEmbeddings) + (token - start) * h
            let type = p.pointer(p.tokenTypeEmbeddings)
            let out = output + token * h
            for index in 0..<h { out[index] = word[index] + position[index] + type[index] }
        }
    }
}

/// One BERT encoder layer: fused QKV projection, attention per sequence and head, output
/// projection, residual and LayerNorm; feed-forward with the activation, residual and LayerNorm.
func encoderLayerForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, layer: BertParameters.Layer,
                         parameters p: BertParameters, buffers s: EncoderLayerBuffers, batch: TokenBatch) {
    let config = p.config
    let h = config.hiddenSize, n = batch.tokenCount, i = config.intermediateSize
    BLAS.sgemm(transposeA: false, transposeB: true, m: n, n: 3 * h, k: h, a: input, lda: h, b: p.pointer(layer.qkvWeight), ldb: h, c: s.qkv, ldc: 3 * h)
    addBias(s.qkv, p.pointer(layer.qkvBias), rows: n, columns: 3 * h)
    let attentionDropout = s.dropout.flatMap { dropout in dropout.attention.map { (mask: $0, dropped: dropout.droppedProbabilities) } }
    attentionForward(context: s.context, probabilities: s.probabilities, qkv: s.qkv, sequenceStarts: batch.sequenceStarts,
                     heads: config.numAttentionHeads, hidden: h, dropout: attentionDropout)
    BLAS.sgemm(transposeA: false, transposeB: true, m: n, n: h, k: h, a: s.context, lda: h, b: p.pointer(layer.attentionOutputWeight), ldb: h,
               c: s.attentionProjection, ldc: h)
    addBias(s.attentionProjection, p.pointer(layer.attentionOutputBias), rows: n, columns: h)
    if let mask = s.dropout?.attentionOutput { applyMask(s.attentionProjection, mask, count: n * h) }
    add(s.attentionSum, s.attentionProjection, input, count: n * h)
    layerNormForward(output: s.attentionNorm, mean: s.attentionMean, rstd: s.attentionRstd, input: s.attentionSum,
                     weight: p.pointer(layer.attentionNormWeight), bias: p.pointer(layer.attentionNormBias), rows: n, width: h, epsilon: config.layerNormEps)

    BLAS.sgemm(transposeA: false, transposeB: true, m: n, n: i, k: h, a: s.attentionNorm, lda: h, b: p.pointer(layer.intermediateWeight), ldb: h,
               c: s.intermediatePre, ldc: i)
    addBias(s.intermediatePre, p.pointer(layer.intermediateBias), rows: n, columns: i)
    if s.intermediate != s.intermediatePre { s.intermediate.update(from: s.intermediatePre, count: n * i) }
    activationForward(s.intermediate, count: n * i, kind: config.hiddenAct)
    BLAS.sgemm(transposeA: false, transposeB: true, m: n, n: h, k: i, a: s.intermediate, lda: i, b: p.pointer(layer.outputWeight), ldb: i,
               c: s.outputProjection, ldc: h)
    addBias(s.outputProjection, p.pointer(layer.outputBias), rows: n, columns: h)
    if let mask = s.dropout?.output { applyMask(s.outputProjection, mask, count: n * h) }
    add(s.outputSum, s.outputProjection, s.attentionNorm, count: n * h)
    layerNormForward(output: output, mean: s.outputMean, rstd: s.outputRstd, input: s.outputSum,
                     weight: p.pointer(layer.outputNormWeight), bias: p.pointer(layer.outputNormBias), rows: n, width: h, epsilon: config.layerNormEps)
}
