/// What sets one family of encoder-only sequence classifiers apart from another: the keys of its
/// config.json, the names of its tensors, whether it has token types, its head's activation and
/// where it drops out. Everything else (embeddings, encoder layers, head, loss, their backward
/// passes, checkpoints, AdamW) is one implementation that reads these differences.
///
/// A family is a value in its own folder under `Families/`, listed once in `ModelFamily.all`.
public struct ModelFamily: Sendable, Equatable, CustomStringConvertible {
    /// config.json's `model_type`.
    public let modelType: String
    /// transformers' class for sequence classification, written into a saved config.json.
    public let architecture: String
    /// The base model's prefix in a classifier's checkpoint (`bert.`); head tensors have none.
    public let basePrefix: String
    package let names: TensorNames
    /// The activation between the head's dense layer and the classifier.
    public let headActivation: HeadActivation
    /// Whether dropout follows the attention's output projection (BERT's does; DistilBERT drops out
    /// only inside attention and after the feed-forward block).
    package let dropsAttentionOutput: Bool
    /// Whether dropout also precedes the head's dense layer (RoBERTa's head drops out before each of its layers).
    package let dropsHeadInput: Bool
    /// Whether padding tokens keep their own position row and the others are numbered without them (RoBERTa).
    package let positionsSkipPadding: Bool
    /// Reads the family's config.json keys into `config` (the shared checks come after).
    package let readConfig: @Sendable (inout ModelConfig, ConfigKeys) throws(ModelError) -> Void
    /// The sizes a saved config.json states, under the family's keys.
    package let sizeKeys: @Sendable (ModelConfig) -> [String: JSONScalar]

    public enum HeadActivation: Sendable {
        /// BERT's pooler: tanh(W·h[CLS] + b).
        case tanh
        /// DistilBERT's pre_classifier: ReLU(W·h[first] + b).
        case relu
    }

    /// Module names (a tensor is a module's `.weight` or `.bias`), as transformers names them
    /// without the base prefix.
    package struct TensorNames: Sendable {
        package var wordEmbeddings: String
        package var positionEmbeddings: String
        /// nil when the family has no token types.
        package var tokenTypeEmbeddings: String?
        package var embeddingNorm: String
        /// What precedes a layer's index (`encoder.layer.`).
        package var layerPrefix: String
        package var query: String, key: String, value: String
        package var attentionOutput: String, attentionNorm: String
        package var intermediate: String, output: String, outputNorm: String
        /// The dense layer before the classifier (`pooler.dense`, `pre_classifier`).
        package var headDense: String
        package var classifier: String
        /// Modules a classifier's checkpoint stores without the base prefix.
        package var outsideBase: [String]

        package func layer(_ index: Int) -> String { layerPrefix + "\(index)." }
    }

    init(modelType: String, architecture: String, basePrefix: String, names: TensorNames, headActivation: HeadActivation,
         dropsAttentionOutput: Bool, dropsHeadInput: Bool = false, positionsSkipPadding: Bool = false,
         readConfig: @escaping @Sendable (inout ModelConfig, ConfigKeys) throws(ModelError) -> Void,
         sizeKeys: @escaping @Sendable (ModelConfig) -> [String: JSONScalar]) {
        (self.modelType, self.architecture, self.basePrefix, self.names) = (modelType, architecture, basePrefix, names)
        (self.headActivation, self.dropsAttentionOutput, self.dropsHeadInput) = (headActivation, dropsAttentionOutput, dropsHeadInput)
        self.positionsSkipPadding = positionsSkipPadding
        (self.readConfig, self.sizeKeys) = (readConfig, sizeKeys)
    }

    /// Every family Lectern runs; config.json's `model_type` chooses one.
    public static let all: [ModelFamily] = [.bert, .distilbert, .roberta]

    public static func named(_ modelType: String) -> ModelFamily? { all.first { $0.modelType == modelType } }

    public var description: String { modelType }

    public static func == (a: ModelFamily, b: ModelFamily) -> Bool { a.modelType == b.modelType }

    /// The names a tensor may have in a checkpoint, most likely first: with and without the base
    /// prefix (so a base model's checkpoint and a classifier's both load), and the old
    /// `gamma`/`beta` names of LayerNorm.
    package func checkpointNames(for name: String) -> [String] {
        var names = isOutsideBase(name) ? [name] : [name, basePrefix + name]
        if name.hasSuffix("LayerNorm.weight") { names += names.map { $0.replacingOccurrences(of: "LayerNorm.weight", with: "LayerNorm.gamma") } }
        if name.hasSuffix("LayerNorm.bias") { names += names.map { $0.replacingOccurrences(of: "LayerNorm.bias", with: "LayerNorm.beta") } }
        return names
    }

    /// The name `save_pretrained` gives a tensor of the classifier.
    package func savedName(for name: String) -> String { isOutsideBase(name) ? name : basePrefix + name }

    /// Whether a tensor belongs to the head (which a base model's checkpoint lacks, and which is then initialised).
    package func isHead(_ name: String) -> Bool { [names.headDense, names.classifier].contains { name.hasPrefix($0 + ".") } }

    /// N for a stored tensor of layer N (with or without the base prefix).
    package func layerIndex(_ name: String) -> Int? {
        guard let range = name.range(of: names.layerPrefix) else { return nil }
        return Int(name[range.upperBound...].prefix { $0.isNumber })
    }

    private func isOutsideBase(_ name: String) -> Bool { names.outsideBase.contains { name.hasPrefix($0 + ".") } }
}
