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

    /// A parameter whose typed value `apply` puts into the engine's arguments.
    init<Value>(_ parameter: Parameter<Value>, transformers: Bool = true, apply: @escaping @Sendable (inout TrainingArguments, Value) -> Void) {
        spec = parameter.spec
        isTransformersKeyword = transformers
        self.apply = { training, arguments in apply(&training, arguments[parameter]) }
    }

    /// A parameter the cell reads itself (the seed, the checkpoint to resume from, the precision).
    init<Value>(readByTheCell parameter: Parameter<Value>, transformers: Bool = true) {
        spec = parameter.spec
        isTransformersKeyword = transformers
        apply = { _, _ in }
    }
}

/// transformers' `optim` values whose update Lectern's AdamW computes.
enum Optimizer: String, Sendable, CaseIterable {
    case adamwTorch = "adamw_torch", adamwTorchFused = "adamw_torch_fused"
}

/// The one table of the Trainer's arguments: the `train` schema, the typed `TrainingArguments`, the
/// Python export's keywords and the docs' table all come from it.
enum TrainerArguments {
    // Read by the `train` cell itself rather than put into `TrainingArguments`.
    /// Resuming is the Trainer's `train(resume_from_checkpoint=...)`; the cell resolves the folder itself.
    static let resumeFromCheckpoint = Parameter<String?>.text("resume_from_checkpoint",
        "Continue an interrupted run from a checkpoint folder, or `last` for the newest in `output_dir`.")
    /// The seed's default is the notebook's, which the cell's arguments do not know.
    static let seed = Parameter<Int?>.integer("seed", 0...Int(UInt32.max), "Seed for the head's initialisation, the shuffle and dropout (default: the notebook's).")

    /// As given, for the check that it is not negative (the engine's `maxGradNorm` is nil for no clipping).
    static let maxGradNorm = Parameter<Double>.number("max_grad_norm", atMost: 1e6, default: 1, "Clip the gradient norm to this (0 turns clipping off).")

    /// As written (the engine's is absolute), for the export.
    static let outputDir = Parameter<String>.text("output_dir", default: "results", "Where checkpoints go.")
    /// As written, for the export (the engine keeps a Float).
    static let dropout = Parameter<Double?>.number("dropout", atMost: 0.99, "Override every dropout probability (e.g. 0 for experiments).")

    /// The schedule's keywords depend on the schedule: the cell reads them (`SchedulerKeywords`).
    static let lrSchedulerKwargs = Parameter<[(name: String, text: String)]>(
        ParameterSpec("lr_scheduler_kwargs", .mapping(of: .string),
                      "Keywords of the schedule, as transformers' `get_scheduler` takes them (e.g. `num_cycles: 2` for `cosine_with_restarts`).")) { value in
        guard case let .mapping(entries)? = value else { return [] }
        return entries.compactMap { entry in entry.value.text.map { (name: entry.name, text: $0) } }
    }

    /// How much better an evaluation must be to reset the early-stopping count (the callback's argument, so not a keyword).
    static let earlyStoppingThreshold = Parameter<Double?>.number("early_stopping_threshold", atMost: 1e9,
                                                                   "How much better the metric must be to count as an improvement (default: 0).")

    static let table: [TrainerArgument] = [
        TrainerArgument(Parameter<Double>.number("num_train_epochs", above: 0, atMost: 1000, default: 3, "Passes over the training split.")) {
            $0.numTrainEpochs = $1
        },
        TrainerArgument(Parameter<Int?>.integer("max_steps", 1...10_000_000, "Optimizer steps in all; overrides `num_train_epochs`.")) {
            $0.maxSteps = $1
        },
        TrainerArgument(Parameter<Int>.integer("per_device_train_batch_size", 1...4096, default: 8, "Examples per training step.")) {
            $0.perDeviceTrainBatchSize = $1
        },
        TrainerArgument(Parameter<Int?>.integer("gradient_accumulation_steps", 1...4096,
                                                "Batches whose gradients add up before each optimizer step (default: 1). As the Trainer does for "
                                                    + "classification models, each batch's mean loss counts whole: the logged loss is their sum.")) {
            $0.gradientAccumulationSteps = $1 ?? 1
        },
        TrainerArgument(EvaluationBatch.size) { $0.perDeviceEvalBatchSize = $1 },
        TrainerArgument(Parameter<Double>.number("learning_rate", above: 0, atMost: 10, default: 5e-5, "The peak learning rate of AdamW.")) {
            $0.learningRate = Float($1)
        },
        TrainerArgument(Parameter<Double>.number("weight_decay", atMost: 10, default: 0,
                                                 "AdamW's decoupled weight decay (not for biases and LayerNorm weights).")) {
            $0.weightDecay = Float($1)
        },
        TrainerArgument(Parameter<Int>.integer("warmup_steps", 0...10_000_000, default: 0, "Steps of linear warm-up.")) {
            $0.warmupSteps = $1
        },
        TrainerArgument(Parameter<Double>.number("warmup_ratio", atMost: 1, default: 0, "Warm-up as a fraction of all steps (when `warmup_steps` is 0).")) {
            $0.warmupRatio = $1
        },
        TrainerArgument(maxGradNorm) { $0.maxGradNorm = $1 > 0 ? Float($1) : nil },
        // Declared without a recorded default, so that transcripts of cells that do not give them stay as they were.
        TrainerArgument(Parameter<LearningRateSchedule.Kind?>.choice("lr_scheduler_type",
                                                                    "The learning-rate schedule, as transformers' `SchedulerType` (default: `linear`).")) {
            $0.lrSchedulerType = $1 ?? .linear
        },
        TrainerArgument(readByTheCell: lrSchedulerKwargs),
        TrainerArgument(Parameter<Double?>.number("label_smoothing_factor", atMost: 1,
                                                  "Label smoothing ε of the training and evaluation losses, as transformers' `LabelSmoother` (default: 0).")) {
            $0.labelSmoothingFactor = $1 ?? 0
        },
        // Both are torch's AdamW (the fused kernel computes the same update), which Lectern runs; other optimizers are refused by name.
        TrainerArgument(Parameter<Optimizer?>.choice("optim", "The optimizer: `adamw_torch` (default) or `adamw_torch_fused`, the same AdamW.")) { _, _ in },
        TrainerArgument(Parameter<Double?>.number("adam_beta1", above: 0, atMost: 0.999_999, "AdamW's β₁ (default: 0.9).")) {
            $0.adamBeta1 = $1.map(Float.init) ?? 0.9
        },
        TrainerArgument(Parameter<Double?>.number("adam_beta2", above: 0, atMost: 0.999_999, "AdamW's β₂ (default: 0.999).")) {
            $0.adamBeta2 = $1.map(Float.init) ?? 0.999
        },
        TrainerArgument(Parameter<Double?>.number("adam_epsilon", above: 0, atMost: 1, "AdamW's ε (default: 1e-8).")) {
            $0.adamEpsilon = $1.map(Float.init) ?? 1e-8
        },
        TrainerArgument(Parameter<Int>.integer("logging_steps", 1...10_000_000, default: 500, "Log the mean loss every this many steps.")) {
            $0.loggingSteps = $1
        },
        TrainerArgument(Parameter<TrainingArguments.Strategy>.choice("eval_strategy", default: .no, "When to evaluate: `no`, `steps`, `epoch`.")) {
            $0.evalStrategy = $1
        },
        TrainerArgument(Parameter<Int?>.integer("eval_steps", 1...10_000_000,
                                                "With `eval_strategy: steps`, evaluate every this many steps (default: `logging_steps`).")) {
            $0.evalSteps = $1
        },
        TrainerArgument(Parameter<TrainingArguments.Strategy>.choice("save_strategy", default: .steps, "When to save a checkpoint: `no`, `steps`, `epoch`.")) {
            $0.saveStrategy = $1
        },
        TrainerArgument(Parameter<Int>.integer("save_steps", 1...10_000_000, default: 500, "With `save_strategy: steps`, save every this many steps.")) {
            $0.saveSteps = $1
        },
        TrainerArgument(Parameter<Int?>.integer("save_total_limit", 1...10_000, "Keep at most this many checkpoints (the best one is always kept).")) {
            $0.saveTotalLimit = $1
        },
        TrainerArgument(Parameter<Bool>.flag("load_best_model_at_end", default: false, "Load the best checkpoint when training ends.")) {
            $0.loadBestModelAtEnd = $1
        },
        TrainerArgument(Parameter<String>.text("metric_for_best_model", default: "loss", "The evaluation metric that picks the best checkpoint.")) {
            $0.metricForBestModel = $1
        },
        TrainerArgument(Parameter<Bool?>.flag("greater_is_better", "Whether a larger metric is better (default: false for a loss, else true).")) {
            $0.greaterIsBetter = $1
        },
        TrainerArgument(outputDir) {
            $0.outputDir = $1.hasPrefix("/") ? $1 : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent($1)
        },
        TrainerArgument(Parameter<Int?>.integer("early_stopping_patience", 1...10_000,
                                                "Stop after this many evaluations without improvement of `metric_for_best_model`, as transformers' "
                                                    + "`EarlyStoppingCallback` (needs evaluations, `load_best_model_at_end` and a metric)."),
                        transformers: false) {
            $0.earlyStoppingPatience = $1
        },
        TrainerArgument(earlyStoppingThreshold, transformers: false) { $0.earlyStoppingThreshold = $1 ?? 0 },
        TrainerArgument(readByTheCell: resumeFromCheckpoint, transformers: false),
        TrainerArgument(readByTheCell: seed),
        TrainerArgument(Parameter<Bool>.flag("shuffle", default: true, "Shuffle the training examples each epoch (`false`: dataset order)."),
                        transformers: false) {
            $0.shuffle = $1
        },
        TrainerArgument(dropout, transformers: false) {
            $0.dropout = $1.map(Float.init)
        },
        TrainerArgument(readByTheCell: PrecisionChoice.bf16),
    ]

    /// The keywords of transformers' `TrainingArguments` that a `train` cell may give (the export writes those given).
    static var transformersKeywords: [String] { table.filter(\.isTransformersKeyword).map(\.spec.name).filter { $0 != "output_dir" } }

    /// The engine's arguments for a cell: every row applied, the seed (the cell's, else the notebook's)
    /// and the precision the cell decided.
    static func training(from arguments: DirectiveArguments, seed: Int, precision: MatrixPrecision) -> TrainingArguments {
        var training = TrainingArguments(outputDir: "")
        for row in table { row.apply(&training, arguments) }
        training.seed = seed
        training.precision = precision
        return training
    }
}
