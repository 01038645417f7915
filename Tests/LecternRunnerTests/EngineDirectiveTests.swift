import Foundation
import LecternNotebook
import LecternTestSupport
import LecternEngine
import LecternFiles
import LecternTranscript
import Testing
@testable import LecternRunner

/// `tokenize` and `predict` in notebooks, on the tiny transformers-saved checkpoint.
struct EngineDirectiveTests {
    let folder = ScratchFolder()
    let checkpoint = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path

    init() { folder.writeTinyNews() }

    func run(_ text: String) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let bindings = ParameterBindings(frontMatter: notebook.frontMatter)
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress())
        return NotebookRunner().run(notebook, bindings: bindings, context: context, runInfo: [])
    }

    @Test func aNotebookOfOnePredictCellUsesTheCheckpointsLabels() throws {
        let transcript = try run("```predict\nmodel: \(checkpoint)\ntexts:\n  - Google stock surged after revealing new advancements in quantum computing and AI.\n  - Short text.\n```\n")
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.first?.error ?? "")")
        let outputs = try #require(transcript.directiveRecords.first?.outputs)
        #expect(outputs["label_names"] == ["World", "Sports", "Business", "Sci/Tech"])
        guard case let .array(predictions)? = outputs["predictions"] else { Issue.record("no predictions"); return }
        #expect(predictions.count == 2)
        #expect(predictions[0]["label"] == "Business")  // as transformers predicts (tiny-bert-predictions.json)
        #expect(predictions[0]["text"] == "Google stock surged after revealing new advancements in quantum computing and AI.")
    }

    @Test func tokenizeReportsLengthsAndTheFirstExample() throws {
        let transcript = try run("```load\ndataset: tiny_news\nsplit: train\ntest_size: 0.25\n```\n\n```tokenize\nmodel: \(checkpoint)\npadding: max_length\ntruncation: true\nmax_length: 8\n```\n")
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.map { $0.error ?? "" })")
        let outputs = try #require(transcript.directiveRecords.last?.outputs)
        #expect(outputs["max_length"] == 8)
        #expect(outputs["splits"]?["train"]?["num_texts"] == 15)
        #expect(outputs["splits"]?["train"]?["max_tokens"] == 8)
        guard case let .array(tokens)? = outputs["first_example"]?["tokens"] else { Issue.record("no tokens"); return }
        #expect(tokens.first == "[CLS]" && tokens.last == "[SEP]" && tokens.count <= 8)
        // The first three training texts as word pieces, with the pieces truncation cuts marked.
        let views = transcript.directiveRecords.last!.blocks.compactMap { block -> TokenView? in if case let .tokens(view) = block { return view } else { return nil } }
        #expect(views.count == 3)
        let view = try #require(views.first)
        #expect(view.pieces.first?.text == "[CLS]" && view.pieces.first?.kind == .special)
        #expect(view.pieces.last?.text == "[SEP]" && view.pieces.last?.cut == false)
        #expect(view.pieces.filter { !$0.cut }.count == 8, "max_length 8 keeps 8 pieces, [CLS] and [SEP] included")
        #expect(view.title.hasSuffix("cut by truncation"))
        #expect(view.pieces.filter(\.cut).allSatisfy { $0.kind != .special })
    }

    @Test func predictOnASplitNeedsALoadAndShowsTrueLabels() throws {
        let missing = try run("```predict\nmodel: \(checkpoint)\nsplit: test\n```\n")
        #expect(missing.status == .invalid)
        #expect(missing.diagnostics[0].contains("`predict` needs a dataset, but no earlier cell provides one."))
        let transcript = try run("```load\ndataset: tiny_news\nsplit: train\ntest_size: 4\n```\n\n```predict\nmodel: \(checkpoint)\nsplit: test\n```\n")
        #expect(transcript.status == .ok)
        guard case let .array(predictions)? = transcript.directiveRecords.last?.outputs["predictions"] else { Issue.record("no predictions"); return }
        #expect(predictions.count == 4)
        #expect(predictions.allSatisfy { $0["true_label_id"] != nil })
    }

    @Test func predictWithoutAModelOrTextIsRejectedBeforeRunning() throws {
        let transcript = try run("```predict\ntext: hello\n```\n\n```predict\nmodel: \(checkpoint)\n```\n")
        #expect(transcript.status == .invalid)
        #expect(transcript.diagnostics.count == 2)
        #expect(transcript.diagnostics[0].contains("`predict` needs a model, but no earlier cell provides one."))
        #expect(transcript.diagnostics[1].contains("`predict` needs something to classify."))
    }

    @Test func aMissingModelListsWhereItLooked() throws {
        let transcript = try run("```predict\nmodel: nobody/nothing\ntext: hi\n```\n")
        #expect(transcript.status == .error)
        #expect(transcript.directiveRecords[0].error?.contains("No model named `nobody/nothing`. Searched:") == true)
    }
}

/// `train` and `evaluate` on the tiny checkpoint and tiny data: the whole lesson in a second.
struct TrainingDirectiveTests {
    let folder = ScratchFolder()
    let checkpoint = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path

    init() { folder.writeTinyNews(rows: 40) }

    func run(_ text: String) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress())
        return NotebookRunner().run(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter), context: context, runInfo: [])
    }

    var lesson: String {
        """
        ```load
        dataset: tiny_news
        split: train
        test_size: 0.25
        ```

        ```tokenize
        model: \(checkpoint)
        truncation: true
        ```

        ```train
        num_train_epochs: 2
        learning_rate: 1e-3
        logging_steps: 2
        eval_strategy: epoch
        save_strategy: epoch
        load_best_model_at_end: true
        metrics: [accuracy, f1]
        output_dir: \(folder.path)/results
        ```

        ```evaluate
        split: test
        average: macro
        ```

        ```predict
        text: Body of train article number 3.
        ```
        """
    }

    /// `bf16: true` in each engine cell: the run header says what ran where, and the numbers stay
    /// close to float32's (on a CPU without AVX512-BF16 they are float32's, with a notice in each cell).
    @Test func bf16CellsAreNamedInTheRunHeader() throws {
        let bf16Lesson = lesson.replacingOccurrences(of: "```train\n", with: "```train\nbf16: true\n")
            .replacingOccurrences(of: "```evaluate\n", with: "```evaluate\nbf16: true\n")
            .replacingOccurrences(of: "```predict\n", with: "```predict\nbf16: true\n")
        let float32 = try run(lesson), bf16 = try run(bf16Lesson)
        #expect(bf16.status == .ok, "\(bf16.directiveRecords.compactMap(\.error))")
        #expect(!float32.runInfo.contains { $0.label == "Precision" })
        let header = try #require(bf16.runInfo.first { $0.label == "Precision" }?.value)
        #expect(header.contains("`train` (line 12), `evaluate` (line 24), `predict` (line 30)"))
        func trainLoss(_ transcript: Transcript) -> Double {
            if case let .double(value)? = transcript.directiveRecords.first(where: { $0.directive == "train" })?.outputs["metrics"]?["train_loss"] { return value }
            return .nan
        }
        let notices = bf16.directiveRecords.filter { $0.directive != "load" && $0.directive != "tokenize" }.map { record in
            record.blocks.contains { block in if case let .notice(text) = block { return text.contains("bf16: true ran in float32") } else { return false } }
        }
        if CPU.current.has(.avx512bf16) {
            #expect(header.hasPrefix("bf16 matrix products"))
            #expect(notices == [false, false, false])
            #expect(trainLoss(bf16) != trainLoss(float32))
            #expect(abs(trainLoss(bf16) - trainLoss(float32)) < 0.05 * trainLoss(float32))
        } else {
            #expect(header.hasPrefix("float32 everywhere"))
            #expect(notices == [true, true, true])
            #expect(trainLoss(bf16) == trainLoss(float32))
        }
    }

    @Test func theWholeLessonRunsAndRecordsTheTrainersNumbers() throws {
        let transcript = try run(lesson)
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        let train = try #require(transcript.directiveRecords.first { $0.directive == "train" })
        // 30 training rows in batches of 8: 4 steps per epoch, 8 in all.
        #expect(train.outputs["global_step"] == 8)
        guard case let .array(history)? = train.outputs["log_history"] else { Issue.record("no log history"); return }
        #expect(history.filter { $0["loss"] != nil }.count == 4)
        #expect(history.filter { $0["eval_loss"] != nil }.count == 2)
        #expect(history.first?["step"] == 2)
        guard case let .string(best)? = train.outputs["best_model_checkpoint"] else { Issue.record("no best checkpoint"); return }
        #expect(best.hasPrefix(folder.path + "/results/checkpoint-"))

        let evaluate = try #require(transcript.directiveRecords.first { $0.directive == "evaluate" })
        guard case let .array(matrix)? = evaluate.outputs["confusion_matrix"] else { Issue.record("no confusion matrix"); return }
        #expect(matrix.count == 4)
        #expect(evaluate.outputs["metrics"]?["eval_accuracy"] != nil && evaluate.outputs["metrics"]?["eval_f1"] != nil)
        let predict = try #require(transcript.directiveRecords.last)
        #expect(predict.outputs["label_names"] == ["World", "Sports", "Business", "Sci/Tech"])

        // The run header names what the run read, with content hashes.
        let inputs = transcript.runInfo.filter { ["Data", "Model"].contains($0.label) }
        #expect(inputs.map(\.label) == ["Data", "Model"])
        #expect(inputs.allSatisfy { $0.value.range(of: "sha256:[0-9a-f]{64}$", options: .regularExpression) != nil })
        #expect(inputs[0].value.hasPrefix("tiny_news · 40 rows · "))

        // Every cell draws its plots from its own results.
        let charts = transcript.directiveRecords.map { record in
            record.blocks.compactMap { block -> String? in if case let .chart(chart) = block { return chart.title } else { return nil } }
        }
        #expect(charts == [["Class balance"], ["Tokens per train text"], ["Loss", "Learning rate"], ["Confusion matrix on test"],
                           ["Predicted probabilities"]])
        let loss = try #require(train.blocks.compactMap { block -> Chart? in if case let .chart(chart) = block { return chart } else { return nil } }.first)
        guard case let .lines(series) = loss.kind else { Issue.record("the loss chart is not lines"); return }
        #expect(series.map(\.points.count) == [4, 2])
    }

    /// A model folder with pytorch_model.bin (as transformers < 4.35 saved it) in place of
    /// model.safetensors: the same numbers in every cell, and the run header hashes the .bin.
    @Test func aLessonFromPytorchModelBinRunsAsFromSafetensors() throws {
        let binFolder = folder.path + "/bin-model"
        try FileManager.default.createDirectory(atPath: binFolder, withIntermediateDirectories: true)
        for file in ["config.json", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: checkpoint + "/" + file, toPath: binFolder + "/" + file)
        }
        let bin = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/torch-checkpoints/tiny-f32.bin").path
        try FileManager.default.copyItem(atPath: bin, toPath: binFolder + "/pytorch_model.bin")
        let fromSafetensors = try run(lesson)
        let fromBin = try run(lesson.replacingOccurrences(of: checkpoint, with: binFolder))
        #expect(fromBin.status == .ok, "\(fromBin.directiveRecords.compactMap(\.error))")
        func record(_ transcript: Transcript, _ directive: String) -> JSONValue {
            transcript.directiveRecords.first { $0.directive == directive }?.outputs ?? .null
        }
        // The same weights; numbers agree to float32 summation noise (see `agree`), everything else exactly.
        guard case let .array(history)? = record(fromBin, "train")["log_history"] else { Issue.record("no log history"); return }
        #expect(history.count == 7)
        #expect(agree(record(fromBin, "train")["log_history"], record(fromSafetensors, "train")["log_history"]))
        #expect(record(fromBin, "evaluate")["confusion_matrix"] == record(fromSafetensors, "evaluate")["confusion_matrix"])
        #expect(agree(record(fromBin, "evaluate")["metrics"], record(fromSafetensors, "evaluate")["metrics"]))
        #expect(agree(record(fromBin, "predict")["predictions"], record(fromSafetensors, "predict")["predictions"]))
        let model = try #require(fromBin.runInfo.first { $0.label == "Model" }?.value)
        #expect(model.hasSuffix("sha256:" + (try ContentHash.sha256(file: binFolder + "/pytorch_model.bin"))))
    }

    /// `load`, `tokenize` with one model folder and `evaluate` with another (`model:`), no `train` cell.
    func evaluation(dataset: String, tokenizer: String, model: String, options: String = "") -> String {
        "```load\ndataset: \(dataset)\nsplit: train\ntest_size: 0.25\n```\n\n```tokenize\nmodel: \(tokenizer)\ntruncation: true\n```\n\n"
            + "```evaluate\nmodel: \(model)\n\(options)```\n"
    }

    /// `evaluate` with `model:` reads a checkpoint (here the best one the lesson saved) without a
    /// `train` cell, and gives the numbers the lesson's own evaluation gave with those weights.
    @Test func evaluateReadsACheckpointByName() throws {
        let lessonRun = try run(lesson)
        let trained = try #require(lessonRun.directiveRecords.first { $0.directive == "evaluate" })
        guard case let .string(best)? = lessonRun.directiveRecords.first(where: { $0.directive == "train" })?.outputs["best_model_checkpoint"] else {
            Issue.record("no best checkpoint"); return
        }
        let transcript = try run(evaluation(dataset: "tiny_news", tokenizer: best, model: best, options: "split: test\naverage: macro\n"))
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        let evaluate = try #require(transcript.directiveRecords.last)
        #expect(evaluate.outputs["confusion_matrix"] == trained.outputs["confusion_matrix"])
        #expect(evaluate.outputs["metrics"]?["eval_accuracy"] != nil)
        #expect(agree(evaluate.outputs["metrics"], trained.outputs["metrics"]))
        #expect(transcript.runInfo.contains { $0.label == "Model" && $0.value.contains(best) })
    }

    /// A checkpoint whose vocabulary is smaller than the ids the split was tokenized into.
    @Test func evaluatingAModelThatCannotReadTheTokensIsAnError() throws {
        let bigger = folder.path + "/bigger-vocabulary"
        try FileManager.default.createDirectory(atPath: bigger, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: checkpoint + "/config.json", toPath: bigger + "/config.json")
        var tokenizer = try String(contentsOfFile: checkpoint + "/tokenizer.json", encoding: .utf8)
        tokenizer = tokenizer.replacingOccurrences(of: "\"[MASK]\": 4", with: "\"[MASK]\": 4, \"title\": 5000")
        try tokenizer.write(toFile: bigger + "/tokenizer.json", atomically: true, encoding: .utf8)
        let transcript = try run(evaluation(dataset: "tiny_news", tokenizer: bigger, model: checkpoint))
        #expect(transcript.status == .error)
        let error = try #require(transcript.directiveRecords.last?.error)
        #expect(error.contains("the token id 5000, outside this model's vocabulary of 1451"), "\(error)")
        #expect(error.contains("lesson.md:13:8"), "\(error)")

        // Data with more classes than the checkpoint's head has labels.
        folder.write("data/five/classes.txt", "World\nSports\nBusiness\nSci/Tech\nHealth\n")
        for split in ["train", "test"] {
            folder.write("data/five/\(split).csv", (0..<20).map { "\"\($0 % 5 + 1)\",\"title \($0)\",\"Body \($0).\"" }.joined(separator: "\n") + "\n")
        }
        let mismatch = try run(evaluation(dataset: "five", tokenizer: checkpoint, model: checkpoint))
        let headError = try #require(mismatch.directiveRecords.last?.error)
        #expect(headError.contains("The data has 5 classes, but this model's head has 4 labels: World, Sports, Business, Sci/Tech."), "\(headError)")
    }

    @Test func loadBestModelAtEndNeedsMatchingStrategies() throws {
        let transcript = try run("""
        ```load
        dataset: tiny_news
        split: train
        test_size: 0.25
        ```

        ```tokenize
        model: \(checkpoint)
        ```

        ```train
        eval_strategy: epoch
        save_strategy: steps
        load_best_model_at_end: true
        per_device_train_batch_size: 0
        ```
        """)
        #expect(transcript.status == .invalid)
        #expect(transcript.diagnostics.contains { $0.contains("`per_device_train_batch_size` must be a whole number from 1 to 4096, but it is `0`.") })
        let other = try run(lesson.replacingOccurrences(of: "save_strategy: epoch", with: "save_strategy: steps"))
        #expect(other.diagnostics.contains { $0.contains("`load_best_model_at_end` needs `save_strategy` to match `eval_strategy` (`epoch`)") })
    }

    @Test func trainBeforeLoadIsRejected() throws {
        let transcript = try run("```train\nnum_train_epochs: 1\n```\n\n```load\ndataset: tiny_news\n```\n")
        #expect(transcript.status == .invalid)
        #expect(transcript.diagnostics.contains { $0.contains("`train` needs a dataset, but no earlier cell provides one. Add a `load` cell above it.") })
    }
}

/// Two outputs agree: numbers to 1e-5 (relative above 1), everything else exactly; timings are left out.
/// Two runs of the same weights may differ in float32's last bits because other tests change
/// OpenBLAS's thread count while these run (in one process), which changes how sums are split.
private func agree(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    switch (a, b) {
    case let (.double(x)?, .double(y)?): return abs(x - y) <= 1e-5 * max(1, abs(y))
    case let (.array(x)?, .array(y)?): return x.count == y.count && zip(x, y).allSatisfy { agree($0, $1) }
    case let (.object(x)?, .object(y)?):
        let kept = { (pairs: [(key: String, value: JSONValue)]) in pairs.filter { !$0.key.contains("runtime") && !$0.key.contains("per_second") } }
        let (left, right) = (kept(x), kept(y))
        return left.map(\.key) == right.map(\.key) && zip(left, right).allSatisfy { agree($0.value, $1.value) }
    default: return a == b
    }
}
