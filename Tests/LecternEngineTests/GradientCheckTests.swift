import Foundation
import Testing
@testable import LecternEngine

/// The backward pass against central finite differences of the loss, on a tiny random BERT.
struct GradientCheckTests {
    static func tinyModel(dropout: BertTrainingModel.Dropout, activation: BertConfig.Activation = .gelu) -> BertTrainingModel {
        var config = BertConfig()
        config.vocabSize = 23
        config.hiddenSize = 8
        config.numHiddenLayers = 2
        config.numAttentionHeads = 2
        config.intermediateSize = 12
        config.maxPositionEmbeddings = 16
        config.hiddenAct = activation
        config.layerNormEps = 1e-5
        config.id2label = ["a", "b", "c"]
        let parameters = BertParameters(config: config)
        var generator = SplitMix64(seed: 7)
        for tensor in parameters.tensors {
            let values = parameters.values(of: tensor)
            let isNormWeight = tensor.name.hasSuffix("LayerNorm.weight")
            for index in values.indices { values[index] = (isNormWeight ? 1 : 0) + 0.5 * generator.normal() }
        }
        return BertTrainingModel(parameters: parameters, dropout: dropout, seed: 3)
    }

    static let batch = TokenBatch([[1, 5, 7, 2], [1, 9, 3, 11, 4, 2], [1, 2]])
    static let labels = [2, 0, 1]

    func check(_ model: BertTrainingModel) throws {
        model.zeroGradients()
        model.reseedDropout(11)
        _ = try model.forward(Self.batch, labels: Self.labels)
        model.backward()
        let parameters = model.parameters
        var checked = 0, worst: Float = 0
        for tensor in parameters.tensors {
            // Rows of the embedding tables that no token uses have zero gradient; sample the used ones too.
            let candidates: [Int]
            if tensor.name == "embeddings.word_embeddings.weight" {
                candidates = [5 * 8, 5 * 8 + 3, 11 * 8 + 7, 0]
            } else {
                candidates = [0, tensor.count / 3, tensor.count - 1]
            }
            for index in Set(candidates) where index < tensor.count {
                let position = tensor.offset + index
                let original = parameters.storage[position]
                let step: Float = 1e-2
                parameters.storage[position] = original + step
                model.reseedDropout(11)
                let plus = try model.forward(Self.batch, labels: Self.labels).loss
                parameters.storage[position] = original - step
                model.reseedDropout(11)
                let minus = try model.forward(Self.batch, labels: Self.labels).loss
                parameters.storage[position] = original
                let numeric = (plus - minus) / (2 * step)
                let analytic = model.gradients[position]
                let error = abs(numeric - analytic) / max(1e-2, abs(numeric) + abs(analytic))
                worst = max(worst, error)
                #expect(error < 2e-2, "\(tensor.name)[\(index)]: analytic \(analytic), numeric \(numeric)")
                checked += 1
            }
        }
        #expect(checked > 80)
        #expect(worst < 2e-2)
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

    @Test func trainingForwardWithoutDropoutEqualsTheInferenceForward() throws {
        let model = Self.tinyModel(dropout: .off)
        let training = try model.forward(Self.batch, labels: Self.labels)
        let inference = try BertClassifier(parameters: model.parameters).forward(Self.batch)
        for (a, b) in zip(training.logits, inference.logits) { #expect(abs(a - b) < 1e-5) }
    }
}
