import Foundation
import LecternFiles

/// One training or evaluation example: token ids ([CLS] … [SEP]) and what it should be predicted as.
public struct LabelledSequence: Sendable, Equatable {
    public var ids: [Int32]
    public var target: Target
    /// The token types of a sentence pair; nil when all are 0.
    public var typeIDs: [Int32]?

    public init(ids: [Int32], target: Target, typeIDs: [Int32]? = nil) {
        self.ids = ids
        self.target = target
        self.typeIDs = typeIDs
    }

    /// A single-label classification example.
    public init(ids: [Int32], label: Int, typeIDs: [Int32]? = nil) {
        self.init(ids: ids, target: .label(label), typeIDs: typeIDs)
    }
}

extension TokenBatch {
    /// A batch of labelled sequences, with their token types.
    public init<Rows: Collection<LabelledSequence>>(examples: Rows) {
        self.init(examples.map(\.ids), typeIDs: examples.map(\.typeIDs))
    }
}

/// The Hugging Face Trainer's training loop with its logging, evaluation, checkpoint and
/// best-model semantics, over Lectern's engine.
///
/// Log entries use the Trainer's keys: `loss` (mean of the step losses since the last log),
/// `grad_norm` (the last step's norm before clipping), `learning_rate` (the rate that step used),
/// `epoch` (fractional), `step`; evaluation entries `eval_loss`, `eval_<metric>`, `eval_runtime`,
/// `eval_samples_per_second`, `eval_steps_per_second`.
public final class Trainer: @unchecked Sendable {
    /// The metrics of an evaluation: the logits (`[examples, outputs]`), the targets, the number of outputs.
    public typealias Metrics = (_ logits: [Float], _ targets: [Target], _ outputs: Int) -> [(String, Double)]

    public let arguments: TrainingArguments
    public let model: TrainingModel
    public let optimizer: AdamW
    public var parameters: ModelParameters { model.parameters }
    private let computeMetrics: Metrics
    private var checkpoints: CheckpointStore
    public private(set) var logHistory: [TrainerLogEntry] = [] {
        didSet { if logHistory.count > oldValue.count { logHistory[oldValue.count...].forEach(onLog) } }
    }
    /// Hears each `log_history` entry as it is made (a live view of the run; restored entries too on resume).
    public var onLog: @Sendable (TrainerLogEntry) -> Void = { _ in }
    public private(set) var bestMetric: Double?
    public private(set) var bestModelCheckpoint: String?
    public private(set) var globalStep = 0
    /// The last finite batch loss, for the message when one is not.
    private var lastFiniteLoss: Float?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Training stopped early because `shouldStop` said so; `checkpoint` holds the state to resume from.
    public struct Interrupted: Error, CustomStringConvertible {
        public var step: Int
        public var checkpoint: String?

        public var description: String {
            "Interrupted at step \(step)" + (checkpoint.map { "; the checkpoint \($0) holds everything needed to continue." }
                ?? " before any step finished; nothing needed saving.")
        }
    }

    /// Asked before every step; when it returns true, training saves a checkpoint and throws `Interrupted`.
    public var shouldStop: @Sendable () -> Bool = { false }

    public init(parameters: ModelParameters, arguments: TrainingArguments, tokenizerFolder: String?, computeMetrics: @escaping Metrics) {
        self.arguments = arguments
        let dropout = arguments.dropout.map { DropoutRates(hidden: $0, attention: $0, classifier: $0) }
        model = TrainingModel(parameters: parameters, dropout: dropout, seed: UInt64(arguments.seed), precision: arguments.precision,
                              labelSmoothing: arguments.labelSmoothingFactor)
        optimizer = AdamW(parameters: parameters, weightDecay: arguments.weightDecay)
        (optimizer.beta1, optimizer.beta2, optimizer.epsilon) = (arguments.adamBeta1, arguments.adamBeta2, arguments.adamEpsilon)
        checkpoints = CheckpointStore(outputDir: arguments.outputDir, tokenizerFolder: tokenizerFolder, totalLimit: arguments.saveTotalLimit)
        self.computeMetrics = computeMetrics
    }

    /// What `train` returns: the final metrics (`train_runtime`, `train_samples_per_second`,
    /// `train_steps_per_second`, `train_loss`, `epoch`).
    public struct Output: Sendable {
        public var metrics: [(key: String, value: Double)]
        public var globalStep: Int
    }

    /// Trains on `train`, evaluating on `eval` as the strategy says. `progress` hears every step.
    ///
    /// With `resumeFrom` (a checkpoint this trainer's arguments wrote), the weights, AdamW's
    /// moments, the step, the log and the best checkpoint are restored, and training continues
    /// where it stopped: the batches and dropout masks depend only on the seed, the epoch and the
    /// step, so the run ends with the same weights as an uninterrupted one.
    public func train(_ train: [LabelledSequence], eval: [LabelledSequence]?, resumeFrom checkpoint: String? = nil,
                      progress: (_ step: Int, _ total: Int, _ loss: Float) -> Void = { _, _, _ in }) throws -> Output {
        let arguments = self.arguments
        guard !train.isEmpty else { throw Failure(description: "There are no training examples.") }
        let batchSize = arguments.perDeviceTrainBatchSize, accumulation = arguments.gradientAccumulationSteps
        let batchesPerEpoch = arguments.batchesPerEpoch(examples: train.count)
        let stepsPerEpoch = arguments.stepsPerEpoch(examples: train.count)
        let totalSteps = arguments.totalSteps(examples: train.count)
        let epochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch
        let schedule = arguments.schedule(totalSteps: totalSteps)
        var plateau = arguments.lrSchedulerType == .reduceLROnPlateau ? PlateauSchedule(peak: arguments.learningRate, options: arguments.plateauOptions) : nil
        var earlyStopping = arguments.earlyStoppingPatience.map {
            EarlyStopping(patience: $0, threshold: arguments.earlyStoppingThreshold, prefersGreater: arguments.prefersGreater)
        }
        let clock = ContinuousClock.now
        var stepLosses: Double = 0, totalLoss: Double = 0, lastLogged = 0
        var resumedAt = 0
        if let checkpoint {
            let restored = try checkpoints.restore(from: checkpoint, into: parameters, optimizer: optimizer)
            (globalStep, bestMetric, bestModelCheckpoint, logHistory) = (restored.globalStep, restored.bestMetric, restored.bestModelCheckpoint, restored.logHistory)
            resumedAt = globalStep
            (totalLoss, stepLosses, lastLogged) = (restored.totalLoss, restored.lossSinceLog, restored.lastLoggedStep)
            // The plateau schedule's and early stopping's state is the evaluations so far: replayed from the log.
            var best: Double?
            for entry in logHistory {
                guard case .evaluation = entry, let metric = entry.result(arguments.bestMetricKey) else { continue }
                plateau?.step(metric: metric)
                _ = earlyStopping?.observe(metric, best: best)
                if arguments.improves(metric, on: best) { best = metric }
            }
        }
        // What a checkpoint needs beyond the Trainer's own state for the resumed logs to equal an uninterrupted run's.
        func runningLoss() -> CheckpointStore.RunningLoss {
            CheckpointStore.RunningLoss(totalLoss: totalLoss, lossSinceLog: stepLosses, lastLoggedStep: lastLogged)
        }

        var stoppedAt: Double?
        training: for epoch in 0..<epochs {
            var shuffle = EpochShuffle(seed: UInt64(arguments.seed) &* 1_000_003 &+ UInt64(epoch))
            let order = arguments.shuffle ? shuffle.permutation(train.count) : Array(0..<train.count)
            for step in 0..<stepsPerEpoch {
                if globalStep >= totalSteps { break training }
                if epoch * stepsPerEpoch + step < resumedAt { continue }
                if shouldStop() {
                    throw try interrupt(epoch: Double(globalStep) / Double(stepsPerEpoch), totalSteps: totalSteps, runningLoss: runningLoss())
                }
                let batches = (step * accumulation)..<min((step + 1) * accumulation, batchesPerEpoch)
                let loss = try accumulateGradients(batches.map { batch in
                    order[(batch * batchSize)..<min((batch + 1) * batchSize, train.count)].map { train[$0] }
                })
                let rate = plateau.map { Float($0.rate) } ?? schedule.rate(at: globalStep)
                let norm = optimizer.apply(model, rate: rate, maxGradNorm: arguments.maxGradNorm)
                globalStep += 1
                stepLosses += Double(loss)
                totalLoss += Double(loss)
                let epochPosition = Double(epoch) + Double(batches.upperBound) / Double(batchesPerEpoch)
                progress(globalStep, totalSteps, loss)
                if globalStep % arguments.loggingSteps == 0 {
                    logHistory.append(.training(loss: stepLosses / Double(globalStep - lastLogged), gradNorm: Double(norm),
                                                learningRate: Double(rate), epoch: epochPosition, step: globalStep))
                    stepLosses = 0
                    lastLogged = globalStep
                }
                let atEpochEnd = step == stepsPerEpoch - 1 || globalStep == totalSteps
                // As transformers' DefaultFlowCallback: with the `steps` strategies the last step also evaluates and saves.
                let atEnd = globalStep == totalSteps
                var metrics: [(key: String, value: Double)]?
                var stops = false
                if let eval, arguments.evalStrategy == .steps && (globalStep % (arguments.evalSteps ?? arguments.loggingSteps) == 0 || atEnd)
                    || arguments.evalStrategy == .epoch && atEpochEnd {
                    metrics = try evaluate(eval)
                    logHistory.append(.evaluation(results: TrainerLogEntry.canonical(metrics!), epoch: epochPosition, step: globalStep))
                    if plateau != nil || earlyStopping != nil {
                        guard let metric = metrics?.first(where: { $0.key == arguments.bestMetricKey })?.value else {
                            throw Failure(description: "metric_for_best_model `\(arguments.bestMetricKey)` is not among the evaluation results.")
                        }
                        plateau?.step(metric: metric)
                        stops = earlyStopping?.observe(metric, best: bestMetric) ?? false
                    }
                }
                if arguments.saveStrategy == .steps && (globalStep % arguments.saveSteps == 0 || atEnd) || arguments.saveStrategy == .epoch && atEpochEnd {
                    try saveCheckpoint(metrics: metrics, epoch: epochPosition, totalSteps: totalSteps, runningLoss: runningLoss())
                }
                if stops {
                    stoppedAt = epochPosition
                    break training
                }
            }
        }
        if arguments.loadBestModelAtEnd, let best = bestModelCheckpoint {
            try CheckpointWriter.load(best, into: parameters)
        }
        let runtime = Self.seconds(since: clock)
        let samples = arguments.maxSteps != nil ? Double(totalSteps * batchSize * accumulation) : Double(train.count) * arguments.numTrainEpochs
        let summary = TrainerLogEntry.summary(results: [
            ("train_runtime", (runtime * 10_000).rounded() / 10_000),
            ("train_samples_per_second", (samples / runtime * 1000).rounded() / 1000),
            ("train_steps_per_second", (Double(totalSteps) / runtime * 1000).rounded() / 1000),
            ("train_loss", totalLoss / Double(max(globalStep, 1))),
        ], epoch: stoppedAt ?? Double(globalStep) / Double(stepsPerEpoch), step: globalStep)
        logHistory.append(summary)
        return Output(metrics: summary.fields, globalStep: globalStep)
    }

    /// One optimizer step's gradients: each batch's forward and backward pass, adding up. Returns the
    /// step's loss, the sum of the batches' mean losses (the Trainer's `tr_loss_step`s for a model whose
    /// loss takes no item count).
    private func accumulateGradients(_ batches: [[LabelledSequence]]) throws -> Float {
        model.zeroGradients()
        var loss: Float = 0
        for (index, rows) in batches.enumerated() {
            // The dropout masks of a step's first batch are those Lectern has always drawn for that step.
            model.reseedDropout(UInt64(arguments.seed) &* 0x9E37_79B9 &+ UInt64(globalStep) &+ UInt64(index) << 40)
            let batchLoss = try model.forward(TokenBatch(examples: rows), targets: rows.map(\.target)).loss
            guard batchLoss.isFinite else {
                throw Failure(description: "The loss became \(batchLoss.isNaN ? "NaN" : "infinite") at step \(globalStep + 1)"
                    + (lastFiniteLoss.map { "; the last finite loss was \(String(format: "%.6g", $0))" } ?? "")
                    + (checkpoints.saved.last.map { "; the last checkpoint is \($0)" } ?? "; no checkpoint was saved before it")
                    + ". Try a smaller learning_rate (or check the model's weights).")
            }
            lastFiniteLoss = batchLoss
            model.backward()
            loss += batchLoss
        }
        return loss
    }

    /// Saves the state after the last finished step (unless a checkpoint already holds it) and returns the error to throw.
    private func interrupt(epoch: Double, totalSteps: Int, runningLoss: CheckpointStore.RunningLoss) throws -> Interrupted {
        guard globalStep > 0 else { return Interrupted(step: 0, checkpoint: nil) }
        let folder = checkpoints.folder(step: globalStep)
        if !checkpoints.saved.contains(folder) {
            try saveCheckpoint(metrics: nil, epoch: epoch, totalSteps: totalSteps, runningLoss: runningLoss)
        }
        return Interrupted(step: globalStep, checkpoint: folder)
    }

    /// Why `folder` cannot be resumed from, or nil when it is a complete checkpoint (`CheckpointStore.problem`).
    public static func checkpointProblem(in folder: String) -> String? { CheckpointStore.problem(in: folder) }

    /// Evaluation-mode loss and metrics over `examples`, `per_device_eval_batch_size` at a time.
    public func evaluate(_ examples: [LabelledSequence]) throws(ModelError) -> [(key: String, value: Double)] {
        try evaluateWithLogits(examples).metrics
    }

    /// `evaluate`, also returning the logits (`[examples, labels]`).
    public func evaluateWithLogits(_ examples: [LabelledSequence]) throws(ModelError) -> (metrics: [(key: String, value: Double)], logits: [Float]) {
        try Evaluation.run(parameters: parameters, precision: arguments.precision, batchSize: arguments.perDeviceEvalBatchSize, examples: examples,
                           labelSmoothing: arguments.labelSmoothingFactor,
                           computeMetrics: computeMetrics)
    }

    /// Saves `checkpoint-<step>` (`CheckpointStore`), first deciding, as the Trainer does, whether it is the best so far.
    private func saveCheckpoint(metrics: [(key: String, value: Double)]?, epoch: Double, totalSteps: Int, runningLoss: CheckpointStore.RunningLoss) throws {
        if let value = metrics?.first(where: { $0.key == arguments.bestMetricKey })?.value {
            // Strictly better replaces; a tie keeps the earlier checkpoint.
            if arguments.improves(value, on: bestMetric) {
                bestMetric = value
                bestModelCheckpoint = checkpoints.folder(step: globalStep)
            }
        } else if arguments.loadBestModelAtEnd, metrics != nil {
            throw Failure(description: "metric_for_best_model `\(arguments.metricForBestModel)` is not among the evaluation results "
                + (metrics ?? []).map { "`\($0.key)`" }.joined(separator: ", ") + ".")
        }
        let state = CheckpointStore.TrainerState(
            bestMetric: bestMetric, bestModelCheckpoint: bestModelCheckpoint, epoch: epoch, globalStep: globalStep, maxSteps: totalSteps,
            numTrainEpochs: Int(arguments.numTrainEpochs.rounded(.up)), loggingSteps: arguments.loggingSteps,
            evalSteps: arguments.evalSteps ?? arguments.loggingSteps, saveSteps: arguments.saveSteps,
            trainBatchSize: arguments.perDeviceTrainBatchSize, logHistory: logHistory)
        try checkpoints.save(step: globalStep, parameters: parameters, optimizer: optimizer, state: state, runningLoss: runningLoss,
                             best: bestModelCheckpoint)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return max(1e-9, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
}

/// A fresh permutation of the training examples for each epoch, from one seeded stream
/// (Fisher–Yates with unbiased bounded draws), so a run is repeatable for a given seed.
struct EpochShuffle {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed ^ 0x5EED_5EED) }

    mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        var index = count - 1
        while index > 0 {
            let bound = UInt64(index + 1)
            // Rejection removes the modulo bias.
            let limit = UInt64.max - UInt64.max % bound
            var draw = generator.nextUInt64()
            while draw >= limit { draw = generator.nextUInt64() }
            values.swapAt(index, Int(draw % bound))
            index -= 1
        }
        return values
    }
}
