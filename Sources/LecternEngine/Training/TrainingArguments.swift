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
    public var perDeviceEvalBatchSize = 8
    public var learningRate: Float = 5e-5
    public var weightDecay: Float = 0
    public var warmupSteps = 0
    public var warmupRatio: Double = 0
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

    /// Optimizer steps per epoch for `examples` training examples.
    public func stepsPerEpoch(examples: Int) -> Int { (examples + perDeviceTrainBatchSize - 1) / perDeviceTrainBatchSize }

    /// The total number of optimizer steps, as the Trainer computes `max_steps`.
    public func totalSteps(examples: Int) -> Int {
        if let maxSteps { return maxSteps }
        return Int((numTrainEpochs * Double(stepsPerEpoch(examples: examples))).rounded(.up))
    }

    /// Warm-up steps: `warmup_steps` if set, else ⌈warmup_ratio · total⌉.
    public func warmup(totalSteps: Int) -> Int {
        warmupSteps > 0 ? warmupSteps : Int((warmupRatio * Double(totalSteps)).rounded(.up))
    }
}
