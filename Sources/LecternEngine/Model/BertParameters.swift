import Foundation

/// Every parameter of a BERT classifier in one Float32 allocation, with the offset of each tensor
/// under the name transformers gives it (llm.c's layout: one block, named views).
///
/// Query, key and value of a layer are stored next to each other (`[3H, H]` and `[3H]`) so that
/// one matrix product computes all three.
public final class BertParameters: @unchecked Sendable {
    public struct Tensor: Sendable {
        /// The transformers name, without the `bert.` prefix (e.g. "encoder.layer.0.attention.self.query.weight").
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var count: Int { shape.reduce(1, *) }
        /// Biases and LayerNorm weights: the Trainer excludes them from weight decay.
        public var isDecayExempt: Bool { name.hasSuffix(".bias") || name.contains("LayerNorm") }
    }

    /// Offsets of one encoder layer's tensors.
    public struct Layer: Sendable {
        public var qkvWeight: Int, qkvBias: Int
        public var attentionOutputWeight: Int, attentionOutputBias: Int
        public var attentionNormWeight: Int, attentionNormBias: Int
        public var intermediateWeight: Int, intermediateBias: Int
        public var outputWeight: Int, outputBias: Int
        public var outputNormWeight: Int, outputNormBias: Int
    }

    public let config: BertConfig
    public let tensors: [Tensor]
    public let storage: UnsafeMutableBufferPointer<Float>
    public let wordEmbeddings: Int, positionEmbeddings: Int, tokenTypeEmbeddings: Int
    public let embeddingNormWeight: Int, embeddingNormBias: Int
    public let layers: [Layer]
    public let poolerWeight: Int, poolerBias: Int
    public let classifierWeight: Int, classifierBias: Int

    /// Lays out (and zeroes) the parameters for `config` with a classifier of `config.numLabels` outputs.
    public init(config: BertConfig) {
        self.config = config
        let h = config.hiddenSize, i = config.intermediateSize
        var tensors: [Tensor] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            tensors.append(Tensor(name: name, shape: shape, offset: offset))
            defer { offset += shape.reduce(1, *) }
            return offset
        }
        wordEmbeddings = add("embeddings.word_embeddings.weight", [config.vocabSize, h])
        positionEmbeddings = add("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = add("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h])
        embeddingNormWeight = add("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = add("embeddings.LayerNorm.bias", [h])
        var layers: [Layer] = []
        for index in 0..<config.numHiddenLayers {
            let prefix = "encoder.layer.\(index)."
            let qkvWeight = add(prefix + "attention.self.query.weight", [h, h])
            _ = add(prefix + "attention.self.key.weight", [h, h])
            _ = add(prefix + "attention.self.value.weight", [h, h])
            let qkvBias = add(prefix + "attention.self.query.bias", [h])
            _ = add(prefix + "attention.self.key.bias", [h])
            _ = add(prefix + "attention.self.value.bias", [h])
            layers.append(Layer(
                qkvWeight: qkvWeight, qkvBias: qkvBias,
                attentionOutputWeight: add(prefix + "attention.output.dense.weight", [h, h]),
                attentionOutputBias: add(prefix + "attention.output.dense.bias", [h]),
                attentionNormWeight: add(prefix + "attention.output.LayerNorm.weight", [h]),
                attentionNormBias: add(prefix + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: add(prefix + "intermediate.dense.weight", [i, h]),
                intermediateBias: add(prefix + "intermediate.dense.bias", [i]),
                outputWeight: add(prefix + "output.dense.weight", [h, i]),
                outputBias: add(prefix + "output.dense.bias", [h]),
                outputNormWeight: add(prefix + "output.LayerNorm.weight", [h]),
                outputNormBias: add(prefix + "output.LayerNorm.bias", [h])))
        }
        self.layers = layers
        poolerWeight = add("pooler.dense.weight", [h, h])
        poolerBias = add("pooler.dense.bias", [h])
        classifierWeight = add("classifier.weight", [config.numLabels, h])
        classifierBias = add("classifier.bias", [config.numLabels])
        self.tensors = tensors
        storage = .allocate(capacity: offset)
        storage.initialize(repeating: 0)
    }

    deinit { storage.deallocate() }

    /// How many values `init(config:)` allocates for `config`, or nil when the count does not fit in an
    /// Int: checked before allocating, since config.json's sizes come from a file.
    public static func count(for config: BertConfig) -> Int? {
        let h = config.hiddenSize, i = config.intermediateSize
        let layer: [(Int, Int)] = [(4 * h, h), (1, 4 * h), (2, h), (i, h), (1, i), (h, i), (1, h), (2, h)]
        let embeddings: [(Int, Int)] = [(config.vocabSize, h), (config.maxPositionEmbeddings, h), (config.typeVocabSize, h), (2, h)]
        let head: [(Int, Int)] = [(h, h), (1, h), (config.numLabels, h), (1, config.numLabels)]
        func sum(_ products: [(Int, Int)]) -> Int? {
            var total = 0
            for (a, b) in products {
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                guard !overflow, product >= 0 else { return nil }
                let (next, over) = total.addingReportingOverflow(product)
                guard !over else { return nil }
                total = next
            }
            return total
        }
        guard let perLayer = sum(layer), let layers = sum([(perLayer, config.numHiddenLayers)]), let rest = sum(embeddings + head) else { return nil }
        return sum([(layers, 1), (rest, 1)])
    }

    public var count: Int { storage.count }

    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The values of one tensor.
    public func values(of tensor: Tensor) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: storage[tensor.offset..<(tensor.offset + tensor.count)])
    }

    @inline(__always)
    public func pointer(_ offset: Int) -> UnsafeMutablePointer<Float> { storage.baseAddress! + offset }
}
