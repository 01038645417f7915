import Foundation
import LecternNotebook
import LecternTestSupport
import LecternEngine
import LecternTranscript
import Testing
@testable import LecternRunner

/// Whole lessons on DistilBERT and RoBERTa checkpoints saved by transformers: the directives speak
/// to the model and tokenizer seams only, so a lesson runs unchanged on any family.
struct FamilyLessonTests {
    struct Predictions: Decodable {
        let texts: [String]
        let labels: [String]
        let probabilities: [[Double]]
    }

    static let families = ["distilbert", "roberta"]
    let folder = ScratchFolder()

    init() { folder.writeTinyNews(rows: 40) }

    static func checkpoint(_ family: String) -> String {
        repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-\(family)-classifier").path
    }

    func run(_ text: String) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress())
        return NotebookRunner().run(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter), context: context, runInfo: [])
    }

    /// The acceptance check of a one-cell `predict` notebook: transformers' labels and probabilities.
    @Test(arguments: families)
    func aOneCellPredictNotebookGivesTransformersLabelsAndProbabilities(family: String) throws {
        let url = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/\(family)-parity.json")
        let expected = try JSONDecoder().decode([String: Predictions].self, from: Data(contentsOf: url).filteringPredictions())["predictions"]!
        let texts = expected.texts.map { "  - " + String(data: try! JSONEncoder().encode($0), encoding: .utf8)! }.joined(separator: "\n")
        let transcript = try run("```predict\nmodel: \(Self.checkpoint(family))\ntexts:\n\(texts)\n```\n")
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.first?.error ?? "")")
        guard case let .array(predictions)? = transcript.directiveRecords.first?.outputs["predictions"] else { Issue.record("no predictions"); return }
        #expect(predictions.count == expected.texts.count)
        for (index, prediction) in predictions.enumerated() {
            #expect(prediction["label"] == .string(expected.labels[index]))
            guard case let .object(probabilities)? = prediction["probabilities"] else { Issue.record("no probabilities"); continue }
            let values = probabilities.compactMap { entry -> Double? in if case let .double(number) = entry.value { number } else { nil } }
            #expect(zip(values, expected.probabilities[index]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(family) text \(index): \(values)")
        }
    }

    @Test(arguments: families)
    func theWholeLessonRunsOnTheFamily(family: String) throws {
        let transcript = try run("""
            ```load
            dataset: tiny_news
            split: train
            test_size: 0.25
            ```

            ```tokenize
            model: \(Self.checkpoint(family))
            truncation: true
            max_length: 32
            ```

            ```train
            num_train_epochs: 1
            learning_rate: 1e-3
            logging_steps: 2
            eval_strategy: epoch
            save_strategy: epoch
            output_dir: \(folder.path)/results
            ```

            ```evaluate
            split: test
            ```

            ```predict
            text: Body of train article number 3.
            ```
            """)
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        let tokenize = try #require(transcript.directiveRecords.first { $0.directive == "tokenize" })
        let specials = family == "roberta" ? ["<s>", "</s>"] : ["[CLS]", "[SEP]"]
        guard case let .array(tokens)? = tokenize.outputs["first_example"]?["tokens"] else { Issue.record("no tokens"); return }
        #expect(tokens.first == .string(specials[0]) && tokens.last == .string(specials[1]))
        let view = try #require(tokenize.blocks.compactMap { block -> TokenView? in if case let .tokens(view) = block { view } else { nil } }.first)
        #expect(view.pieces.first?.kind == .special && view.pieces.dropFirst().first?.kind == .word)
        // The saved checkpoint is the family's, and the lesson's evaluate and predict ran on it.
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/results").filter { $0.hasPrefix("checkpoint-") }
        #expect(checkpoints.count == 1)
        let saved = try ModelConfig(contentsOf: folder.path + "/results/\(try #require(checkpoints.first))/config.json")
        #expect(saved.family.modelType == family)
        let evaluate = try #require(transcript.directiveRecords.first { $0.directive == "evaluate" })
        #expect(evaluate.outputs["metrics"]?["eval_accuracy"] != nil)
    }
}

private extension Data {
    /// The parity fixture holds more than predictions; keep only them for decoding.
    func filteringPredictions() throws -> Data {
        let object = try JSONSerialization.jsonObject(with: self) as! [String: Any]
        return try JSONSerialization.data(withJSONObject: ["predictions": object["predictions"]!])
    }
}

/// Sentence pairs through a whole lesson, as the Hugging Face course fine-tunes on MRPC: `load`
/// with `text_pair_column`, `tokenize` with a pair truncation strategy, `train`, `evaluate`, `predict`.
struct SentencePairLessonTests {
    let folder = ScratchFolder()
    let checkpoint = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path

    init() {
        let rows = (0..<24).map { index in
            "\"Stocks rose \(index) points today.\",\"Markets climbed after strong earnings in the quarter number \(index).\",\(index % 4)"
        }
        folder.write("data/pairs/train.csv", "sentence1,sentence2,label\n" + rows.joined(separator: "\n") + "\n")
    }

    func run(_ text: String) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress())
        return NotebookRunner().run(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter), context: context, runInfo: [])
    }

    func lesson(truncation: String, pairs: Bool = true) -> String {
        """
        ```load
        dataset: data/pairs
        text_column: sentence1
        \(pairs ? "text_pair_column: sentence2" : "")
        test_size: 0.25
        ```

        ```tokenize
        model: \(checkpoint)
        truncation: \(truncation)
        max_length: 16
        ```

        ```train
        num_train_epochs: 1
        output_dir: \(folder.path)/results
        save_strategy: "no"
        ```

        ```evaluate
        split: test
        ```

        ```predict
        split: test
        ```
        """
    }

    @Test func aLessonOnSentencePairsRuns() throws {
        let transcript = try run(lesson(truncation: "only_second"))
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        let load = try #require(transcript.directiveRecords.first { $0.directive == "load" })
        #expect(load.outputs["first_example"]?["text_pair"] != nil)
        let tokenize = try #require(transcript.directiveRecords.first { $0.directive == "tokenize" })
        #expect(tokenize.outputs["truncation_strategy"] == "only_second")
        guard case let .array(types)? = tokenize.outputs["first_example"]?["token_type_ids"],
              case let .array(tokens)? = tokenize.outputs["first_example"]?["tokens"] else { Issue.record("no token types"); return }
        #expect(tokens.count == 16 && types.count == 16)
        #expect(types.first == 0 && types.last == 1)
        // [CLS] first [SEP] second [SEP]: the first text whole, the second cut (only_second).
        #expect(tokens.filter { $0 == "[SEP]" }.count == 2)
        let view = try #require(tokenize.blocks.compactMap { block -> TokenView? in if case let .tokens(view) = block { view } else { nil } }.first)
        #expect(view.pieces.filter { $0.kind == .special }.count == 3)
        let cut = view.pieces.enumerated().filter(\.element.cut).map(\.offset)
        let secondSeparator = view.pieces.indices.filter { view.pieces[$0].text == "[SEP]" }[0]
        #expect(!cut.isEmpty && cut.allSatisfy { $0 > secondSeparator }, "only_second cuts the second text: \(cut)")
        let predict = try #require(transcript.directiveRecords.first { $0.directive == "predict" })
        guard case let .array(predictions)? = predict.outputs["predictions"] else { Issue.record("no predictions"); return }
        #expect(predictions.count == 6 && predictions.allSatisfy { $0["text_pair"] != nil })
    }

    @Test func aPairStrategyOnSingleTextsIsAnErrorNamingTheCell() throws {
        let transcript = try run(lesson(truncation: "only_first", pairs: false))
        #expect(transcript.status == .error)
        let tokenize = try #require(transcript.directiveRecords.first { $0.directive == "tokenize" })
        #expect(tokenize.error?.contains("`truncation: only_first` cuts one text of a sentence pair, but the dataset has single texts.") == true)
    }

    @Test func aStrategyThatCannotCutEnoughNamesTheRow() throws {
        let transcript = try run(lesson(truncation: "only_first"))
        #expect(transcript.status == .error)
        let tokenize = try #require(transcript.directiveRecords.first { $0.directive == "tokenize" })
        #expect(tokenize.error?.contains("Row 1 of the train split: The first text has") == true, "\(tokenize.error ?? "")")
    }
}
