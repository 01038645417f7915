/// The Hugging Face `TrainingArguments` Lectern supports, with the Trainer's defaults.
public struct TrainingArguments: Sendable, Equatable {
    /// When to evaluate or save: never, every N steps, or at the end of each epoch.
    public enum Strategy: String, Sendable, CaseIterable {
        case no, steps, epoch
    }

    public var outputDir: String
    public var numTrainEpochs: Double = 3
    /// When set, the number of optimizer steps (overrides `numTrainEpochs`).
    public var maxSteps: Int?
    public var perDeviceTrainBatchSize = 8
    /// Batches whose gradients add up before each optimizer step. As the Trainer does for models whose
    /// loss takes no item count (every classification head here), each batch's mean loss counts whole:
    /// neither the gradient nor the logged loss is divided by the number of batches.
    public var gradientAccumulationSteps = 1
    /// `label_smoothing_factor`: training and evaluation losses as transformers' `LabelSmoother`.
    public var labelSmoothingFactor: Double = 0
    /// `EarlyStoppingCallback(early_stopping_patience, early_stopping_threshold)`; nil: no early stopping.
    public var earlyStoppingPatience: Int?
    public var earlyStoppingThreshold: Double = 0
    public var perDeviceEvalBatchSize = 8
    public var learningRate: Float = 5e-5
    public var weightDecay: Float = 0
    public var warmupSteps = 0
    public var warmupRatio: Double = 0
    /// `lr_scheduler_type` and `lr_scheduler_kwargs`.
    public var lrSchedulerType = LearningRateSchedule.Kind.linear
    public var lrSchedulerOptions = LearningRateSchedule.Options()
    public var plateauOptions = PlateauSchedule.Options()
    /// AdamW's `adam_beta1`, `adam_beta2`, `adam_epsilon`.
    public var adamBeta1: Float = 0.9
    public var adamBeta2: Float = 0.999
    public var adamEpsilon: Float = 1e-8
    /// Gradient clipping; nil turns it off (`max_grad_norm: 0`).
    public var maxGradNorm: Float? = 1
    public var loggingSteps = 500
    public var evalStrategy = Strategy.no
    public var evalSteps: Int?
    public var saveStrategy = Strategy.steps
    public var saveSteps = 500
    public var saveTotalLimit: Int?
    public var loadBestModelAtEnd = false
    public var metricForBestModel = "loss"
    /// nil: true unless the metric is a loss, as the Trainer decides.
    public var greaterIsBetter: Bool?
    public var seed = 42
    /// Lectern's addition: `false` takes the training examples in dataset order, for experiments
    /// that must line up with a reference run batch for batch.
    public var shuffle = true
    /// Overrides config.json's dropout probabilities (e.g. 0 for experiments and tests).
    public var dropout: Float?
    /// The matrix products' precision: `.bfloat16` is what `bf16=True` gives where the CPU has
    /// AVX512-BF16 (`MatrixPrecision.forRequest` decides, once, before training).
    public var precision = MatrixPrecision.float32

    public init(outputDir: String) {
        self.outputDir = outputDir
    }

    /// The metric's key in evaluation results ("eval_loss", "eval_accuracy", ...).
    public var bestMetricKey: String { metricForBestModel.hasPrefix("eval_") ? metricForBestModel : "eval_" + metricForBestModel }

    public var prefersGreater: Bool { greaterIsBetter ?? !metricForBestModel.hasSuffix("loss") }

    /// Whether `value` of the best-model metric is strictly better than `best` (any value is, before the first).
    public func improves(_ value: Double, on best: Double?) -> Bool {
        best.map { prefersGreater ? value > $0 : value < $0 } ?? true
    }

    /// Batches per epoch for `examples` training examples (the last may be smaller).
    public func batchesPerEpoch(examples: Int) -> Int { (examples + perDeviceTrainBatchSize - 1) / perDeviceTrainBatchSize }

    /// Optimizer steps per epoch: `gradient_accumulation_steps` batches each, the last step taking what is left.
    public func stepsPerEpoch(examples: Int) -> Int {
        (batchesPerEpoch(examples: examples) + gradientAccumulationSteps - 1) / gradientAccumulationSteps
    }

    /// The total number of optimizer steps, as the Trainer computes `max_steps`.
    public func totalSteps(examples: Int) -> Int {
        if let maxSteps { return maxSteps }
        return Int((numTrainEpochs * Double(stepsPerEpoch(examples: examples))).rounded(.up))
    }

    /// Warm-up steps: `warmup_steps` if set, else ⌈warmup_ratio · total⌉.
    public func warmup(totalSteps: Int) -> Int {
        warmupSteps > 0 ? warmupSteps : Int((warmupRatio * Double(totalSteps)).rounded(.up))
    }

    /// The learning rate of each step of a run of `totalSteps` (`reduce_lr_on_plateau` holds the peak until an evaluation moves it).
    public func schedule(totalSteps: Int) -> LearningRateSchedule {
        LearningRateSchedule(lrSchedulerType, peak: learningRate, warmupSteps: warmup(totalSteps: totalSteps), totalSteps: totalSteps,
                             options: lrSchedulerOptions)
    }
}
