import Foundation
import LecternFiles

/// A training run's checkpoints, `output_dir/checkpoint-<step>/`: each written whole or not at all,
/// read back to resume, checked for damage, and rotated by `save_total_limit` (never the best).
/// A checkpoint holds the model (save_pretrained layout), the tokenizer files, trainer_state.json
/// and AdamW's moments with the running loss sums.
struct CheckpointStore {
    let outputDir: String
    /// Where the tokenizer files come from, copied into each checkpoint.
    let tokenizerFolder: String?
    let totalLimit: Int?
    /// The checkpoints this run wrote (or resumed from), oldest first.
    private(set) var saved: [String] = []

    init(outputDir: String, tokenizerFolder: String?, totalLimit: Int?) {
        self.outputDir = outputDir
        self.tokenizerFolder = tokenizerFolder
        self.totalLimit = totalLimit
    }

    /// trainer_state.json as transformers writes it, with the fields Lectern fills.
    struct TrainerState {
        var bestMetric: Double?
        var bestModelCheckpoint: String?
        var epoch: Double
        var globalStep: Int
        var maxSteps: Int
        var numTrainEpochs: Int
        var loggingSteps: Int
        var evalSteps: Int
        var saveSteps: Int
        var trainBatchSize: Int
        var logHistory: [TrainerLogEntry]

        func json() throws -> Data {
            let state: [String: Any] = [
                "best_metric": bestMetric.map { $0 as Any } ?? NSNull(),
                "best_model_checkpoint": bestModelCheckpoint.map { $0 as Any } ?? NSNull(),
                "epoch": epoch, "global_step": globalStep, "max_steps": maxSteps, "num_train_epochs": numTrainEpochs,
                "logging_steps": loggingSteps, "eval_steps": evalSteps, "save_steps": saveSteps, "train_batch_size": trainBatchSize,
                "log_history": logHistory.map { entry in
                    Dictionary(entry.fields.map { ($0.key, $0.key == "step" ? Int($0.value) as Any : $0.value as Any) }, uniquingKeysWith: { $1 })
                },
            ]
            return try JSONSerialization.data(withJSONObject: state, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
        }
    }

    /// What resuming restores besides the weights and the moments: the step, the best checkpoint,
    /// the log, and the running loss sums (for the resumed logs to equal an uninterrupted run's).
    struct Restored {
        var globalStep: Int
        var bestMetric: Double?
        var bestModelCheckpoint: String?
        var logHistory: [TrainerLogEntry]
        var totalLoss: Double
        var lossSinceLog: Double
        var lastLoggedStep: Int
    }

    /// The running loss sums, as strings in optimizer.safetensors' metadata.
    struct RunningLoss {
        var totalLoss: Double
        var lossSinceLog: Double
        var lastLoggedStep: Int

        var metadata: [String: String] {
            ["total_loss": String(totalLoss), "loss_since_log": String(lossSinceLog), "last_logged_step": String(lastLoggedStep)]
        }
    }

    /// The part of trainer_state.json that resuming needs. Decoded with JSONDecoder, which reads
    /// numbers exactly (JSONSerialization on Linux goes through NSDecimalNumber and loses the last digits).
    private struct SavedState: Decodable {
        var global_step: Int
        var best_metric: Double?
        var best_model_checkpoint: String?
        var log_history: [[String: Double]]
    }

    func folder(step: Int) -> String { (outputDir as NSString).appendingPathComponent("checkpoint-\(step)") }

    /// Writes `checkpoint-<step>`: into a hidden folder renamed into place at the end, so a kill at
    /// any moment leaves either no checkpoint or a complete one. Then drops the oldest checkpoints
    /// beyond `save_total_limit`, never `best`.
    mutating func save(step: Int, parameters: ModelParameters, optimizer: AdamW, state: TrainerState, runningLoss: RunningLoss, best: String?) throws {
        let folder = self.folder(step: step)
        let partial = (outputDir as NSString).appendingPathComponent(".checkpoint-\(step).partial")
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try CheckpointWriter.save(parameters, to: partial, tokenizerFrom: tokenizerFolder)
            let moments = [(name: "exp_avg", shape: [optimizer.firstMoment.count], values: UnsafeBufferPointer(optimizer.firstMoment)),
                           (name: "exp_avg_sq", shape: [optimizer.secondMoment.count], values: UnsafeBufferPointer(optimizer.secondMoment))]
            try SafetensorsWriter.write(moments, metadata: ["format": "lectern-adamw", "step": String(optimizer.step)].merging(runningLoss.metadata) { $1 },
                                        to: (partial as NSString).appendingPathComponent("optimizer.safetensors"))
            try AtomicFile.write(try state.json(), to: (partial as NSString).appendingPathComponent("trainer_state.json"))
            try AtomicFile.replaceFolder(at: folder, with: partial)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        saved.append(folder)
        if let totalLimit {
            while saved.count > max(totalLimit, 1) {
                guard let oldest = saved.first(where: { $0 != best }) else { break }
                try? FileManager.default.removeItem(atPath: oldest)
                saved.removeAll { $0 == oldest }
            }
        }
    }

    /// Reads a checkpoint's weights into `parameters` and its moments into `optimizer`; returns the rest.
    mutating func restore(from folder: String, into parameters: ModelParameters, optimizer: AdamW) throws -> Restored {
        if let problem = Self.problem(in: folder) {
            throw Trainer.Failure(description: "Cannot resume from \(folder): \(problem). Lectern wrote this checkpoint; resume from an earlier "
                                  + "one (`resume_from_checkpoint: last` skips damaged checkpoints) or train from the beginning.")
        }
        try CheckpointWriter.load(folder, into: parameters)
        let statePath = (folder as NSString).appendingPathComponent("trainer_state.json")
        guard let data = FileManager.default.contents(atPath: statePath), let state = try? JSONDecoder().decode(SavedState.self, from: data) else {
            throw Trainer.Failure(description: "\(statePath) is missing or is not a trainer state; cannot resume from \(folder).")
        }
        let moments = try SafetensorsFile(path: (folder as NSString).appendingPathComponent("optimizer.safetensors"))
        guard let optimizerStep = moments.metadata["step"].flatMap(Int.init) else {
            throw Trainer.Failure(description: "\(folder)/optimizer.safetensors has no step; cannot resume.")
        }
        let first = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameters.count)
        let second = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameters.count)
        defer { first.deallocate(); second.deallocate() }
        try moments.read("exp_avg", into: first)
        try moments.read("exp_avg_sq", into: second)
        optimizer.restore(step: optimizerStep, first: UnsafeBufferPointer(first), second: UnsafeBufferPointer(second))
        saved = [folder]
        // A checkpoint written by transformers (or an older Lectern) lacks the sums: start them afresh, as the Trainer does.
        return Restored(globalStep: state.global_step, bestMetric: state.best_metric, bestModelCheckpoint: state.best_model_checkpoint,
                        logHistory: state.log_history.map { entry in TrainerLogEntry(fields: entry.map { (key: $0.key, value: $0.value) }) },
                        totalLoss: moments.metadata["total_loss"].flatMap(Double.init) ?? 0,
                        lossSinceLog: moments.metadata["loss_since_log"].flatMap(Double.init) ?? 0,
                        lastLoggedStep: moments.metadata["last_logged_step"].flatMap(Int.init) ?? state.global_step)
    }

    /// Why `folder` cannot be resumed from (a file missing, unreadable or cut short), or nil when it is
    /// complete: its trainer state, weights and optimizer moments open and agree in size. Checkpoints are
    /// written whole or not at all, but a disk can still lose a file's end afterwards.
    static func problem(in folder: String) -> String? {
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
}
