import Foundation

/// Loads a Hugging Face checkpoint folder (config.json + model.safetensors or pytorch_model.bin)
/// of any `ModelFamily` into `ModelParameters`.
///
/// Names are looked up as transformers writes them, with or without the family's base prefix
/// (`bert.`), so both base models (`BertModel`) and classifiers (`BertForSequenceClassification`)
/// load (old `gamma`/`beta` LayerNorm names too). A classification head missing from the checkpoint is initialised as transformers
/// does (normal with std `initializer_range`, bias 0) and reported in `notices`.
public struct ModelCheckpoint: Sendable {
    public let folder: String
    public let parameters: ModelParameters
    /// What a user should know, in transformers' words (e.g. newly initialised weights).
    public let notices: [String]

    /// - Parameters:
    ///   - labels: label names for the classifier; nil keeps the checkpoint's (config.json's id2label).
    ///   - problemType: the task the head is trained for, written into its config (`problem_type`); nil keeps the checkpoint's.
    ///   - seed: seeds the initialisation of weights the checkpoint lacks.
    public init(folder: String, labels: [String]? = nil, problemType: ProblemType? = nil, seed: UInt64 = 42) throws(ModelError) {
        self.folder = folder
        var config = try ModelConfig(contentsOf: (folder as NSString).appendingPathComponent("config.json"))
        if let problemType { config.declaredProblemType = problemType }
        let file = try ModelWeights.open(folder: folder)
        let weightsPath = file.path
        let weightsName = (weightsPath as NSString).lastPathComponent
        let checkpointLabels = config.numLabels, family = config.family
        let hasHead = family.checkpointNames(for: family.names.classifier + ".weight").contains { file.shapes[$0] != nil }
        if let labels {
            if hasHead, checkpointLabels != labels.count {
                throw ModelError("The checkpoint's classification head has \(checkpointLabels) labels, but the data has \(labels.count).", file: weightsPath,
                                 hint: "Use the base model (without a head), or data with the checkpoint's labels: " + config.id2label.joined(separator: ", ") + ".")
            }
            if !hasHead || !config.hasLabelNames { config.id2label = labels; config.hasLabelNames = true }
        }
        try Self.checkSizes(of: config, against: file)
        let parameters = ModelParameters(config: config)
        var generator = SplitMix64(seed: seed)
        var initialised: [String] = []
        for tensor in parameters.tensors {
            let candidates = family.checkpointNames(for: tensor.name)
            guard let name = candidates.first(where: { file.shapes[$0] != nil }), let storedShape = file.shapes[name] else {
                guard family.isHead(tensor.name) else {
                    throw ModelError("The weights have no tensor `\(tensor.name)` (nor `\(family.basePrefix)\(tensor.name)`).", file: weightsPath,
                                     hint: "This does not look like a `\(family.modelType)` checkpoint for this config.json.")
                }
                let values = parameters.values(of: tensor)
                if tensor.name.hasSuffix(".weight") {
                    for index in values.indices { values[index] = generator.normal() * config.initializerRange }
                } else {
                    values.initialize(repeating: 0)
                }
                initialised.append(tensor.name)
                continue
            }
            let expected = tensor.shape
            guard storedShape == expected else {
                throw ModelError("Tensor `\(name)` has shape \(storedShape), but config.json implies \(expected).", file: weightsPath,
                                 hint: "config.json and \(weightsName) do not belong together.")
            }
            try file.read(name, into: parameters.values(of: tensor))
        }
        var notices: [String] = []
        if !initialised.isEmpty {
            notices.append("Some weights of \(family.architecture) were not initialized from the model checkpoint at \(folder) and are newly initialized: "
                + initialised.map { "'\($0)'" }.joined(separator: ", ") + ". You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.")
        }
        self.parameters = parameters
        self.notices = notices
    }

    /// config.json's sizes decide the allocation, and they come from a file. Before allocating, hold
    /// them to what the weights file holds (the head aside, which may be missing and is initialised):
    /// within twice that, the tensor-by-tensor check names what disagrees; beyond it, this is the
    /// error. The layer count first, which the layout walks.
    static func checkSizes(of config: ModelConfig, against file: any WeightsFile) throws(ModelError) {
        let weightsName = (file.path as NSString).lastPathComponent
        let storedLayers = Set(file.shapes.keys.compactMap(config.family.layerIndex)).count
        guard config.numHiddenLayers <= storedLayers else {
            throw ModelError("config.json has \(config.numHiddenLayers) layers, but \(weightsName) holds \(storedLayers).", file: file.path,
                             hint: "config.json and \(weightsName) do not belong together.")
        }
        let stored = file.storedValueCount
        let needed = ModelParameters.count(for: config)
        let head = config.hiddenSize.multipliedReportingOverflow(by: config.hiddenSize + config.numLabels + 1)
        guard let needed, !head.overflow, needed - head.partialValue - config.numLabels <= 2 * stored else {
            throw ModelError("config.json describes a model of " + (needed.map { "\($0) values" } ?? "more values than fit in memory")
                             + ", but \(weightsName) holds \(stored).", file: file.path,
                             hint: "config.json and \(weightsName) do not belong together.")
        }
    }
}
