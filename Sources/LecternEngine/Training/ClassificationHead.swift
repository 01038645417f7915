import Foundation

/// The classification head in training mode, with its loss, as a forward/backward pair: each
/// sequence's first token ([CLS], `<s>`), dropout where the family has it, the head's dense layer
/// and activation, dropout, the classifier, and softmax cross-entropy averaged over the batch.
enum ClassificationHead {
    /// Which of the head's dropout masks apply in this step.
    struct Dropout {
        var input: Float?
        var dense: Float?

        init(_ dropout: TrainingModel.Dropout, family: ModelFamily) {
            input = family.dropsHeadInput && dropout.classifier > 0 ? dropout.classifier : nil
            dense = dropout.classifier > 0 ? dropout.classifier : nil
        }
    }

    /// Fills `saved` from the last hidden state; returns the mean cross-entropy of `labels`.
    static func forward(lastHidden: UnsafePointer<Float>, batch: TokenBatch, labels: [Int], parameters p: ModelParameters,
                        saved a: TrainingActivations.Head, dropout: Dropout, generator: inout DropoutGenerator, precision: MatrixPrecision) -> Double {
        let config = p.config, h = config.hiddenSize, sequences = batch.count, labelCount = config.numLabels
        for sequence in 0..<sequences {
            (a.firstToken + sequence * h).update(from: lastHidden + batch.sequenceStarts[sequence] * h, count: h)
        }
        if let probability = dropout.input {
            generator.fill(a.inputMask, count: sequences * h, probability: probability)
            applyMask(a.firstToken, a.inputMask, count: sequences * h)
        }
        precision.multiply(transposeA: false, transposeB: true, m: sequences, n: h, k: h, a: a.firstToken, lda: h, b: p.pointer(p.headDenseWeight), ldb: h,
                           c: a.dense, ldc: h)
        addBias(a.dense, p.pointer(p.headDenseBias), rows: sequences, columns: h)
        config.family.headActivation.forward(a.dense, count: sequences * h)
        a.denseDropped.update(from: a.dense, count: sequences * h)
        if let probability = dropout.dense {
            generator.fill(a.denseMask, count: sequences * h, probability: probability)
            applyMask(a.denseDropped, a.denseMask, count: sequences * h)
        }
        precision.multiply(transposeA: false, transposeB: true, m: sequences, n: labelCount, k: h, a: a.denseDropped, lda: h,
                           b: p.pointer(p.classifierWeight), ldb: h, c: a.logits, ldc: labelCount)
        addBias(a.logits, p.pointer(p.classifierBias), rows: sequences, columns: labelCount)
        var loss: Double = 0
        for sequence in 0..<sequences {
            let row = a.logits + sequence * labelCount
            let probabilities = a.probabilities + sequence * labelCount
            let largest = (0..<labelCount).map { row[$0] }.max()!
            var sum: Double = 0
            for label in 0..<labelCount { sum += Foundation.exp(Double(row[label] - largest)) }
            for label in 0..<labelCount { probabilities[label] = Float(Foundation.exp(Double(row[label] - largest)) / sum) }
            loss += Foundation.log(sum) + Double(largest) - Double(row[labels[sequence]])
        }
        return loss / Double(sequences)
    }

    /// Adds the head's parameter gradients into `g` and writes ∂loss/∂(last hidden state) into
    /// `hiddenGradient` (zero but for each sequence's first token).
    static func backward(hiddenGradient: UnsafeMutablePointer<Float>, batch: TokenBatch, labels: [Int], parameters p: ModelParameters,
                         gradients g: UnsafeMutablePointer<Float>, saved a: TrainingActivations.Head, scratch: TrainingActivations.Gradients,
                         dropout: Dropout, precision: MatrixPrecision) {
        let config = p.config, h = config.hiddenSize, sequences = batch.count, labelCount = config.numLabels
        // Cross-entropy (mean over the batch) → logits.
        for sequence in 0..<sequences {
            for label in 0..<labelCount {
                let index = sequence * labelCount + label
                scratch.logits[index] = (a.probabilities[index] - (label == labels[sequence] ? 1 : 0)) / Float(sequences)
            }
        }
        precision.linearBackward(outputGradient: scratch.logits, input: a.denseDropped, weight: p.pointer(p.classifierWeight), rows: sequences,
                                 inFeatures: h, outFeatures: labelCount, weightGradient: g + p.classifierWeight, biasGradient: g + p.classifierBias,
                                 inputGradient: scratch.dense)
        if dropout.dense != nil { applyMask(scratch.dense, a.denseMask, count: sequences * h) }
        config.family.headActivation.backward(scratch.dense, output: a.dense, count: sequences * h)
        precision.linearBackward(outputGradient: scratch.dense, input: a.firstToken, weight: p.pointer(p.headDenseWeight), rows: sequences,
                                 inFeatures: h, outFeatures: h, weightGradient: g + p.headDenseWeight, biasGradient: g + p.headDenseBias,
                                 inputGradient: scratch.firstToken)
        if dropout.input != nil { applyMask(scratch.firstToken, a.inputMask, count: sequences * h) }
        hiddenGradient.update(repeating: 0, count: batch.tokenCount * h)
        for sequence in 0..<sequences {
            (hiddenGradient + batch.sequenceStarts[sequence] * h).update(from: scratch.firstToken + sequence * h, count: h)
        }
    }
}
