import Foundation

/// The classification head: each sequence's first token ([CLS], `<s>`), dropout where the family
/// has it, the head's dense layer and activation, dropout, the classifier, and the loss (`HeadLoss`)
/// when there are targets; a forward/backward pair.
enum ClassificationHead {
    /// Which of the head's dropout masks apply in this step.
    struct Dropout {
        var input: Float?
        var dense: Float?
    }

    /// Each sequence's first token's row of `hidden` (`[tokens, hidden]`) into `rows` (`[sequences, hidden]`).
    private static func firstTokens(of hidden: UnsafePointer<Float>, batch: TokenBatch, width h: Int, into rows: UnsafeMutablePointer<Float>) {
        for sequence in 0..<batch.count {
            (rows + sequence * h).update(from: hidden + batch.sequenceStarts[sequence] * h, count: h)
        }
    }

    /// The head's dense layer and its activation (BERT's pooler, DistilBERT's pre_classifier), for
    /// every sequence at once: training, evaluation and prediction all run it.
    private static func dense(_ input: UnsafePointer<Float>, sequences: Int, parameters p: ModelParameters, precision: MatrixPrecision,
                              packed: BFloat16PackedWeight?, output: UnsafeMutablePointer<Float>) {
        let h = p.config.hiddenSize
        precision.multiply(transposeA: false, transposeB: true, m: sequences, n: h, k: h, a: input, lda: h, b: p.pointer(p.headDenseWeight), ldb: h,
                           c: output, ldc: h, packed: packed)
        addBias(output, p.pointer(p.headDenseBias), rows: sequences, columns: h)
        p.config.family.headActivation.forward(output, count: sequences * h)
    }

    /// The classifier: logits `[sequences, labels]`, as training, evaluation and prediction compute them.
    private static func classify(_ input: UnsafePointer<Float>, sequences: Int, parameters p: ModelParameters, precision: MatrixPrecision,
                                 packed: BFloat16PackedWeight?, logits: UnsafeMutablePointer<Float>) {
        let h = p.config.hiddenSize, labelCount = p.config.numLabels
        precision.multiply(transposeA: false, transposeB: true, m: sequences, n: labelCount, k: h, a: input, lda: h,
                           b: p.pointer(p.classifierWeight), ldb: h, c: logits, ldc: labelCount, packed: packed)
        addBias(logits, p.pointer(p.classifierBias), rows: sequences, columns: labelCount)
    }

    /// Fills `saved` from the last hidden state; returns the batch's mean loss for `targets` (`HeadLoss`:
    /// cross-entropy with `smoothing` as transformers' `LabelSmoother`, MSE, or binary cross-entropy), nil without targets.
    /// The head's two products run over each of `parts` (ranges of sequences) on its own, or over every
    /// sequence at once without them: a product's row can depend on how many rows share it (`SequenceClassifier.forward(joining:)`).
    static func forward(lastHidden: UnsafePointer<Float>, batch: TokenBatch, targets: [Target]?, parameters p: ModelParameters,
                        saved a: Activations.Head, dropout: Dropout, generator: inout DropoutGenerator, precision: MatrixPrecision,
                        packed: ClassifierPackedWeights?, smoothing: Double, parts: [Range<Int>]? = nil) -> Double? {
        let config = p.config, h = config.hiddenSize, sequences = batch.count, labelCount = config.numLabels
        let parts = parts ?? [0..<sequences]
        firstTokens(of: lastHidden, batch: batch, width: h, into: a.firstToken)
        if let probability = dropout.input {
            applyMask(a.firstToken, generator.fill(a.inputMask, count: sequences * h, probability: probability), count: sequences * h)
        }
        for part in parts {
            dense(a.firstToken + part.lowerBound * h, sequences: part.count, parameters: p, precision: precision, packed: packed?.headDense,
                  output: a.dense + part.lowerBound * h)
        }
        a.denseDropped.update(from: a.dense, count: sequences * h)
        if let probability = dropout.dense {
            applyMask(a.denseDropped, generator.fill(a.denseMask, count: sequences * h, probability: probability), count: sequences * h)
        }
        for part in parts {
            classify(a.denseDropped + part.lowerBound * h, sequences: part.count, parameters: p, precision: precision, packed: packed?.classifier,
                     logits: a.logits + part.lowerBound * labelCount)
        }
        guard let targets else { return nil }
        return HeadLoss.forward(logits: a.logits, targets: targets, outputs: labelCount, smoothing: smoothing, activations: a.probabilities)
    }

    /// Adds the head's parameter gradients into `g` and writes ∂loss/∂(last hidden state) into
    /// `hiddenGradient` (zero but for each sequence's first token).
    static func backward(hiddenGradient: UnsafeMutablePointer<Float>, batch: TokenBatch, targets: [Target], parameters p: ModelParameters,
                         gradients g: UnsafeMutablePointer<Float>, saved a: Activations.Head, scratch: Activations.Gradients,
                         dropout: Dropout, precision: MatrixPrecision, smoothing: Double = 0) {
        let config = p.config, h = config.hiddenSize, sequences = batch.count, labelCount = config.numLabels
        HeadLoss.backward(targets: targets, outputs: labelCount, smoothing: smoothing, logits: a.logits, activations: a.probabilities,
                          gradient: scratch.logits)
        precision.linearBackward(outputGradient: scratch.logits, input: a.denseDropped, weight: p.pointer(p.classifierWeight), rows: sequences,
                                 inFeatures: h, outFeatures: labelCount, weightGradient: g + p.classifierWeight, biasGradient: g + p.classifierBias,
                                 inputGradient: scratch.dense)
        if let probability = dropout.dense { applyMask(scratch.dense, DropoutMask(a.denseMask, probability: probability), count: sequences * h) }
        config.family.headActivation.backward(scratch.dense, output: a.dense, count: sequences * h)
        precision.linearBackward(outputGradient: scratch.dense, input: a.firstToken, weight: p.pointer(p.headDenseWeight), rows: sequences,
                                 inFeatures: h, outFeatures: h, weightGradient: g + p.headDenseWeight, biasGradient: g + p.headDenseBias,
                                 inputGradient: scratch.firstToken)
        if let probability = dropout.input { applyMask(scratch.firstToken, DropoutMask(a.inputMask, probability: probability), count: sequences * h) }
        hiddenGradient.update(repeating: 0, count: batch.tokenCount * h)
        for sequence in 0..<sequences {
            (hiddenGradient + batch.sequenceStarts[sequence] * h).update(from: scratch.firstToken + sequence * h, count: h)
        }
    }
}
