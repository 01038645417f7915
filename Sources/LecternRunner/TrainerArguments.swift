import Foundation
import LecternEngine
import LecternNotebook

/// One of the Hugging Face Trainer's arguments as a `train` cell takes it: the parameter (name,
/// kind, default, summary) and where its value lands in the engine's `TrainingArguments`.
struct TrainerArgument: Sendable {
    let spec: ParameterSpec
    /// Whether it is a keyword of transformers' `TrainingArguments` (the export writes those; `shuffle`
    /// and `dropout` are Lectern's own).
    let isTransformersKeyword: Bool
    let apply: @Sendable (inout TrainingArguments, DirectiveArguments) -> Void

    init(_ spec: ParameterSpec, transformers: Bool = true, apply: @escaping @Sendable (inout TrainingArguments, DirectiveArguments) -> Void) {
        self.spec = spec
        self.isTransformersKeyword = transformers
        self.apply = apply
    }
}

/// The one table of the Trainer's arguments: the `train` schema, the typed `TrainingArguments`, the
/// Python export's keywords and the docs' table all come from it.
enum TrainerArguments {
    static let strategies = TrainingArguments.Strategy.allCases.map(\.rawValue)

    static let table: [TrainerArgument] = [
        TrainerArgument(ParameterSpec("num_train_epochs", .number(above: 0, atMost: 1000), default: .number(3), "Passes over the training split.")) {
            $0.numTrainEpochs = $1.number("num_train_epochs")!
        },
        TrainerArgument(ParameterSpec("max_steps", .integer(min: 1, max: 10_000_000), "Optimizer steps in all; overrides `num_train_epochs`.")) {
            $0.maxSteps = $1.integer("max_steps")
        },
        TrainerArgument(ParameterSpec("per_device_train_batch_size", .integer(min: 1, max: 4096), default: .integer(8), "Examples per training step.")) {
            $0.perDeviceTrainBatchSize = $1.integer("per_device_train_batch_size")!
        },
        TrainerArgument(ParameterSpec("per_device_eval_batch_size", .integer(min: 1, max: 4096), default: .integer(8), "Examples per evaluation step.")) {
            $0.perDeviceEvalBatchSize = $1.integer("per_device_eval_batch_size")!
        },
        TrainerArgument(ParameterSpec("learning_rate", .number(above: 0, atMost: 10), default: .number(5e-5), "The peak learning rate of AdamW.")) {
            $0.learningRate = Float($1.number("learning_rate")!)
        },
        TrainerArgument(ParameterSpec("weight_decay", .number(above: nil, atMost: 10), default: .number(0),
                                      "AdamW's decoupled weight decay (not for biases and LayerNorm weights).")) {
            $0.weightDecay = Float($1.number("weight_decay")!)
        },
        TrainerArgument(ParameterSpec("warmup_steps", .integer(min: 0, max: 10_000_000), default: .integer(0), "Steps of linear warm-up.")) {
            $0.warmupSteps = $1.integer("warmup_steps")!
        },
        TrainerArgument(ParameterSpec("warmup_ratio", .number(above: nil, atMost: 1), default: .number(0),
                                      "Warm-up as a fraction of all steps (when `warmup_steps` is 0).")) {
            $0.warmupRatio = $1.number("warmup_ratio")!
        },
        TrainerArgument(ParameterSpec("max_grad_norm", .number(above: nil, atMost: 1e6), default: .number(1), "Clip the gradient norm to this (0 turns clipping off).")) {
            let clip = $1.number("max_grad_norm")!
            $0.maxGradNorm = clip > 0 ? Float(clip) : nil
        },
        TrainerArgument(ParameterSpec("logging_steps", .integer(min: 1, max: 10_000_000), default: .integer(500), "Log the mean loss every this many steps.")) {
            $0.loggingSteps = $1.integer("logging_steps")!
        },
        TrainerArgument(ParameterSpec("eval_strategy", .choice(strategies), default: .string("no"), "When to evaluate: `no`, `steps`, `epoch`.")) {
            $0.evalStrategy = TrainingArguments.Strategy(rawValue: $1.string("eval_strategy")!)!
        },
        TrainerArgument(ParameterSpec("eval_steps", .integer(min: 1, max: 10_000_000),
                                      "With `eval_strategy: steps`, evaluate every this many steps (default: `logging_steps`).")) {
            $0.evalSteps = $1.integer("eval_steps")
        },
        TrainerArgument(ParameterSpec("save_strategy", .choice(strategies), default: .string("steps"), "When to save a checkpoint: `no`, `steps`, `epoch`.")) {
            $0.saveStrategy = TrainingArguments.Strategy(rawValue: $1.string("save_strategy")!)!
        },
        TrainerArgument(ParameterSpec("save_steps", .integer(min: 1, max: 10_000_000), default: .integer(500), "With `save_strategy: steps`, save every this many steps.")) {
            $0.saveSteps = $1.integer("save_steps")!
        },
        TrainerArgument(ParameterSpec("save_total_limit", .integer(min: 1, max: 10_000), "Keep at most this many checkpoints (the best one is always kept).")) {
            $0.saveTotalLimit = $1.integer("save_total_limit")
        },
        TrainerArgument(ParameterSpec("load_best_model_at_end", .boolean, default: .boolean(false), "Load the best checkpoint when training ends.")) {
            $0.loadBestModelAtEnd = $1.boolean("load_best_model_at_end")!
        },
        TrainerArgument(ParameterSpec("metric_for_best_model", .string, default: .string("loss"), "The evaluation metric that picks the best checkpoint.")) {
            $0.metricForBestModel = $1.string("metric_for_best_model")!
        },
        TrainerArgument(ParameterSpec("greater_is_better", .boolean, "Whether a larger metric is better (default: false for a loss, else true).")) {
            $0.greaterIsBetter = $1.boolean("greater_is_better")
        },
        TrainerArgument(ParameterSpec("output_dir", .string, default: .string("results"), "Where checkpoints go.")) {
            let folder = $1.string("output_dir")!
            $0.outputDir = folder.hasPrefix("/") ? folder : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(folder)
        },
        // Resuming is the Trainer's `train(resume_from_checkpoint=...)`; the cell resolves the folder itself.
        TrainerArgument(ParameterSpec("resume_from_checkpoint", .string,
                                      "Continue an interrupted run from a checkpoint folder, or `last` for the newest in `output_dir`."),
                        transformers: false) { _, _ in },
        // The seed's default is the notebook's, which the cell's arguments do not know: `training(from:seed:)` sets it.
        TrainerArgument(ParameterSpec("seed", .integer(min: 0, max: Int(UInt32.max)),
                                      "Seed for the head's initialisation, the shuffle and dropout (default: the notebook's).")) { _, _ in },
        TrainerArgument(ParameterSpec("shuffle", .boolean, default: .boolean(true), "Shuffle the training examples each epoch (`false`: dataset order)."),
                        transformers: false) {
            $0.shuffle = $1.boolean("shuffle")!
        },
        TrainerArgument(ParameterSpec("dropout", .number(above: nil, atMost: 0.99), "Override every dropout probability (e.g. 0 for experiments)."),
                        transformers: false) {
            $0.dropout = $1.number("dropout").map(Float.init)
        },
        TrainerArgument(ParameterSpec("bf16", .boolean,
                                      "Matrix products on bfloat16 inputs with float32 sums where the CPU has AVX512-BF16, as `bf16=True` (default: false; float32 elsewhere, with a notice).")) {
            $0.bf16 = $1.boolean("bf16") ?? false
        },
    ]

    /// The keywords of transformers' `TrainingArguments` that a `train` cell may give (the export writes those given).
    static var transformersKeywords: [String] { table.filter(\.isTransformersKeyword).map(\.spec.name).filter { $0 != "output_dir" } }

    /// The engine's arguments for a cell: every row applied, and the seed (the cell's, else the notebook's).
    static func training(from arguments: DirectiveArguments, seed: Int) -> TrainingArguments {
        var training = TrainingArguments(outputDir: "")
        for row in table { row.apply(&training, arguments) }
        training.seed = seed
        return training
    }
}
