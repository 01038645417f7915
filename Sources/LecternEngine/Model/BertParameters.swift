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
    /// A config whose sizes overflow an Int is a programming error here: `BertCheckpoint` checks first.
    public init(config: BertConfig) {
        guard let layout = Self.layout(for: config) else { preconditionFailure("config.json's sizes do not fit in memory") }
        self.config = config
        tensors = layout.tensors
        let offsets = Dictionary(uniqueKeysWithValues: layout.tensors.map { ($0.name, $0.offset) })
        func offset(_ name: String) -> Int { offsets[name]! }
        wordEmbeddings = offset("embeddings.word_embeddings.weight")
        positionEmbeddings = offset("embeddings.position_embeddings.weight")
        tokenTypeEmbeddings = offset("embeddings.token_type_embeddings.weight")
        embeddingNormWeight = offset("embeddings.LayerNorm.weight")
        embeddingNormBias = offset("embeddings.LayerNorm.bias")
        layers = (0..<config.numHiddenLayers).map { index in
            let prefix = "encoder.layer.\(index)."
            return Layer(
                qkvWeight: offset(prefix + "attention.self.query.weight"), qkvBias: offset(prefix + "attention.self.query.bias"),
                attentionOutputWeight: offset(prefix + "attention.output.dense.weight"), attentionOutputBias: offset(prefix + "attention.output.dense.bias"),
                attentionNormWeight: offset(prefix + "attention.output.LayerNorm.weight"), attentionNormBias: offset(prefix + "attention.output.LayerNorm.bias"),
                intermediateWeight: offset(prefix + "intermediate.dense.weight"), intermediateBias: offset(prefix + "intermediate.dense.bias"),
                outputWeight: offset(prefix + "output.dense.weight"), outputBias: offset(prefix + "output.dense.bias"),
                outputNormWeight: offset(prefix + "output.LayerNorm.weight"), outputNormBias: offset(prefix + "output.LayerNorm.bias"))
        }
        poolerWeight = offset("pooler.dense.weight")
        poolerBias = offset("pooler.dense.bias")
        classifierWeight = offset("classifier.weight")
        classifierBias = offset("classifier.bias")
        storage = .allocate(capacity: layout.count)
        storage.initialize(repeating: 0)
    }

    deinit { storage.deallocate() }

    /// Every tensor's name, shape and offset for `config`, in storage order, and the number of values:
    /// computed without allocating, and nil when the sizes overflow an Int (config.json's sizes come
    /// from a file, so they are checked against the weights before anything is allocated).
    public static func layout(for config: BertConfig) -> (tensors: [Tensor], count: Int)? {
        let h = config.hiddenSize, i = config.intermediateSize
        var tensors: [Tensor] = []
        var offset = 0, overflow = false
        func add(_ name: String, _ shape: [Int]) {
            tensors.append(Tensor(name: name, shape: shape, offset: offset))
            var count = 1
            for size in shape {
                let product = count.multipliedReportingOverflow(by: size)
                (count, overflow) = (product.partialValue, overflow || product.overflow)
            }
            let next = offset.addingReportingOverflow(count)
            (offset, overflow) = (next.partialValue, overflow || next.overflow)
        }
        add("embeddings.word_embeddings.weight", [config.vocabSize, h])
        add("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h])
        add("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h])
        add("embeddings.LayerNorm.weight", [h])
        add("embeddings.LayerNorm.bias", [h])
        for index in 0..<config.numHiddenLayers where !overflow {
            let prefix = "encoder.layer.\(index)."
            for part in ["query", "key", "value"] { add(prefix + "attention.self.\(part).weight", [h, h]) }
            for part in ["query", "key", "value"] { add(prefix + "attention.self.\(part).bias", [h]) }
            add(prefix + "attention.output.dense.weight", [h, h])
            add(prefix + "attention.output.dense.bias", [h])
            add(prefix + "attention.output.LayerNorm.weight", [h])
            add(prefix + "attention.output.LayerNorm.bias", [h])
            add(prefix + "intermediate.dense.weight", [i, h])
            add(prefix + "intermediate.dense.bias", [i])
            add(prefix + "output.dense.weight", [h, i])
            add(prefix + "output.dense.bias", [h])
            add(prefix + "output.LayerNorm.weight", [h])
            add(prefix + "output.LayerNorm.bias", [h])
        }
        add("pooler.dense.weight", [h, h])
        add("pooler.dense.bias", [h])
        add("classifier.weight", [config.numLabels, h])
        add("classifier.bias", [config.numLabels])
        return overflow ? nil : (tensors, offset)
    }

    /// How many values `init(config:)` allocates for `config`, or nil when the count does not fit in an Int.
    public static func count(for config: BertConfig) -> Int? { layout(for: config)?.count }

    public var count: Int { storage.count }

    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The values of one tensor.
    public func values(of tensor: Tensor) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: storage[tensor.offset..<(tensor.offset + tensor.count)])
    }

    @inline(__always)
    public func pointer(_ offset: Int) -> UnsafeMutablePointer<Float> { storage.baseAddress! + offset }
}
