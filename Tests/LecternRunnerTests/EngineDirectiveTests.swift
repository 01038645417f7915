import Foundation
import LecternNotebook
import LecternTestSupport
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
        let notebook = try NotebookParser.parse(contentsOf: path)
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
        #expect(predictions[0]["label"] == "Sports")
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
