import Foundation

/// Every dense weight of a sequence classifier packed for bfloat16 products: each encoder layer's,
/// then the head's and the classifier's. A model that only reads its weights packs them once.
struct ClassifierPackedWeights {
    let layers: [EncoderLayerPackedWeights]
    let headDense, classifier: BFloat16PackedWeight

    init(_ p: ModelParameters) {
        let h = p.config.hiddenSize
        layers = p.layers.map { EncoderLayerPackedWeights($0, parameters: p) }
        headDense = BFloat16PackedWeight(p.pointer(p.headDenseWeight), outFeatures: h, inFeatures: h)
        classifier = BFloat16PackedWeight(p.pointer(p.classifierWeight), outFeatures: p.config.numLabels, inFeatures: h)
    }
}

/// The forward pass of a sequence classifier (llm.c's `gpt2_forward`), the one that training,
/// evaluation and prediction all run: embeddings, their LayerNorm and dropout, the encoder layers,
/// the head, and with `targets` the batch's mean loss (`HeadLoss`), which it returns. What it keeps
/// is `activations`' layout (everything the backward pass reads, or one layer's scratch); dropout
/// draws its masks from `generator` in the forward pass's order (with `.off`, nothing is drawn).
/// The caller has checked the batch (`ModelConfig.check`) and the targets; `headParts` are passed to the head
/// (`ClassificationHead.forward`'s `parts`).
func forwardPass(_ batch: TokenBatch, targets: [Target]?, parameters p: ModelParameters, activations a: Activations, dropout: DropoutRates,
                 generator: inout DropoutGenerator, precision: MatrixPrecision, packed: ClassifierPackedWeights? = nil,
                 labelSmoothing: Double = 0, headParts: [Range<Int>]? = nil) -> Double? {
    let config = p.config, h = config.hiddenSize, n = batch.tokenCount, heads = config.numAttentionHeads
    a.reserve(tokens: n, hidden: h, intermediate: config.intermediateSize, layers: config.numHiddenLayers,
              attention: heads * batch.attentionArea, sequences: batch.count, labels: config.numLabels)
    let e = a.embeddings!
    a.positions = positionRows(batch, config: config)
    embeddingForward(output: e.sum, batch: batch, positions: a.positions, parameters: p)
    layerNormForward(output: a.hidden[0], mean: e.mean, rstd: e.rstd, input: e.sum,
                     weight: p.pointer(p.embeddingNormWeight), bias: p.pointer(p.embeddingNormBias), rows: n, width: h, epsilon: config.layerNormEps)
    if dropout.hidden > 0 {
        applyMask(a.hidden[0], generator.fill(e.mask, count: n * h, probability: dropout.hidden), count: n * h)
    }
    let masks = dropout.layer(config.family)
    for (index, layer) in p.layers.enumerated() {
        let s = a.layers[index]
        if let probability = masks.attention { generator.fill(s.attentionMask, count: heads * batch.attentionArea, probability: probability) }
        if let probability = masks.attentionOutput { generator.fill(s.attentionOutputMask, count: n * h, probability: probability) }
        if let probability = masks.output { generator.fill(s.outputMask, count: n * h, probability: probability) }
        encoderLayerForward(output: a.hidden[index + 1], input: a.hidden[index], layer: layer, parameters: p, buffers: s.buffers(masks), batch: batch,
                            precision: precision, packed: packed?.layers[index])
    }
    return ClassificationHead.forward(lastHidden: a.hidden[config.numHiddenLayers], batch: batch, targets: targets, parameters: p,
                                      saved: a.head, dropout: dropout.head(config.family), generator: &generator, precision: precision,
                                      packed: packed, smoothing: labelSmoothing, parts: headParts)
}
