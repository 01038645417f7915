import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// The Trainer on the tiny transformers-saved checkpoint: fast enough for every test run.
struct TrainerTests {
    static let folder = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path

    /// Texts whose label is told by one word, so a tiny model can learn them.
    static func examples(_ tokenizer: BertTokenizer, count: Int) -> [LabelledSequence] {
        let words = ["world", "sports", "business", "technology"]
        return (0..<count).map { index in
            let label = index % 4
            return LabelledSequence(ids: tokenizer.encode("the \(words[label]) news of day \(index % 7)").ids, label: label)
        }
    }

    static func accuracy(_ logits: [Float], _ targets: [Target], _ count: Int) -> [(String, Double)] {
        [("accuracy", ClassificationMetrics(logits: logits, targets: targets, labelCount: count).accuracy)]
    }

    @Test func logsEvaluatesSavesAndLoadsTheBestModel() throws {
        let output = ScratchFolder()
        let tokenizer = try BertTokenizer(folder: Self.folder)
        let checkpoint = try ModelCheckpoint(folder: Self.folder)
        var arguments = TrainingArguments(outputDir: output.path + "/results")
        arguments.numTrainEpochs = 3
        arguments.perDeviceTrainBatchSize = 8
        arguments.learningRate = 1e-3
        arguments.weightDecay = 0.01
        arguments.loggingSteps = 2
        arguments.evalStrategy = .epoch
        arguments.saveStrategy = .epoch
        arguments.loadBestModelAtEnd = true
        arguments.saveTotalLimit = 2
        arguments.dropout = 0
        let trainer = Trainer(parameters: checkpoint.parameters, arguments: arguments, tokenizerFolder: Self.folder, computeMetrics: Self.accuracy)
        let train = Self.examples(tokenizer, count: 36), eval = Self.examples(tokenizer, count: 12)
        var steps: [Int] = []
        let result = try trainer.train(train, eval: eval) { step, _, _ in steps.append(step) }

        // 36 examples in batches of 8: 5 steps per epoch, 15 in all.
        #expect(steps == Array(1...15))
        #expect(result.globalStep == 15)
        let logs = trainer.logHistory.map(\.fields)
        let trainingLogs = logs.filter { $0.first?.key == "loss" }
        #expect(trainingLogs.count == 7)
        #expect(trainingLogs[0].map(\.key) == ["loss", "grad_norm", "learning_rate", "epoch", "step"])
        #expect(trainingLogs[0].first { $0.key == "epoch" }?.value == 0.4)
        #expect(abs(trainingLogs[0].first { $0.key == "learning_rate" }!.value - 1e-3 * 14 / 15) < 1e-9)
        guard case let .training(_, _, rate, epoch, step) = trainer.logHistory[0] else { Issue.record("the first entry is not a training log"); return }
        #expect(epoch == 0.4 && step == 2 && abs(rate - 1e-3 * 14 / 15) < 1e-9)
        let evaluations = logs.filter { $0.first?.key == "eval_loss" }
        #expect(evaluations.count == 3)
        #expect(evaluations[0].map(\.key) == ["eval_loss", "eval_accuracy", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second", "epoch", "step"])
        let losses = evaluations.map { $0[0].value }
        #expect(losses[2] < losses[0], "eval loss should fall: \(losses)")
        #expect(result.metrics.map(\.key) == ["train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "epoch", "step"])

        // The best checkpoint is the one with the lowest eval loss; the limit keeps it and the newest.
        let best = try #require(trainer.bestModelCheckpoint)
        let bestStep = [5, 10, 15][losses.firstIndex(of: losses.min()!)!]
        #expect(best.hasSuffix("checkpoint-\(bestStep)"))
        let kept = try FileManager.default.contentsOfDirectory(atPath: output.path + "/results").sorted()
        #expect(kept.count == 2 && kept.contains("checkpoint-15") && kept.contains("checkpoint-\(bestStep)"))
        for file in ["model.safetensors", "config.json", "tokenizer.json", "trainer_state.json", "optimizer.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: best + "/" + file), "\(file)")
        }
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.path + "/results/checkpoint-15/trainer_state.json"))) as! [String: Any]
        #expect(state["global_step"] as? Int == 15)
        #expect(state["best_model_checkpoint"] as? String == best)
        #expect((state["log_history"] as? [Any])?.count == 10)

        // The model in memory is the best checkpoint's, and that checkpoint loads as a classifier with the labels.
        let reloaded = try TextClassifier(folder: best)
        #expect(reloaded.labels == ["World", "Sports", "Business", "Sci/Tech"])
        let inMemory = try SequenceClassifier(parameters: checkpoint.parameters).forward(TokenBatch(eval.map(\.ids))).logits
        let fromDisk = try reloaded.model.forward(TokenBatch(eval.map(\.ids))).logits
        // The same weights; the two forward passes may split their sums differently if another test changes
        // OpenBLAS's thread count meanwhile, which moves float32 logits in their last bits.
        #expect(zip(inMemory, fromDisk).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }

    @Test func theSameSeedGivesTheSameWeights() throws {
        let tokenizer = try BertTokenizer(folder: Self.folder)
        func run(seed: Int) throws -> [Float] {
            let checkpoint = try ModelCheckpoint(folder: Self.folder)
            var arguments = TrainingArguments(outputDir: ScratchFolder().path)
            arguments.numTrainEpochs = 1
            arguments.saveStrategy = .no
            arguments.seed = seed
            arguments.learningRate = 1e-3
            let trainer = Trainer(parameters: checkpoint.parameters, arguments: arguments, tokenizerFolder: nil, computeMetrics: Self.accuracy)
            _ = try trainer.train(Self.examples(tokenizer, count: 24), eval: nil)
            return Array(checkpoint.parameters.storage)
        }
        let (first, second, other) = try withBLASThreadsHeld { (try run(seed: 1), try run(seed: 1), try run(seed: 2)) }
        #expect(first == second)
        #expect(first != other)
    }

    /// In float32 and, where the CPU has it, with bfloat16 products (`bf16: true`).
    @Test(arguments: CPU.current.has(.avx512bf16) ? [false, true] : [false])
    func aResumedRunEndsWithTheSameWeightsBitForBit(bf16: Bool) throws {
        try withBLASThreadsHeld { try resumedRunEndsWithTheSameWeights(bf16: bf16) }
    }

    private func resumedRunEndsWithTheSameWeights(bf16: Bool) throws {
        let tokenizer = try BertTokenizer(folder: Self.folder)
        let train = Self.examples(tokenizer, count: 36)
        func arguments(_ output: String) -> TrainingArguments {
            var arguments = TrainingArguments(outputDir: output)
            arguments.precision = MatrixPrecision.forRequest(bf16: bf16).precision
            arguments.numTrainEpochs = 3
            arguments.learningRate = 1e-3
            arguments.weightDecay = 0.01
            arguments.warmupSteps = 2
            arguments.saveStrategy = .epoch
            arguments.loggingSteps = 3
            return arguments
        }
        // Dropout stays on (config.json's 0.1): its masks must be replayed too.
        let whole = try ModelCheckpoint(folder: Self.folder)
        let first = ScratchFolder().path
        let uninterrupted = Trainer(parameters: whole.parameters, arguments: arguments(first), tokenizerFolder: Self.folder, computeMetrics: Self.accuracy)
        _ = try uninterrupted.train(train, eval: nil)

        let resumed = try ModelCheckpoint(folder: Self.folder, seed: 999)
        let trainer = Trainer(parameters: resumed.parameters, arguments: arguments(ScratchFolder().path), tokenizerFolder: Self.folder, computeMetrics: Self.accuracy)
        var steps: [Int] = []
        _ = try trainer.train(train, eval: nil, resumeFrom: first + "/checkpoint-5") { step, _, _ in steps.append(step) }
        #expect(steps == Array(6...15))
        #expect(Array(resumed.parameters.storage) == Array(whole.parameters.storage))
        #expect(trainer.logHistory.compactMap { entry -> Int? in if case let .training(_, _, _, _, step) = entry { step } else { nil } } == [3, 6, 9, 12, 15])
    }

    /// bf16 training gives the same weights on one core as on two (every product sums in a fixed order).
    @Test(.enabled(if: CPU.current.has(.avx512bf16), "this CPU has no AVX512-BF16"))
    func bf16TrainingIsTheSameOnAnyThreadCount() throws {
        let tokenizer = try BertTokenizer(folder: Self.folder)
        func run(threads: Int) throws -> [Float] {
            let saved = BLAS.threads
            BLAS.setThreads(threads)
            defer { BLAS.setThreads(saved) }
            let checkpoint = try ModelCheckpoint(folder: Self.folder)
            var arguments = TrainingArguments(outputDir: ScratchFolder().path)
            arguments.numTrainEpochs = 1
            arguments.saveStrategy = .no
            arguments.learningRate = 1e-3
            arguments.precision = MatrixPrecision.forRequest(bf16: true).precision
            // Batches of 40 texts (about 400 tokens): large enough that the products split between the cores.
            arguments.perDeviceTrainBatchSize = 40
            let trainer = Trainer(parameters: checkpoint.parameters, arguments: arguments, tokenizerFolder: nil, computeMetrics: Self.accuracy)
            #expect(trainer.arguments.precision == .bfloat16)
            _ = try trainer.train(Self.examples(tokenizer, count: 80), eval: nil)
            return Array(checkpoint.parameters.storage)
        }
        #expect(try withBLASThreadsHeld { try run(threads: 1) == run(threads: 2) })
    }

    @Test func aDivergingLossStopsWithTheStep() throws {
        let tokenizer = try BertTokenizer(folder: Self.folder)
        let checkpoint = try ModelCheckpoint(folder: Self.folder)
        var arguments = TrainingArguments(outputDir: ScratchFolder().path)
        arguments.learningRate = 1e30
        arguments.maxGradNorm = nil
        arguments.saveStrategy = .no
        let trainer = Trainer(parameters: checkpoint.parameters, arguments: arguments, tokenizerFolder: nil, computeMetrics: Self.accuracy)
        do {
            _ = try trainer.train(Self.examples(tokenizer, count: 40), eval: nil)
            Issue.record("expected the loss to diverge")
        } catch let failure as Trainer.Failure {
            #expect(failure.description.contains("The loss became"))
            #expect(failure.description.contains("the last finite loss was"))
        }
    }

    /// Typed log entries become transformers' JSON objects only when written, and read back into their kind.
    @Test func logEntriesRoundTripThroughTheirJSONFields() {
        let entries: [TrainerLogEntry] = [
            .training(loss: 1.25, gradNorm: 3.5, learningRate: 4e-5, epoch: 0.5, step: 10),
            .evaluation(results: [("eval_loss", 0.9), ("eval_accuracy", 0.8), ("eval_runtime", 1.5)], epoch: 1, step: 20),
            // transformers' own summary has total_flos, which Lectern keeps as it reads it.
            .summary(results: [("train_runtime", 12), ("total_flos", 1e12), ("train_loss", 1.1)], epoch: 1, step: 20),
            .other([("custom", 1), ("step", 3)]),
        ]
        for entry in entries {
            let read = TrainerLogEntry(fields: entry.fields)
            #expect(read.fields.map(\.key) == entry.fields.map(\.key) && read.fields.map(\.value) == entry.fields.map(\.value))
            #expect(read.step == entry.step && read.epoch == entry.epoch)
        }
        #expect(entries[1].fields.map(\.key) == ["eval_loss", "eval_accuracy", "eval_runtime", "epoch", "step"])
        #expect(entries[1].result("eval_accuracy") == 0.8 && entries[0].result("eval_loss") == nil)
        if case .summary = TrainerLogEntry(fields: entries[2].fields) {} else { Issue.record("a summary reads back as a summary") }
    }
}
