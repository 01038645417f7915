import Foundation
import LecternFiles

/// Saves a classifier as transformers' `save_pretrained` does for its family's class
/// (`BertForSequenceClassification`, ...): `model.safetensors` (names with the base prefix, the head without), `config.json` (the
/// original keys plus architectures, id2label and label2id) and the tokenizer files of the model
/// it came from. The folder then loads in transformers and in Lectern.
public enum CheckpointWriter {
    public static let tokenizerFiles = ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]

    public static func save(_ parameters: ModelParameters, to folder: String, tokenizerFrom source: String?) throws(ModelError) {
        do {
            try AtomicFile.makeFolder(folder)
        } catch {
            throw ModelError("Cannot create the folder: \(error.reason).", file: folder)
        }
        let tensors = parameters.tensors.map { tensor in
            (name: parameters.config.family.savedName(for: tensor.name), shape: tensor.shape,
             values: UnsafeBufferPointer(parameters.values(of: tensor)))
        }
        try SafetensorsWriter.write(tensors, to: (folder as NSString).appendingPathComponent("model.safetensors"))
        try writeConfig(parameters.config, to: (folder as NSString).appendingPathComponent("config.json"))
        if let source {
            for file in tokenizerFiles {
                let from = (source as NSString).appendingPathComponent(file)
                guard let data = FileManager.default.contents(atPath: from) else { continue }
                do {
                    try AtomicFile.write(data, to: (folder as NSString).appendingPathComponent(file))
                } catch {
                    throw ModelError("Cannot write the tokenizer files: \(error.reason).", file: folder)
                }
            }
        }
    }

    static func writeConfig(_ config: ModelConfig, to path: String) throws(ModelError) {
        var object = config.json.mapValues(\.foundation)
        object["model_type"] = config.family.modelType
        object["architectures"] = [config.family.architecture]
        object["id2label"] = Dictionary(uniqueKeysWithValues: config.id2label.enumerated().map { (String($0.offset), $0.element) })
        object["label2id"] = Dictionary(uniqueKeysWithValues: config.id2label.enumerated().map { ($0.element, $0.offset) })
        if let problemType = config.declaredProblemType { object["problem_type"] = problemType.rawValue }
        for (key, value) in config.family.sizeKeys(config) { object[key] = value.foundation }
        object.removeValue(forKey: "num_labels")
        do {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try AtomicFile.write(data + Data("\n".utf8), to: path)
        } catch {
            throw ModelError("Cannot write config.json: \((error as? AtomicFile.WriteError)?.reason ?? "\(error)").", file: path)
        }
    }

    /// Reads a checkpoint's weights back into `parameters` (same architecture), e.g. to load the best model.
    public static func load(_ folder: String, into parameters: ModelParameters) throws(ModelError) {
        let file = try SafetensorsFile(path: (folder as NSString).appendingPathComponent("model.safetensors"))
        for tensor in parameters.tensors {
            guard let name = parameters.config.family.checkpointNames(for: tensor.name).first(where: { file.tensors[$0] != nil }) else {
                throw ModelError("The checkpoint has no tensor `\(tensor.name)`.", file: folder)
            }
            try file.read(name, into: parameters.values(of: tensor))
        }
    }
}
