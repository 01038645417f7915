import Foundation

/// Every parameter of a sequence classifier in one Float32 allocation, with the offset of each
/// tensor under the name its family's transformers class gives it (llm.c's layout: one block,
/// named views).
///
/// Query, key and value of a layer are stored next to each other (`[3H, H]` and `[3H]`) so that
/// one matrix product computes all three.
public final class ModelParameters: @unchecked Sendable {
    public struct Tensor: Sendable {
        /// The transformers name, without the base prefix (e.g. "encoder.layer.0.attention.self.query.weight").
        public var name: String
        public var shape: [Int]
        public var offset: Int
        /// Biases and LayerNorm weights: the Trainer excludes them from weight decay.
        public var isDecayExempt: Bool
        public var count: Int { shape.reduce(1, *) }
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

    public let config: ModelConfig
    public let tensors: [Tensor]
    public let storage: UnsafeMutableBufferPointer<Float>
    public let wordEmbeddings: Int, positionEmbeddings: Int
    /// nil for a family without token types.
    public let tokenTypeEmbeddings: Int?
    public let embeddingNormWeight: Int, embeddingNormBias: Int
    public let layers: [Layer]
    /// The head's dense layer before the classifier (BERT's pooler, DistilBERT's pre_classifier).
    public let headDenseWeight: Int, headDenseBias: Int
    public let classifierWeight: Int, classifierBias: Int

    /// Lays out (and zeroes) the parameters for `config` with a classifier of `config.numLabels` outputs.
    /// A config whose sizes overflow an Int is a programming error here: `ModelCheckpoint` checks first.
    public init(config: ModelConfig) {
        guard let layout = Self.layout(for: config) else { preconditionFailure("config.json's sizes do not fit in memory") }
        self.config = config
        tensors = layout.tensors
        let offsets = Dictionary(uniqueKeysWithValues: layout.tensors.map { ($0.name, $0.offset) })
        func weight(_ module: String) -> Int { offsets[module + ".weight"]! }
        func bias(_ module: String) -> Int { offsets[module + ".bias"]! }
        let names = config.family.names
        wordEmbeddings = weight(names.wordEmbeddings)
        positionEmbeddings = weight(names.positionEmbeddings)
        tokenTypeEmbeddings = names.tokenTypeEmbeddings.map(weight)
        embeddingNormWeight = weight(names.embeddingNorm)
        embeddingNormBias = bias(names.embeddingNorm)
        layers = (0..<config.numHiddenLayers).map { index in
            let prefix = names.layer(index)
            return Layer(
                qkvWeight: weight(prefix + names.query), qkvBias: bias(prefix + names.query),
                attentionOutputWeight: weight(prefix + names.attentionOutput), attentionOutputBias: bias(prefix + names.attentionOutput),
                attentionNormWeight: weight(prefix + names.attentionNorm), attentionNormBias: bias(prefix + names.attentionNorm),
                intermediateWeight: weight(prefix + names.intermediate), intermediateBias: bias(prefix + names.intermediate),
                outputWeight: weight(prefix + names.output), outputBias: bias(prefix + names.output),
                outputNormWeight: weight(prefix + names.outputNorm), outputNormBias: bias(prefix + names.outputNorm))
        }
        headDenseWeight = weight(names.headDense)
        headDenseBias = bias(names.headDense)
        classifierWeight = weight(names.classifier)
        classifierBias = bias(names.classifier)
        storage = .allocate(capacity: layout.count)
        storage.initialize(repeating: 0)
    }

    deinit { storage.deallocate() }

    /// Every tensor's name, shape and offset for `config`, in storage order, and the number of values:
    /// computed without allocating, and nil when the sizes overflow an Int (config.json's sizes come
    /// from a file, so they are checked against the weights before anything is allocated).
    public static func layout(for config: ModelConfig) -> (tensors: [Tensor], count: Int)? {
        let h = config.hiddenSize, i = config.intermediateSize, names = config.family.names
        var tensors: [Tensor] = []
        var offset = 0, overflow = false
        func add(_ name: String, _ shape: [Int], decayExempt: Bool = false) {
            tensors.append(Tensor(name: name, shape: shape, offset: offset, isDecayExempt: decayExempt || name.hasSuffix(".bias")))
            var count = 1
            for size in shape {
                let product = count.multipliedReportingOverflow(by: size)
                (count, overflow) = (product.partialValue, overflow || product.overflow)
            }
            let next = offset.addingReportingOverflow(count)
            (offset, overflow) = (next.partialValue, overflow || next.overflow)
        }
        func norm(_ module: String) {
            add(module + ".weight", [h], decayExempt: true)
            add(module + ".bias", [h])
        }
        add(names.wordEmbeddings + ".weight", [config.vocabSize, h])
        add(names.positionEmbeddings + ".weight", [config.maxPositionEmbeddings, h])
        if let tokenTypes = names.tokenTypeEmbeddings { add(tokenTypes + ".weight", [config.typeVocabSize, h]) }
        norm(names.embeddingNorm)
        for index in 0..<config.numHiddenLayers where !overflow {
            let prefix = names.layer(index)
            for part in [names.query, names.key, names.value] { add(prefix + part + ".weight", [h, h]) }
            for part in [names.query, names.key, names.value] { add(prefix + part + ".bias", [h]) }
            add(prefix + names.attentionOutput + ".weight", [h, h])
            add(prefix + names.attentionOutput + ".bias", [h])
            norm(prefix + names.attentionNorm)
            add(prefix + names.intermediate + ".weight", [i, h])
            add(prefix + names.intermediate + ".bias", [i])
            add(prefix + names.output + ".weight", [h, i])
            add(prefix + names.output + ".bias", [h])
            norm(prefix + names.outputNorm)
        }
        add(names.headDense + ".weight", [h, h])
        add(names.headDense + ".bias", [h])
        add(names.classifier + ".weight", [config.numLabels, h])
        add(names.classifier + ".bias", [config.numLabels])
        return overflow ? nil : (tensors, offset)
    }

    /// How many values `init(config:)` allocates for `config`, or nil when the count does not fit in an Int.
    public static func count(for config: ModelConfig) -> Int? { layout(for: config)?.count }

    public var count: Int { storage.count }

    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The values of one tensor.
    public func values(of tensor: Tensor) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: storage[tensor.offset..<(tensor.offset + tensor.count)])
    }

    @inline(__always)
    public func pointer(_ offset: Int) -> UnsafeMutablePointer<Float> { storage.baseAddress! + offset }
}
