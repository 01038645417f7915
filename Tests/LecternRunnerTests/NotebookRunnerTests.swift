import Foundation
import LecternNotebook
import LecternTestSupport
import LecternTranscript
import Testing
@testable import LecternRunner

/// Runs real notebooks over real files in a scratch folder.
struct NotebookRunnerTests {
    let folder = ScratchFolder()

    init() { folder.writeTinyNews() }

    func run(_ text: String, keepGoing: Bool = false, registry: DirectiveRegistry = .standard, set: [String] = []) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: registry.names)
        var bindings = ParameterBindings(frontMatter: notebook.frontMatter)
        for assignment in set { try bindings.apply(assignment: assignment) }
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: bindings.seed ?? 42, progress: SilentProgress())
        return NotebookRunner(registry: registry, keepGoing: keepGoing).run(notebook, bindings: bindings, context: context, runInfo: [])
    }

    @Test func loadSplitsAndRecordsOutputs() throws {
        let transcript = try run("Intro.\n\n```load\ndataset: tiny_news\nsplit: train\ntest_size: 0.25\n```\n")
        #expect(transcript.status == .ok)
        let record = try #require(transcript.directiveRecords.first)
        #expect(record.status == .ok && record.index == 1 && record.line == 3)
        #expect(record.outputs["num_rows"] == ["train": 15, "test": 5])
        #expect(record.outputs["label_names"] == ["World", "Sports", "Business", "Sci/Tech"])
        #expect(record.outputs["seed"] == 42)
        #expect(record.parameters.first { $0.name == "shuffle" }?.isDefault == true)
        #expect(record.parameters.first { $0.name == "test_size" }?.value == 0.25)
    }

    @Test func theNotebookSeedAndSetOverridesReachTheSplit() throws {
        let text = "---\nseed: 3\nparams:\n  part: 0.5\n---\n\n```load\ndataset: tiny_news\nsplit: train[:10]\ntest_size: ${part}\n```\n"
        let transcript = try run(text, set: ["part=2", "seed=11"])
        let record = try #require(transcript.directiveRecords.first)
        #expect(record.outputs["num_rows"] == ["train": 8, "test": 2])
        #expect(record.outputs["seed"] == 11)
        #expect(transcript.parameters.map(\.source) == ["--set"])
    }

    @Test func validationProblemsStopEverythingAndAreAllReported() throws {
        let text = """
        ```load
        dataset: tiny_news
        test_sise: 0.2
        ```

        ```load
        dataset: tiny_news
        shuffle: perhaps
        ```

        ```train
        num_train_epochs: 1
        ```
        """
        let transcript = try run(text)
        #expect(transcript.status == .invalid)
        #expect(transcript.diagnostics.count == 3)
        #expect(transcript.diagnostics[0].hasSuffix("lesson.md:3:1: error: `load` has no parameter `test_sise`. Did you mean `test_size`?"))
        #expect(transcript.diagnostics[1].contains("lesson.md:8:10: error: `shuffle` must be `true` or `false`"))
        #expect(transcript.diagnostics[2].contains("lesson.md:11:4: error: `train` needs a tokenizer, but no earlier cell provides one. Add a `tokenize` cell above it."))
        #expect(transcript.directiveRecords.allSatisfy { $0.status == .skipped })
    }

    @Test func splitAndSplitsTogetherAndTestSizeWithSplitsAreRejected() throws {
        let both = try run("```load\ndataset: tiny_news\nsplit: train\nsplits:\n  a: train[:5]\n```\n")
        #expect(both.status == .invalid)
        #expect(both.diagnostics == ["\(folder.path)/lesson.md:4:1: error: `load` takes only one of `split`, `splits`. Remove `splits` or `split`."])
        let sized = try run("```load\ndataset: tiny_news\nsplits:\n  a: train[:5]\ntest_size: 3\n```\n")
        #expect(sized.diagnostics.count == 1)
        #expect(sized.diagnostics[0].contains("`test_size` splits one set of rows, so it cannot be used with `splits`."))
    }

    @Test func aMalformedSplitExpressionIsCaughtBeforeRunning() throws {
        let transcript = try run("```load\ndataset: tiny_news\nsplit: train[:10%:]\n```\n")
        #expect(transcript.status == .invalid)
        #expect(transcript.diagnostics[0].contains("lesson.md:3:8: error: `train[:10%:]` is not a split expression."))
    }

    @Test func aMissingDatasetFailsItsCellAndSkipsTheRest() throws {
        let text = "```load\ndataset: no_such_set\n```\n\n```load\ndataset: tiny_news\n```\n"
        let transcript = try run(text)
        #expect(transcript.status == .error)
        let records = transcript.directiveRecords
        #expect(records[0].status == .error)
        #expect(records[0].error?.contains("lesson.md:2:10: error:") == true)
        #expect(records[0].error?.contains("No dataset named `no_such_set`. Searched:") == true)
        #expect(records[1].status == .skipped && records[1].skipReason == "not run: an earlier cell failed")
        #expect(transcript.firstFailure?.index == 0)
    }

    @Test func keepGoingRunsLaterCellsThatDoNotNeedTheFailedOne() throws {
        let text = "```load\ndataset: no_such_set\n```\n\n```load\ndataset: tiny_news\n```\n"
        let transcript = try run(text, keepGoing: true)
        #expect(transcript.status == .error)
        #expect(transcript.directiveRecords.map(\.status) == [.error, .ok])
    }

    /// A directive that needs a dataset, to check ordering and `--keep-going` without the engine.
    struct CountRows: DirectiveHandler {
        struct Settings: DirectiveSettings {
            static let parameters: [ParameterSpec] = []
            init(_ arguments: DirectiveArguments) {}
        }
        static let name = DirectiveName.evaluate
        static func needs(_ settings: Settings) -> [SessionResource] { [.dataset] }
        static let provides: [SessionResource] = []
        func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
            CellResult(outputs: ["rows": .int(session.dataset?.dataset.splits.reduce(0) { $0 + $1.count } ?? -1)], blocks: [])
        }
    }

    /// A directive Lectern does not ship, registered without touching the parser, the runner or the exporter.
    struct Shout: DirectiveHandler {
        struct Settings: DirectiveSettings {
            static let text = Parameter<String>.requiredText("text", "What to shout.")
            static let parameters = [text.spec]
            let text: String
            init(_ arguments: DirectiveArguments) { text = arguments[Self.text] }
        }
        static let name = DirectiveName(rawValue: "shout")
        static let provides: [SessionResource] = []
        func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
            CellResult(outputs: ["shouted": .string(settings.text.uppercased())], blocks: [])
        }
    }

    @Test func aNewDirectiveIsOneHandlerInTheRegistry() throws {
        let text = "```shout\ntext: hello\n```\n"
        let transcript = try run(text, registry: DirectiveRegistry([LoadDirective(), Shout()]))
        #expect(transcript.status == .ok)
        #expect(transcript.directiveRecords.first?.outputs["shouted"] == "HELLO")
        // Without it in the registry, the block is code the transcript shows, not a cell that runs.
        let standard = try run(text)
        #expect(standard.status == .ok && standard.directiveRecords.isEmpty)
    }

    @Test func aCellThatNeedsAnEarlierOneIsRejectedWhenNothingProvidesIt() throws {
        let registry = DirectiveRegistry([LoadDirective(), CountRows()])
        let transcript = try run("```evaluate\n```\n\n```load\ndataset: tiny_news\n```\n", registry: registry)
        #expect(transcript.status == .invalid)
        #expect(transcript.diagnostics == ["\(folder.path)/lesson.md:1:4: error: `evaluate` needs a dataset, but no earlier cell provides one. Add a `load` cell above it."])
    }

    @Test func keepGoingSkipsCellsThatNeedWhatAFailedCellShouldHaveMade() throws {
        let registry = DirectiveRegistry([LoadDirective(), CountRows()])
        let text = "```load\ndataset: tiny_news\n```\n\n```load\ndataset: missing_one\n```\n\n```evaluate\n```\n"
        let transcript = try run(text, keepGoing: true, registry: registry)
        #expect(transcript.directiveRecords.map(\.status) == [.ok, .error, .skipped])
        #expect(transcript.directiveRecords[2].skipReason?.contains("needs the dataset") == true)
    }

    @Test(arguments: ["train[5:5]", "train[100:200]"])
    func anEmptySplitAfterSlicingIsAnError(split: String) throws {
        let transcript = try run("```load\ndataset: tiny_news\nsplit: \(split)\n```\n")
        #expect(transcript.status == .error)
        #expect(transcript.directiveRecords[0].error?.contains("The split `train` has no rows after slicing.") == true)
    }

    @Test func testSizeOnSeveralSplitsAsksForOne() throws {
        let transcript = try run("```load\ndataset: tiny_news\ntest_size: 0.2\n```\n")
        #expect(transcript.status == .error)
        #expect(transcript.directiveRecords[0].error?.contains("lesson.md:3:12:") == true)
        #expect(transcript.directiveRecords[0].error?.contains("Add `split: train`") == true)
    }

    @Test func aTooLargeTestSizeIsDatasetsError() throws {
        let transcript = try run("```load\ndataset: tiny_news\nsplit: train\ntest_size: 20\n```\n")
        #expect(transcript.status == .error)
        #expect(transcript.directiveRecords[0].error?.contains("test_size=20 must be smaller than the number of rows (20).") == true)
    }

    @Test(.enabled(if: agNewsFolder != nil, "AG News is not on this machine"))
    func theLessonsAGNewsSplitMatchesThePythonNotebook() throws {
        let data = URL(fileURLWithPath: agNewsFolder!).deletingLastPathComponent().path
        let transcript = try run("```load\ndataset: \(data)/ag_news\nsplit: train[:1000]\ntest_size: 0.2\nseed: 42\n```\n")
        let record = try #require(transcript.directiveRecords.first)
        #expect(record.outputs["num_rows"] == ["train": 800, "test": 200])
        guard case let .string(text)? = record.outputs["first_example"]?["text"] else { Issue.record("no example"); return }
        #expect(text.hasPrefix("Delegates Urge Al-Sadr to Leave Shrine BAGHDAD, Iraq - Delegates at Iraq's Natio"))
    }
}
