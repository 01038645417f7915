import Foundation
import LecternFiles
import LecternEngine
import LecternNotebook
import LecternTranscript

/// ```train```: fine-tunes a sequence classifier on the tokenized training split with the Hugging Face
/// Trainer's semantics; parameters are `TrainingArguments`' names and defaults (`TrainerArguments`).
public struct TrainDirective: DirectiveHandler {
    public init() {}

    public static let name = DirectiveName.train
    public static let provides: [SessionResource] = [.model]
    public static func needs(_ settings: Settings) -> [SessionResource] { [.dataset, .tokenizer] }

    /// The keywords of transformers' `TrainingArguments` a cell may give, for the Python export.
    public static var transformersKeywords: [String] { TrainerArguments.transformersKeywords }

    public static var cacheable: Bool { true }
    public static func cacheKeyParts(_ settings: Settings) -> [String] { settings.precision.cacheKeyParts }
    public static func runHeader(_ settings: Settings) -> [RunHeaderNote] { settings.precision.runHeader }

    /// The model named here (else the tokenizer's, which the `tokenize` cell's key covers) and a checkpoint to resume from.
    public func inputs(_ settings: Settings, context: RunContext) -> [String] {
        var paths: [String] = []
        if let model = settings.model, let folder = try? ModelResolver.resolve(model, relativeTo: context.baseFolder) { paths.append(folder) }
        if let resume = settings.resumeFromCheckpoint, resume != "last" {
            paths.append(resume.hasPrefix("/") ? resume : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(resume))
        }
        return paths
    }

    /// The fine-tuned weights, in the layout `save_pretrained` writes.
    public func saveState(_ settings: Settings, session: Session, to folder: String) throws {
        guard let model = session.model else { return }
        try CheckpointWriter.save(model.classifier.model.parameters, to: folder, tokenizerFrom: nil)
    }

    public func restoreState(_ settings: Settings, session: inout Session, from folder: String, context: RunContext) throws(Diagnostic) {
        guard let tokenized = session.tokenized else { throw Diagnostic("`train` needs a `tokenize` cell above it.", at: settings.arguments.location) }
        do {
            let checkpoint = try ModelCheckpoint(folder: folder)
            let classifier = TextClassifier(tokenizer: tokenized.tokenizer, model: SequenceClassifier(parameters: checkpoint.parameters), maxLength: tokenized.maxLength)
            session.model = TrainedModel(name: (settings.model ?? tokenized.modelName) + " (fine-tuned)", classifier: classifier)
        } catch {
            throw Diagnostic("The cached model in \(folder) cannot be read: \(error)", at: settings.arguments.location)
        }
    }

    public func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let arguments = settings.arguments
        guard let loaded = session.dataset, let tokenized = session.tokenized else {
            throw Diagnostic("`train` needs a `load` and a `tokenize` cell above it.", at: arguments.location)
        }
        let dataset = loaded.dataset
        let training = settings.training(notebookSeed: context.seed)
        let trainSplit = settings.trainSplit, evalSplit = settings.evalSplit
        let labelCount = dataset.labelNames.count
        guard let trainRows = dataset[split: trainSplit],
              let trainExamples = tokenized.examples(trainSplit, labels: trainRows.targets, labelCount: labelCount) else {
            throw arguments.problem("The dataset has no split `\(trainSplit)` to train on.", with: Settings.trainSplit,
                                    hint: "Its splits are " + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".")
        }
        var evalExamples: [LabelledSequence]?
        if training.evalStrategy != .no {
            guard let evalRows = dataset[split: evalSplit], let examples = tokenized.examples(evalSplit, labels: evalRows.targets, labelCount: labelCount) else {
                throw arguments.problem("The dataset has no split `\(evalSplit)` to evaluate on.", with: Settings.evalSplit,
                                        hint: "Its splits are " + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".")
            }
            evalExamples = examples
        }
        let modelName = settings.model ?? tokenized.modelName
        let folder: String
        let checkpoint: ModelCheckpoint
        do {
            folder = settings.model == nil ? tokenized.modelFolder : try ModelResolver.resolve(modelName, relativeTo: context.baseFolder)
            // A single-label head keeps the config it had (transformers infers its problem type); the other tasks are written down.
            let task = dataset.task.problemType
            checkpoint = try ModelCheckpoint(folder: folder, labels: dataset.labelNames, problemType: task == .singleLabelClassification ? nil : task,
                                             seed: UInt64(training.seed))
            session.recordInput(kind: .model, name: modelName, path: folder, hashes: context.hashes)
        } catch {
            throw arguments.problem(error.statement, with: settings.model != nil ? ModelChoice.instead.name : Settings.trainSplit.name, hint: error.hint)
        }

        let metricNames: [CellMetrics.Name]
        switch CellMetrics.names(settings.metrics, given: settings.metricsGiven, task: dataset.task.problemType, average: settings.average) {
        case let .success(names): metricNames = names
        case let .failure(mismatch): throw arguments.problem(mismatch.message, with: mismatch.parameter)
        }
        let average = settings.average, threshold = settings.threshold
        try Self.requireWritable(training.outputDir, arguments: arguments)
        let trainer = Trainer(parameters: checkpoint.parameters, arguments: training, tokenizerFolder: folder) { logits, targets, outputs in
            CellMetrics.compute(logits: logits, targets: targets, outputs: outputs, names: metricNames, average: average, zeroDivision: 0, threshold: threshold)
        }
        trainer.shouldStop = context.isInterrupted
        trainer.onLog = { [progress = context.progress] entry in progress.logged(entry.fields) }
        let (resumeFrom, resumeNotices) = try Self.resumeFolder(settings, outputDir: training.outputDir, context: context)
        let notices = checkpoint.notices + [settings.precision.notice].compactMap { $0 } + resumeNotices
        let result: Trainer.Output
        do {
            result = try trainer.train(trainExamples, eval: evalExamples, resumeFrom: resumeFrom) { step, total, loss in
                context.progress.progress(done: step, total: total, unit: "steps", note: String(format: "loss %.4f", loss))
            }
        } catch let interrupted as Trainer.Interrupted {
            throw Diagnostic("\(interrupted)", at: arguments.location,
                             hint: interrupted.checkpoint == nil ? nil : "Run `lectern run \(context.notebookPath) --resume` to continue from it.")
        } catch {
            throw Diagnostic("Training stopped: \(error)", at: arguments.location)
        }
        let classifier = TextClassifier(tokenizer: tokenized.tokenizer, model: SequenceClassifier(parameters: checkpoint.parameters), maxLength: tokenized.maxLength)
        session.model = TrainedModel(name: modelName + " (fine-tuned)", classifier: classifier)
        return Self.report(trainer: trainer, result: result, notices: notices, examples: trainExamples.count, model: modelName)
    }

    /// The checkpoint to resume from, if any, and what the transcript should say about it:
    /// `--resume` and `resume_from_checkpoint: last` take the newest complete checkpoint, saying which
    /// newer ones were skipped; a named folder must hold a checkpoint.
    static func resumeFolder(_ settings: Settings, outputDir: String, context: RunContext) throws(Diagnostic) -> (String?, [String]) {
        var resumeFrom: String?
        var skipped: [String] = []
        let given = settings.resumeFromCheckpoint
        let resume = given ?? (context.resume ? "last" : nil)
        if resume == "last" { (resumeFrom, skipped) = newestCheckpoint(in: outputDir) }
        var notices = skipped
        if context.resume, given == nil {
            notices.append(resumeFrom.map { "Resumed from \($0) (`--resume`)." }
                ?? "`--resume`: \(outputDir) holds no complete checkpoint, so training started from the beginning.")
        }
        if let resume = given {
            if resume != "last" {
                resumeFrom = resume.hasPrefix("/") ? resume : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(resume)
            }
            guard let folder = resumeFrom, FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("trainer_state.json")) else {
                throw settings.arguments.problem("There is no checkpoint to resume from" + (resumeFrom.map { " at \($0)" } ?? " in \(outputDir)") + "."
                                        + skipped.map { " " + $0 }.joined(),
                                        with: TrainerArguments.resumeFromCheckpoint, hint: "Name a `checkpoint-<step>` folder that a `train` cell saved.")
            }
        }
        return (resumeFrom, notices)
    }

    /// Fails before training starts, not at the first checkpoint, when `output_dir` cannot be written.
    static func requireWritable(_ folder: String, arguments: DirectiveArguments) throws(Diagnostic) {
        do {
            try AtomicFile.write("", to: (folder as NSString).appendingPathComponent(".lectern-write-check"))
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(".lectern-write-check"))
        } catch {
            throw arguments.problem("Checkpoints cannot be written to \(folder): \(error.reason).", with: "output_dir",
                                    hint: "Choose an `output_dir` in a folder you can write to.")
        }
    }

    /// The complete `checkpoint-<step>` folder (one with trainer_state.json) with the highest step.
    /// The newest `checkpoint-<step>` in `folder` that is complete, and a notice for each newer one skipped and why.
    static func newestCheckpoint(in folder: String) -> (folder: String?, skipped: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let checkpoints = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)),
                  FileManager.default.fileExists(atPath: "\(folder)/\(name)/trainer_state.json") else { return nil }
            return (step, (folder as NSString).appendingPathComponent(name))
        }.sorted { $0.0 > $1.0 }
        var skipped: [String] = []
        for (_, checkpoint) in checkpoints {
            guard let problem = Trainer.checkpointProblem(in: checkpoint) else { return (checkpoint, skipped) }
            skipped.append("Skipped \((checkpoint as NSString).lastPathComponent): \(problem).")
        }
        return (nil, skipped)
    }

    static func report(trainer: Trainer, result: Trainer.Output, notices: [String], examples: Int, model: String) -> CellResult {
        var blocks: [OutputBlock] = notices.map { .notice($0) }
        let history = trainer.logHistory
        let steps = history.compactMap { entry -> (loss: Double, gradNorm: Double, learningRate: Double, epoch: Double, step: Int)? in
            guard case let .training(loss, gradNorm, learningRate, epoch, step) = entry else { return nil }
            return (loss, gradNorm, learningRate, epoch, step)
        }
        blocks.append(.text("Fine-tuned \(model) on \(examples.grouped) examples: \(result.globalStep) steps."))
        if !steps.isEmpty {
            blocks.append(.table(OutputTable(title: "Training log", columns: ["Step", "Epoch", "Training loss", "Grad norm", "Learning rate"],
                                             rows: steps.map { entry in
                                                 [String(entry.step), String(format: "%.2f", entry.epoch), String(format: "%.4f", entry.loss),
                                                  String(format: "%.4f", entry.gradNorm), String(format: "%.3e", entry.learningRate)]
                                             }, numericColumns: [0, 1, 2, 3, 4])))
        }
        let evaluations = history.compactMap { entry -> (results: [(key: String, value: Double)], epoch: Double, step: Int)? in
            guard case let .evaluation(results, epoch, step) = entry else { return nil }
            return (results, epoch, step)
        }
        if let first = evaluations.first {
            let runtimeKeys = ["eval_runtime", "eval_samples_per_second", "eval_steps_per_second"]
            let metricKeys = first.results.map(\.key).filter { !runtimeKeys.contains($0) }
            blocks.append(.table(OutputTable(title: "Evaluation", columns: ["Epoch", "Step"] + metricKeys.map { String($0.dropFirst(5)) } + ["Runtime (s)"],
                                             rows: evaluations.map { entry in
                                                 func value(_ key: String) -> String { entry.results.first { $0.key == key }.map { String(format: "%.4f", $0.value) } ?? "–" }
                                                 return [String(format: "%.2f", entry.epoch), String(entry.step)] + metricKeys.map(value)
                                                     + [entry.results.first { $0.key == "eval_runtime" }.map { String(format: "%.2f", $0.value) } ?? "–"]
                                             }, numericColumns: Set(0..<(metricKeys.count + 3)))))
        }
        blocks += charts(history: history)
        blocks.append(.table(OutputTable(title: "Run", columns: ["Metric", "Value"],
                                         rows: result.metrics.filter { $0.key != "step" }.map { [$0.key, CellMetrics.shown($0.value)] }, numericColumns: [1])))
        if let best = trainer.bestModelCheckpoint {
            blocks.append(.text("Best checkpoint: \(best) (\(trainer.arguments.bestMetricKey) \(String(format: "%.4f", trainer.bestMetric ?? .nan)))"
                + (trainer.arguments.loadBestModelAtEnd ? ", loaded at the end." : ".")))
        }
        let json: [(key: String, value: JSONValue)] = [
            ("model", .string(model)),
            ("global_step", .int(result.globalStep)),
            ("output_dir", .string(trainer.arguments.outputDir)),
            ("best_model_checkpoint", trainer.bestModelCheckpoint.map { .string($0) } ?? .null),
            ("best_metric", trainer.bestMetric.map { .double($0) } ?? .null),
            ("log_history", .array(history.map { entry in .object(entry.fields.map { (key: $0.key, value: $0.key == "step" ? .int(Int($0.value)) : .double($0.value)) }) })),
            ("metrics", .object(result.metrics.map { (key: $0.key, value: $0.key == "step" ? .int(Int($0.value)) : .double($0.value)) })),
        ]
        return CellResult(outputs: .object(json), blocks: blocks)
    }

    /// The loss per logged step with the evaluation loss at each evaluation, and the learning rate each logged step used.
    static func charts(history: [TrainerLogEntry]) -> [OutputBlock] {
        var training: [(x: Double, y: Double)] = [], evaluation: [(x: Double, y: Double)] = [], rates: [(x: Double, y: Double)] = []
        for entry in history {
            switch entry {
            case let .training(loss, _, learningRate, _, step):
                training.append((Double(step), loss))
                rates.append((Double(step), learningRate))
            case let .evaluation(_, _, step):
                if let loss = entry.result("eval_loss") { evaluation.append((Double(step), loss)) }
            case .summary, .other:
                continue
            }
        }
        var blocks: [OutputBlock] = []
        if !training.isEmpty || !evaluation.isEmpty {
            var series = [Chart.Series(name: "training loss", points: training)]
            if !evaluation.isEmpty { series.append(Chart.Series(name: "evaluation loss", points: evaluation, markers: true)) }
            blocks.append(.chart(Chart(title: "Loss", kind: .lines(series), xLabel: "step", yLabel: "cross-entropy loss")))
        }
        if !rates.isEmpty {
            blocks.append(.chart(Chart(title: "Learning rate", kind: .lines([Chart.Series(name: "learning rate", points: rates)]),
                                       xLabel: "step", yLabel: "learning rate")))
        }
        return blocks
    }
}
