import Foundation
import LecternFiles

/// One training or evaluation example: token ids ([CLS] … [SEP]) and a label id.
public struct LabelledSequence: Sendable, Equatable {
    public var ids: [Int32]
    public var label: Int
    /// The token types of a sentence pair; nil when all are 0.
    public var typeIDs: [Int32]?

    public init(ids: [Int32], label: Int, typeIDs: [Int32]? = nil) {
        self.ids = ids
        self.label = label
        self.typeIDs = typeIDs
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
    public typealias Metrics = (_ logits: [Float], _ labels: [Int], _ labelCount: Int) -> [(String, Double)]

    public let arguments: TrainingArguments
    public let model: TrainingModel
    public let optimizer: AdamW
    /// What `bf16` gives on this CPU: bfloat16 products for training and evaluation, or float32.
    public let precision: MatrixPrecision
    public var parameters: ModelParameters { model.parameters }
    /// Where the tokenizer files come from, copied into each checkpoint.
    public let tokenizerFolder: String?
    private let computeMetrics: Metrics
    public private(set) var logHistory: [[(key: String, value: Double)]] = []
    public private(set) var bestMetric: Double?
    public private(set) var bestModelCheckpoint: String?
    public private(set) var globalStep = 0
    private var savedCheckpoints: [String] = []

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
        let dropout = arguments.dropout.map { TrainingModel.Dropout(hidden: $0, attention: $0, classifier: $0) }
        model = TrainingModel(parameters: parameters, dropout: dropout, seed: UInt64(arguments.seed))
        precision = MatrixPrecision.forRequest(bf16: arguments.bf16).precision
        model.precision = precision
        optimizer = AdamW(parameters: parameters, weightDecay: arguments.weightDecay)
        self.tokenizerFolder = tokenizerFolder
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
        let batchSize = arguments.perDeviceTrainBatchSize
        let stepsPerEpoch = arguments.stepsPerEpoch(examples: train.count)
        let totalSteps = arguments.totalSteps(examples: train.count)
        let epochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch
        let schedule = LinearSchedule(peak: arguments.learningRate, warmupSteps: arguments.warmup(totalSteps: totalSteps), totalSteps: totalSteps)
        let clock = ContinuousClock.now
        var stepLosses: Double = 0, totalLoss: Double = 0, lastLogged = 0
        var lastFiniteLoss: Float?
        var resumedAt = 0
        if let checkpoint {
            let restored = try restore(from: checkpoint)
            resumedAt = globalStep
            (totalLoss, stepLosses, lastLogged) = (restored.totalLoss, restored.lossSinceLog, restored.lastLoggedStep)
        }
        // What a checkpoint needs beyond the Trainer's own state for the resumed logs to equal an uninterrupted run's.
        func runningLoss() -> [String: String] {
            ["total_loss": String(totalLoss), "loss_since_log": String(stepLosses), "last_logged_step": String(lastLogged)]
        }

        training: for epoch in 0..<epochs {
            var shuffle = EpochShuffle(seed: UInt64(arguments.seed) &* 1_000_003 &+ UInt64(epoch))
            let order = arguments.shuffle ? shuffle.permutation(train.count) : Array(0..<train.count)
            for step in 0..<stepsPerEpoch {
                if globalStep >= totalSteps { break training }
                if epoch * stepsPerEpoch + step < resumedAt { continue }
                if shouldStop() {
                    throw try interrupt(epoch: Double(globalStep) / Double(stepsPerEpoch), totalSteps: totalSteps, runningLoss: runningLoss())
                }
                let rows = order[(step * batchSize)..<min((step + 1) * batchSize, train.count)]
                model.reseedDropout(UInt64(arguments.seed) &* 0x9E37_79B9 &+ UInt64(globalStep))
                model.zeroGradients()
                let loss = try model.forward(TokenBatch(examples: rows.map { train[$0] }), labels: rows.map { train[$0].label }).loss
                guard loss.isFinite else {
                    throw Failure(description: "The loss became \(loss.isNaN ? "NaN" : "infinite") at step \(globalStep + 1)"
                        + (lastFiniteLoss.map { "; the last finite loss was \(String(format: "%.6g", $0))" } ?? "")
                        + (savedCheckpoints.last.map { "; the last checkpoint is \($0)" } ?? "; no checkpoint was saved before it")
                        + ". Try a smaller learning_rate (or check the model's weights).")
                }
                lastFiniteLoss = loss
                model.backward()
                let rate = schedule.rate(at: globalStep)
                let norm = optimizer.apply(model, rate: rate, maxGradNorm: arguments.maxGradNorm)
                globalStep += 1
                stepLosses += Double(loss)
                totalLoss += Double(loss)
                let epochPosition = Double(epoch) + Double(step + 1) / Double(stepsPerEpoch)
                progress(globalStep, totalSteps, loss)
                if globalStep % arguments.loggingSteps == 0 {
                    log([("loss", stepLosses / Double(globalStep - lastLogged)), ("grad_norm", Double(norm)),
                         ("learning_rate", Double(rate)), ("epoch", epochPosition), ("step", Double(globalStep))])
                    stepLosses = 0
                    lastLogged = globalStep
                }
                let atEpochEnd = step == stepsPerEpoch - 1 || globalStep == totalSteps
                // As transformers' DefaultFlowCallback: with the `steps` strategies the last step also evaluates and saves.
                let atEnd = globalStep == totalSteps
                var metrics: [(key: String, value: Double)]?
                if let eval, arguments.evalStrategy == .steps && (globalStep % (arguments.evalSteps ?? arguments.loggingSteps) == 0 || atEnd)
                    || arguments.evalStrategy == .epoch && atEpochEnd {
                    metrics = try evaluate(eval)
                    log(metrics! + [("epoch", epochPosition), ("step", Double(globalStep))])
                }
                if arguments.saveStrategy == .steps && (globalStep % arguments.saveSteps == 0 || atEnd) || arguments.saveStrategy == .epoch && atEpochEnd {
                    try saveCheckpoint(metrics: metrics, epoch: epochPosition, totalSteps: totalSteps, runningLoss: runningLoss())
                }
            }
        }
        if arguments.loadBestModelAtEnd, let best = bestModelCheckpoint {
            try CheckpointWriter.load(best, into: parameters)
        }
        let runtime = Self.seconds(since: clock)
        let samples = arguments.maxSteps != nil ? Double(totalSteps * batchSize) : Double(train.count) * arguments.numTrainEpochs
        let final: [(key: String, value: Double)] = [
            ("train_runtime", (runtime * 10_000).rounded() / 10_000),
            ("train_samples_per_second", (samples / runtime * 1000).rounded() / 1000),
            ("train_steps_per_second", (Double(totalSteps) / runtime * 1000).rounded() / 1000),
            ("train_loss", totalLoss / Double(max(globalStep, 1))),
            ("epoch", Double(globalStep) / Double(stepsPerEpoch)),
            ("step", Double(globalStep)),
        ]
        log(final)
        return Output(metrics: final, globalStep: globalStep)
    }

    /// Saves the state after the last finished step (unless a checkpoint already holds it) and returns the error to throw.
    private func interrupt(epoch: Double, totalSteps: Int, runningLoss: [String: String]) throws -> Interrupted {
        guard globalStep > 0 else { return Interrupted(step: 0, checkpoint: nil) }
        let folder = checkpointFolder(step: globalStep)
        if !savedCheckpoints.contains(folder) {
            try saveCheckpoint(metrics: nil, epoch: epoch, totalSteps: totalSteps, runningLoss: runningLoss)
        }
        return Interrupted(step: globalStep, checkpoint: folder)
    }

    private func checkpointFolder(step: Int) -> String {
        (arguments.outputDir as NSString).appendingPathComponent("checkpoint-\(step)")
    }

    /// The part of trainer_state.json that resuming needs. Decoded with JSONDecoder, which reads
    /// numbers exactly (JSONSerialization on Linux goes through NSDecimalNumber and loses the last digits).
    private struct SavedState: Decodable {
        var global_step: Int
        var best_metric: Double?
        var best_model_checkpoint: String?
        var log_history: [[String: Double]]
    }

    /// The running loss sums a checkpoint carries (in optimizer.safetensors' metadata).
    private struct RunningLoss {
        var totalLoss: Double
        var lossSinceLog: Double
        var lastLoggedStep: Int
    }

    /// Restores a checkpoint's weights, optimizer state, step, log, best checkpoint and running loss sums.
    /// Why `folder` cannot be resumed from (a file missing, unreadable or cut short), or nil when it is
    /// complete: its trainer state, weights and optimizer moments open and agree in size. Checkpoints are
    /// written whole or not at all, but a disk can still lose a file's end afterwards.
    public static func checkpointProblem(in folder: String) -> String? {
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        guard let data = FileManager.default.contents(atPath: path("trainer_state.json")),
              (try? JSONDecoder().decode(SavedState.self, from: data)) != nil else { return "its trainer_state.json is missing or unreadable" }
        let model: SafetensorsFile, moments: SafetensorsFile
        do throws(ModelError) { model = try SafetensorsFile(path: path("model.safetensors")) } catch { return "its model.safetensors is damaged (\(error.message))" }
        do throws(ModelError) { moments = try SafetensorsFile(path: path("optimizer.safetensors")) } catch { return "its optimizer.safetensors is damaged (\(error.message))" }
        let weights = model.tensors.values.reduce(0) { $0 + $1.count }
        guard moments.metadata["step"].flatMap(Int.init) != nil, let first = moments.tensors["exp_avg"], let second = moments.tensors["exp_avg_sq"],
              first.count == weights, second.count == weights else {
            return "its optimizer.safetensors does not hold AdamW's moments for these weights"
        }
        return nil
    }

    private func restore(from folder: String) throws -> RunningLoss {
        if let problem = Self.checkpointProblem(in: folder) {
            throw Failure(description: "Cannot resume from \(folder): \(problem). Lectern wrote this checkpoint; resume from an earlier "
                          + "one (`resume_from_checkpoint: last` skips damaged checkpoints) or train from the beginning.")
        }
        try CheckpointWriter.load(folder, into: parameters)
        let statePath = (folder as NSString).appendingPathComponent("trainer_state.json")
        guard let data = FileManager.default.contents(atPath: statePath), let state = try? JSONDecoder().decode(SavedState.self, from: data) else {
            throw Failure(description: "\(statePath) is missing or is not a trainer state; cannot resume from \(folder).")
        }
        let moments = try SafetensorsFile(path: (folder as NSString).appendingPathComponent("optimizer.safetensors"))
        guard let optimizerStep = moments.metadata["step"].flatMap(Int.init) else {
            throw Failure(description: "\(folder)/optimizer.safetensors has no step; cannot resume.")
        }
        let first = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameters.count)
        let second = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameters.count)
        defer { first.deallocate(); second.deallocate() }
        try moments.read("exp_avg", into: first)
        try moments.read("exp_avg_sq", into: second)
        optimizer.restore(step: optimizerStep, first: UnsafeBufferPointer(first), second: UnsafeBufferPointer(second))
        globalStep = state.global_step
        bestMetric = state.best_metric
        bestModelCheckpoint = state.best_model_checkpoint
        logHistory = state.log_history.map { entry in Self.canonical(entry.map { (key: $0.key, value: $0.value) }) }
        savedCheckpoints = [folder]
        // A checkpoint written by transformers (or an older Lectern) lacks the sums: start them afresh, as the Trainer does.
        return RunningLoss(totalLoss: moments.metadata["total_loss"].flatMap(Double.init) ?? 0,
                           lossSinceLog: moments.metadata["loss_since_log"].flatMap(Double.init) ?? 0,
                           lastLoggedStep: moments.metadata["last_logged_step"].flatMap(Int.init) ?? state.global_step)
    }

    /// The Trainer's key order within a log entry (JSON objects do not keep it).
    static func logOrder(_ key: String) -> Int {
        let order = ["loss", "grad_norm", "learning_rate", "eval_loss", "train_runtime", "train_samples_per_second", "train_steps_per_second",
                     "train_loss", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second", "epoch", "step"]
        if let index = order.firstIndex(of: key) { return index * 2 }
        return key.hasPrefix("eval_") ? 7 : 21
    }

    /// Evaluation-mode loss and metrics over `examples`, `per_device_eval_batch_size` at a time.
    public func evaluate(_ examples: [LabelledSequence]) throws(ModelError) -> [(key: String, value: Double)] {
        try evaluateWithLogits(examples).metrics
    }

    /// `evaluate`, also returning the logits (`[examples, labels]`).
    public func evaluateWithLogits(_ examples: [LabelledSequence]) throws(ModelError) -> (metrics: [(key: String, value: Double)], logits: [Float]) {
        try Evaluation.run(parameters: parameters, precision: precision, batchSize: arguments.perDeviceEvalBatchSize, examples: examples,
                           computeMetrics: computeMetrics)
    }

    /// Entries keep a canonical key order, the same whether logged now or restored from a checkpoint
    /// (JSON objects do not keep order).
    private func log(_ entry: [(key: String, value: Double)]) {
        logHistory.append(Self.canonical(entry))
    }

    static func canonical(_ entry: [(key: String, value: Double)]) -> [(key: String, value: Double)] {
        entry.sorted { (logOrder($0.key), $0.key) < (logOrder($1.key), $1.key) }
    }

    /// `output_dir/checkpoint-<step>/`: the model (save_pretrained layout), tokenizer files,
    /// trainer_state.json, and the optimizer's moments; keeps the best checkpoint as the Trainer does.
    /// The files are written into a hidden folder that is renamed into place at the end, so a kill at
    /// any moment leaves either no `checkpoint-<step>` or a complete one.
    private func saveCheckpoint(metrics: [(key: String, value: Double)]?, epoch: Double, totalSteps: Int, runningLoss: [String: String]) throws {
        let folder = checkpointFolder(step: globalStep)
        if let value = metrics?.first(where: { $0.key == arguments.bestMetricKey })?.value {
            // Strictly better replaces; a tie keeps the earlier checkpoint.
            if bestMetric == nil || (arguments.prefersGreater ? value > bestMetric! : value < bestMetric!) {
                bestMetric = value
                bestModelCheckpoint = folder
            }
        } else if arguments.loadBestModelAtEnd, metrics != nil {
            throw Failure(description: "metric_for_best_model `\(arguments.metricForBestModel)` is not among the evaluation results "
                + (metrics ?? []).map { "`\($0.key)`" }.joined(separator: ", ") + ".")
        }
        let partial = (arguments.outputDir as NSString).appendingPathComponent(".checkpoint-\(globalStep).partial")
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try CheckpointWriter.save(parameters, to: partial, tokenizerFrom: tokenizerFolder)
            let moments = [(name: "exp_avg", shape: [optimizer.firstMoment.count], values: UnsafeBufferPointer(optimizer.firstMoment)),
                           (name: "exp_avg_sq", shape: [optimizer.secondMoment.count], values: UnsafeBufferPointer(optimizer.secondMoment))]
            try SafetensorsWriter.write(moments, metadata: ["format": "lectern-adamw", "step": String(optimizer.step)].merging(runningLoss) { $1 },
                                        to: (partial as NSString).appendingPathComponent("optimizer.safetensors"))
            try writeTrainerState(to: (partial as NSString).appendingPathComponent("trainer_state.json"), epoch: epoch, totalSteps: totalSteps)
            try AtomicFile.replaceFolder(at: folder, with: partial)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        savedCheckpoints.append(folder)
        if let limit = arguments.saveTotalLimit {
            while savedCheckpoints.count > max(limit, 1) {
                guard let oldest = savedCheckpoints.first(where: { $0 != bestModelCheckpoint }) else { break }
                try? FileManager.default.removeItem(atPath: oldest)
                savedCheckpoints.removeAll { $0 == oldest }
            }
        }
    }

    private func writeTrainerState(to path: String, epoch: Double, totalSteps: Int) throws {
        let state: [String: Any] = [
            "best_metric": bestMetric.map { $0 as Any } ?? NSNull(),
            "best_model_checkpoint": bestModelCheckpoint.map { $0 as Any } ?? NSNull(),
            "epoch": epoch,
            "global_step": globalStep,
            "max_steps": totalSteps,
            "num_train_epochs": Int(arguments.numTrainEpochs.rounded(.up)),
            "logging_steps": arguments.loggingSteps,
            "eval_steps": arguments.evalSteps ?? arguments.loggingSteps,
            "save_steps": arguments.saveSteps,
            "train_batch_size": arguments.perDeviceTrainBatchSize,
            "log_history": logHistory.map { entry in
                Dictionary(entry.map { ($0.key, $0.key == "step" ? Int($0.value) as Any : $0.value as Any) }, uniquingKeysWith: { $1 })
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: state, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data + Data("\n".utf8), to: path)
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
