import Foundation

/// A model's `config.json`, decoded with the defaults transformers uses for missing keys, under
/// BERT's names for what every family has (`hiddenSize` is DistilBERT's `dim`).
public struct ModelConfig: Sendable, Equatable {
    public enum Activation: String, Sendable {
        /// The exact GELU, x·Φ(x) with erf (transformers' "gelu").
        case gelu
        /// The tanh approximation ("gelu_new", "gelu_pytorch_tanh").
        case geluTanh
        case relu
    }

    /// Which family's names, head and dropout the model has (config.json's `model_type`).
    public var family = ModelFamily.bert
    public var vocabSize = 30522
    public var hiddenSize = 768
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var intermediateSize = 3072
    public var hiddenAct = Activation.gelu
    public var hiddenDropoutProb: Float = 0.1
    public var attentionProbsDropoutProb: Float = 0.1
    public var classifierDropout: Float?
    public var maxPositionEmbeddings = 512
    /// 0 for a family without token types.
    public var typeVocabSize = 2
    public var initializerRange: Float = 0.02
    public var layerNormEps: Float = 1e-12
    public var padTokenID = 0
    /// The position of a sequence's first token (RoBERTa's `pad_token_id + 1`; 0 for BERT).
    public var positionOffset = 0
    /// Label names by id; transformers' default is LABEL_0, LABEL_1.
    public var id2label: [String] = ["LABEL_0", "LABEL_1"]
    /// Whether config.json named its labels (a fine-tuned classifier), or they are defaults.
    public var hasLabelNames = false
    /// config.json's `problem_type`; nil when it names none (`problemType` then infers it as transformers does).
    public var declaredProblemType: ProblemType?
    /// The original JSON, kept so that a saved config carries every key it came with.
    public var json: [String: JSONScalar] = [:]

    public var numLabels: Int { id2label.count }
    /// The task the outputs serve: the declared one, else regression for a single output and
    /// single-label classification otherwise (transformers' inference from `num_labels`).
    public var problemType: ProblemType { declaredProblemType ?? (numLabels == 1 ? .regression : .singleLabelClassification) }
    /// The longest sequence the position table holds, special tokens included.
    public var maxSequenceLength: Int { maxPositionEmbeddings - positionOffset }
    public var headSize: Int { hiddenSize / numAttentionHeads }

    public init() {}

    /// Reads `config.json`; its family's keys are checked, the rest default as in transformers.
    public init(contentsOf path: String) throws(ModelError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError("Cannot read config.json.", file: path, hint: "A model folder needs config.json beside its weights.")
        }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw ModelError("config.json is not valid JSON (\(Self.reason(error))).",
                             file: path, hint: "The file may be cut short or edited by hand; download it again.")
        }
        guard let object = parsed as? [String: Any] else {
            throw ModelError("config.json is not a JSON object (`{ ... }`).", file: path)
        }
        try self.init(object, file: path)
    }

    /// Foundation's parse error in a few words, without its trailing full stop.
    static func reason(_ error: any Error) -> String {
        var text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "it does not parse"
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    init(_ object: [String: Any], file: String) throws(ModelError) {
        self.init()
        let type = object["model_type"] as? String ?? "bert"
        guard let family = ModelFamily.named(type) else {
            throw ModelError("This is a `\(type)` model; Lectern runs " + ModelFamily.all.map { "`\($0.modelType)`" }.joined(separator: " and ")
                             + " models (config.json's model_type).", file: file)
        }
        self.family = family
        let keys = ConfigKeys(object: object, file: file)
        if let pad = object["pad_token_id"] as? Int { padTokenID = pad }
        try family.readConfig(&self, keys)
        try keys.real("initializer_range", &initializerRange)
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError("The hidden size \(hiddenSize) is not a multiple of the \(numAttentionHeads) attention heads.", file: file)
        }
        if let labels = object["id2label"] as? [String: Any], !labels.isEmpty {
            let pairs = labels.compactMap { key, value in Int(key).map { ($0, value as? String ?? "LABEL_\($0)") } }.sorted { $0.0 < $1.0 }
            guard pairs.count == labels.count, pairs.map(\.0) == Array(0..<pairs.count) else {
                throw ModelError("id2label must map 0, 1, 2, ... to names.", file: file)
            }
            id2label = pairs.map(\.1)
            hasLabelNames = !id2label.enumerated().allSatisfy { $0.element == "LABEL_\($0.offset)" }
        } else if let count = object["num_labels"] as? Int, count > 0 {
            id2label = (0..<count).map { "LABEL_\($0)" }
        }
        if let declared = object["problem_type"], !(declared is NSNull) {
            guard let name = declared as? String, let type = ProblemType(rawValue: name) else {
                throw ModelError("`problem_type` must be one of " + ProblemType.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ") + ".", file: file)
            }
            declaredProblemType = type
        }
        json = object.compactMapValues(JSONScalar.init)
    }
}

/// config.json's keys, read with the checks every family shares.
package struct ConfigKeys {
    package let object: [String: Any]
    package let file: String

    package func integer(_ key: String, _ target: inout Int) throws(ModelError) {
        guard let value = object[key] else { return }
        guard let number = value as? Int, number > 0 else { throw ModelError("`\(key)` must be a positive whole number.", file: file) }
        target = number
    }

    package func real(_ key: String, _ target: inout Float) throws(ModelError) {
        guard let value = object[key], !(value is NSNull) else { return }
        guard let number = value as? Double else { throw ModelError("`\(key)` must be a number.", file: file) }
        target = Float(number)
    }

    /// A number that may be absent or null.
    package func optionalReal(_ key: String) -> Float? { (object[key] as? Double).map(Float.init) }

    package func activation(_ key: String) throws(ModelError) -> ModelConfig.Activation {
        switch object[key] as? String ?? "gelu" {
        case "gelu": return .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": return .geluTanh
        case "relu": return .relu
        case let other: throw ModelError("The activation `\(other)` is not supported (gelu, gelu_new, relu are).", file: file)
        }
    }
}

/// A config.json value kept verbatim (numbers, strings, booleans, lists and objects of them).
public indirect enum JSONScalar: Sendable, Equatable {
    case number(Double), integer(Int), string(String), bool(Bool), null
    case array([JSONScalar]), object([String: JSONScalar])

    package init?(_ value: Any) {
        switch value {
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c", "B": self = .bool(number.boolValue)
            case "d", "f": self = .number(number.doubleValue)
            default: self = .integer(number.intValue)
            }
        case let text as String: self = .string(text)
        case is NSNull: self = .null
        case let items as [Any]: self = .array(items.compactMap(JSONScalar.init))
        case let entries as [String: Any]: self = .object(entries.compactMapValues(JSONScalar.init))
        default: return nil
        }
    }

    package var foundation: Any {
        switch self {
        case let .number(value): return value
        case let .integer(value): return value
        case let .string(value): return value
        case let .bool(value): return value
        case .null: return NSNull()
        case let .array(items): return items.map(\.foundation)
        case let .object(entries): return entries.mapValues(\.foundation)
        }
    }
}
