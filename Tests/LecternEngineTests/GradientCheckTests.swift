import Foundation
import Testing
@testable import LecternEngine

/// The backward pass against central finite differences of the loss, on a tiny random model of each family.
struct GradientCheckTests {
    static func tinyModel(dropout: DropoutRates, activation: ModelConfig.Activation = .gelu, family: ModelFamily = .bert,
                          labels: [String] = ["a", "b", "c"], labelSmoothing: Double = 0) -> TrainingModel {
        var config = ModelConfig()
        config.family = family
        if family == .roberta { config.positionOffset = 2 }
        config.vocabSize = 23
        config.hiddenSize = 8
        config.numHiddenLayers = 2
        config.numAttentionHeads = 2
        config.intermediateSize = 12
        config.maxPositionEmbeddings = 16
        config.hiddenAct = activation
        config.layerNormEps = 1e-5
        config.id2label = labels
        let parameters = ModelParameters(config: config)
        var generator = SplitMix64(seed: 7)
        for tensor in parameters.tensors {
            let values = parameters.values(of: tensor)
            let isNormWeight = tensor.isDecayExempt && tensor.name.hasSuffix(".weight")
            for index in values.indices { values[index] = (isNormWeight ? 1 : 0) + 0.5 * generator.normal() }
        }
        return TrainingModel(parameters: parameters, dropout: dropout, seed: 3, labelSmoothing: labelSmoothing)
    }

    static let batch = TokenBatch([[1, 5, 7, 2], [1, 9, 3, 11, 4, 2], [1, 2]])
    static let labels = [2, 0, 1]

    /// - Parameters:
    ///   - step: the finite difference's half-width. A ReLU head needs a small one: a step of 1e-2
    ///     carries some of its inputs across zero, where the loss has no derivative. RoBERTa's tiny
    ///     model too: its loss curves enough that a step of 1e-2 errs by 4e-4 on small gradients.
    ///   - floor: the smallest denominator of the relative error, above float32's rounding noise in
    ///     `(plus − minus) / 2·step`, for gradients that are zero in exact arithmetic.
    func check(_ model: TrainingModel, step: Float = 1e-2, floor: Float = 1e-2, batch: TokenBatch = Self.batch,
               targets: [Target] = Self.labels.map(Target.label)) throws {
        model.zeroGradients()
        model.reseedDropout(11)
        _ = try model.forward(batch, targets: targets)
        model.backward()
        let parameters = model.parameters
        var checked = 0, worst: Float = 0
        for tensor in parameters.tensors {
            // Rows of the embedding tables that no token uses have zero gradient; sample the used ones too.
            let candidates: [Int]
            if tensor.name == "embeddings.word_embeddings.weight" {
                candidates = [5 * 8, 5 * 8 + 3, 11 * 8 + 7, 0]
            } else if tensor.name == "embeddings.token_type_embeddings.weight" {
                candidates = [0, 7, 8, 15]  // both rows: a sentence pair's second text reads row 1
            } else {
                candidates = [0, tensor.count / 3, tensor.count - 1]
            }
            for index in Set(candidates) where index < tensor.count {
                let position = tensor.offset + index
                let original = parameters.storage[position]
                parameters.storage[position] = original + step
                model.reseedDropout(11)
                let plus = try model.forward(batch, targets: targets).loss
                parameters.storage[position] = original - step
                model.reseedDropout(11)
                let minus = try model.forward(batch, targets: targets).loss
                parameters.storage[position] = original
                let numeric = (plus - minus) / (2 * step)
                let analytic = model.gradients[position]
                let error = abs(numeric - analytic) / max(floor, abs(numeric) + abs(analytic))
                worst = max(worst, error)
                #expect(error < 2e-2, "\(tensor.name)[\(index)]: analytic \(analytic), numeric \(numeric)")
                checked += 1
            }
        }
        #expect(checked > 80)
        #expect(worst < 2e-2)
    }

    /// The other losses: mean squared error of one output, binary cross-entropy of label sets, and label smoothing.
    @Test func regressionGradientsMatchFiniteDifferences() throws {
        try check(Self.tinyModel(dropout: .off, labels: ["LABEL_0"]), targets: [.score(0.5), .score(-1.25), .score(2)])
    }

    @Test func multiLabelGradientsMatchFiniteDifferences() throws {
        try check(Self.tinyModel(dropout: .off), targets: [.labels([1, 0, 1]), .labels([0, 0, 0]), .labels([0, 1, 0])])
    }

    @Test func labelSmoothingGradientsMatchFiniteDifferences() throws {
        try check(Self.tinyModel(dropout: .off, labelSmoothing: 0.2))
    }

    @Test func gradientsMatchFiniteDifferencesWithoutDropout() throws {
        try check(Self.tinyModel(dropout: .off))
    }

    @Test func gradientsMatchFiniteDifferencesWithDropout() throws {
        try check(Self.tinyModel(dropout: .init(hidden: 0.1, attention: 0.1, classifier: 0.1)))
    }

    @Test func gradientsMatchFiniteDifferencesWithTheTanhGELU() throws {
        try check(Self.tinyModel(dropout: .off, activation: .geluTanh))
    }

    /// DistilBERT: no token types, ReLU in the head, no dropout after the attention's output projection.
    @Test(arguments: [DropoutRates.off, .init(hidden: 0.1, attention: 0.1, classifier: 0.1)])
    func distilBertGradientsMatchFiniteDifferences(dropout: DropoutRates) throws {
        let model = Self.tinyModel(dropout: dropout, family: .distilbert)
        #expect(model.parameters.tokenTypeEmbeddings == nil)
        try check(model, step: 1e-3, floor: 3e-2)
    }

    /// RoBERTa: positions from an offset, its head's dense layer and dropout before it.
    @Test(arguments: [DropoutRates.off, .init(hidden: 0.1, attention: 0.1, classifier: 0.3)])
    func robertaGradientsMatchFiniteDifferences(dropout: DropoutRates) throws {
        try check(Self.tinyModel(dropout: dropout, family: .roberta), step: 1e-3, floor: 3e-2)
    }

    /// Sentence pairs: the second text's tokens read (and train) token type 1.
    @Test func gradientsMatchFiniteDifferencesOnSentencePairs() throws {
        let pairs = TokenBatch([[1, 5, 2, 7, 2], [1, 9, 3, 2, 11, 4, 2], [1, 2, 2]],
                               typeIDs: [[0, 0, 0, 1, 1], [0, 0, 0, 0, 1, 1, 1], nil])
        #expect(pairs.typeIDs == [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
        try check(Self.tinyModel(dropout: .init(hidden: 0.1, attention: 0.1, classifier: 0.1)), batch: pairs)
    }

    @Test(arguments: [ModelFamily.bert, .distilbert, .roberta])
    func trainingForwardWithoutDropoutEqualsTheInferenceForward(family: ModelFamily) throws {
        // One forward pass serves both: without dropout, the same operations in the same order, so the same bits.
        let model = Self.tinyModel(dropout: .off, family: family)
        let training = try model.forward(Self.batch, labels: Self.labels)
        let inference = try SequenceClassifier(parameters: model.parameters).forward(Self.batch)
        #expect(training.logits == inference.logits)
    }

    @Test func trainingAndInferenceRefuseTheSameBatches() throws {
        let model = Self.tinyModel(dropout: .off)
        let classifier = SequenceClassifier(parameters: model.parameters)
        let outsideVocabulary = TokenBatch([[1, 23, 2]]), tooLong = TokenBatch([Array(repeating: 1, count: 17)])
        for batch in [outsideVocabulary, tooLong] {
            var messages: [String] = []
            do { _ = try model.forward(batch, labels: [0]) } catch { messages.append(error.message) }
            do { _ = try classifier.forward(batch) } catch { messages.append(error.message) }
            #expect(messages.count == 2 && messages[0] == messages[1])
        }
    }
}

/// `linearBackward` alone, the pair every dense layer uses: for the loss Σ R ⊙ (X·Wᵀ + b), its ∂W, ∂b
/// and ∂X against central differences, and `accumulateInput` adding to ∂X rather than replacing it.
struct LinearPairTests {
    @Test func linearBackwardMatchesFiniteDifferences() {
        let (rows, inputs, outputs) = (3, 4, 5)
        var generator = SplitMix64(seed: 5)
        let x = (0..<(rows * inputs)).map { _ in generator.normal() }, w = (0..<(outputs * inputs)).map { _ in generator.normal() }
        let b = (0..<outputs).map { _ in generator.normal() }
        let r = (0..<(rows * outputs)).map { _ in generator.normal() }
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var total = 0.0
            for row in 0..<rows {
                for out in 0..<outputs {
                    var y = Double(b[out])
                    for k in 0..<inputs { y += Double(x[row * inputs + k]) * Double(w[out * inputs + k]) }
                    total += y * Double(r[row * outputs + out])
                }
            }
            return total
        }
        /// The central difference of the loss in one value of one of the three arrays (0: x, 1: w, 2: b).
        func numeric(_ which: Int, _ index: Int) -> Double {
            func shifted(_ step: Float) -> Double {
                var arrays = [x, w, b]
                arrays[which][index] += step
                return loss(arrays[0], arrays[1], arrays[2])
            }
            return (shifted(1e-2) - shifted(-1e-2)) / 2e-2
        }
        var dW = [Float](repeating: 0, count: outputs * inputs), dB = [Float](repeating: 0, count: outputs)
        var dX = [Float](repeating: 1, count: rows * inputs)
        MatrixPrecision.float32.linearBackward(outputGradient: r, input: x, weight: w, rows: rows, inFeatures: inputs, outFeatures: outputs,
                                               weightGradient: &dW, biasGradient: &dB, inputGradient: &dX, accumulateInput: true)
        for index in w.indices { #expect(abs(Double(dW[index]) - numeric(1, index)) < 1e-3, "∂W[\(index)]") }
        for index in b.indices { #expect(abs(Double(dB[index]) - numeric(2, index)) < 1e-3, "∂b[\(index)]") }
        // ∂X was 1 everywhere before: accumulateInput adds the gradient to it.
        for index in x.indices { #expect(abs(Double(dX[index]) - 1 - numeric(0, index)) < 1e-3, "∂X[\(index)]") }
    }
}
