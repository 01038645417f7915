import Foundation
import Testing
@testable import LecternNotebook

struct NotebookParserTests {
    static let sample = """
    ---
    title: A lesson
    seed: 7
    params:
      rows: 1000
      lr: 5e-5
    ---

    # Heading one

    Some *prose* with a | table |
    | --- | --- |

    ```python
    print("shown, not run")
    ```

    ```load
    dataset: ag_news
    split: train[:${rows}]
    ```

    More prose.

      ```load
      dataset: indented
      ```
    """

    @Test(arguments: ["\r\n", "\r"])
    func windowsAndOldMacLineEndingsKeepTheLineNumbers(ending: String) throws {
        let crlf = Self.sample.replacingOccurrences(of: "\n", with: ending)
        let notebook = try NotebookParser.parse(text: crlf, path: "lesson.md", directives: lessonDirectives)
        let reference = try NotebookParser.parse(text: Self.sample, path: "lesson.md", directives: lessonDirectives)
        #expect(notebook.cells.count == reference.cells.count)
        #expect(notebook.directives.map(\.1.line) == reference.directives.map(\.1.line))
        #expect(notebook.directives.map(\.1.source) == reference.directives.map(\.1.source))
    }

    @Test func cellsComeInDocumentOrderWithTheirLines() throws {
        let notebook = try NotebookParser.parse(text: Self.sample, path: "lesson.md", directives: lessonDirectives)
        #expect(notebook.title == "A lesson")
        #expect(notebook.frontMatter.seed == 7)
        #expect(notebook.frontMatter.params.map(\.key) == ["rows", "lr"])
        #expect(notebook.cells.count == 5)
        guard case let .prose(first) = notebook.cells[0] else { Issue.record("expected prose"); return }
        #expect(first.lines == 9...12)
        #expect(first.headings == [Heading(level: 1, text: "Heading one")])
        #expect(first.html.contains("<em>prose</em>"))
        guard case let .code(code) = notebook.cells[1] else { Issue.record("expected code"); return }
        #expect(code.language == "python" && code.line == 14)
        guard case let .directive(load) = notebook.cells[2] else { Issue.record("expected a directive"); return }
        #expect(load.name == .load && load.line == 18)
        let body = try load.body.get()
        guard case let .mapping(entries) = body.value else { Issue.record("expected a mapping"); return }
        #expect(entries.map(\.key) == ["dataset", "split"])
        #expect(entries[1].keyLocation == SourceLocation(file: "lesson.md", line: 20, column: 1))
        #expect(entries[1].value.location == SourceLocation(file: "lesson.md", line: 20, column: 8))
        // Indented fences (up to three spaces) are still top-level fenced blocks.
        guard case let .directive(indented) = notebook.cells[4] else { Issue.record("expected a directive"); return }
        #expect(indented.line == 25)
    }

    @Test func malformedYAMLPointsAtTheNotebookLine() throws {
        let text = "Intro.\n\n```load\ndataset: ag_news\nsplit: [unclosed\n```\n"
        let notebook = try NotebookParser.parse(text: text, path: "n.md", directives: lessonDirectives)
        guard case let .directive(cell) = notebook.cells[1], case let .failure(problem) = cell.body else {
            Issue.record("expected a YAML error"); return
        }
        #expect(problem.location.file == "n.md")
        #expect(problem.location.line == 6)
        #expect(problem.message.contains("is not valid YAML"))
    }

    @Test func aDirectiveBodyThatIsNotAMappingIsAnError() throws {
        let notebook = try NotebookParser.parse(text: "```load\n- a\n- b\n```\n", path: "n.md", directives: lessonDirectives)
        guard case let .directive(cell) = notebook.cells[0], case let .failure(problem) = cell.body else {
            Issue.record("expected an error"); return
        }
        #expect(problem.location.line == 2)
        #expect(problem.message.contains("`name: value` lines"))
    }

    @Test(arguments: [("trian", "train"), ("laod", "load"), ("Load", "load"), ("tokenise", "tokenize"), ("evalute", "evaluate")])
    func misspeltDirectivesAreCaughtWithASuggestion(written: String, intended: String) {
        let text = "Prose.\n\n```\(written)\nx: 1\n```\n"
        #expect(throws: Diagnostics.self) { try NotebookParser.parse(text: text, path: "n.md", directives: lessonDirectives) }
        do { _ = try NotebookParser.parse(text: text, path: "n.md", directives: lessonDirectives) } catch {
            #expect(error.all.count == 1)
            #expect(error.all[0].location == SourceLocation(file: "n.md", line: 3, column: 4))
            #expect(error.all[0].message == "Unknown directive `\(written)`.")
            #expect(error.all[0].hint?.hasPrefix("Did you mean `\(intended)`?") == true)
        }
    }

    @Test func languagesThatResembleDirectivesAreLeftAlone() throws {
        let notebook = try NotebookParser.parse(text: "```lua\nprint(1)\n```\n\n```rust\nfn main() {}\n```\n", path: "n.md", directives: lessonDirectives)
        #expect(notebook.directives.isEmpty)
    }

    @Test func aFileThatIsNotUTF8NamesTheByte() {
        let data = Data("# Title\n\nCaf".utf8) + Data([0xE9]) + Data(" au lait\n".utf8)
        #expect(throws: Diagnostics.self) { try NotebookParser.parse(data: data, path: "latin1.md", directives: lessonDirectives) }
        do { _ = try NotebookParser.parse(data: data, path: "latin1.md", directives: lessonDirectives) } catch {
            #expect(error.all[0].location == SourceLocation(file: "latin1.md", line: 3, column: 4))
            #expect(error.all[0].message.contains("not UTF-8"))
        }
    }

    @Test(arguments: ["", "   \n\n\t\n"])
    func anEmptyNotebookIsAnError(text: String) {
        #expect(throws: Diagnostics.self) { try NotebookParser.parse(text: text, path: "empty.md", directives: lessonDirectives) }
    }

    @Test func frontMatterProblemsAreAllReported() {
        let text = "---\ntitel: Typo\nseed: -3\nparams: 5\n---\n\nText.\n"
        do {
            _ = try NotebookParser.parse(text: text, path: "n.md", directives: lessonDirectives)
            Issue.record("expected errors")
        } catch {
            #expect(error.all.map(\.location.line) == [2, 3, 4])
            #expect(error.all[0].hint == "Did you mean `title`?")
        }
    }

    @Test func duplicateFrontMatterKeysAreAnError() {
        let text = "---\ntitle: One\ntitle: Two\n---\n\nText.\n"
        do {
            _ = try NotebookParser.parse(text: text, path: "n.md", directives: lessonDirectives)
            Issue.record("expected an error")
        } catch {
            #expect(error.all.count == 1)
            #expect(error.all[0].message.contains("`title`"))
            #expect(error.all[0].location.line >= 2)
        }
    }

    @Test func anUnclosedFrontMatterIsAnError() {
        #expect(throws: Diagnostics.self) { try NotebookParser.parse(text: "---\ntitle: x\n\nText.\n", path: "n.md", directives: lessonDirectives) }
    }
}

struct SuggestionTests {
    @Test func closeNamesAreSuggestedAndDistantOnesAreNot() {
        let names = ["per_device_train_batch_size", "per_device_eval_batch_size", "num_train_epochs", "learning_rate"]
        #expect(Suggestion.closest(to: "per_device_train_batchsize", among: names) == "per_device_train_batch_size")
        #expect(Suggestion.closest(to: "learning_rte", among: names) == "learning_rate")
        #expect(Suggestion.closest(to: "epochs", among: names) == "num_train_epochs")
        #expect(Suggestion.closest(to: "colour", among: names) == nil)
        #expect(Suggestion.editDistance("trian", "train") == 1)
    }
}

/// The directive names a lesson uses, as the runner's registry gives them to the parser.
let lessonDirectives: [DirectiveName] = [.load, .tokenize, .train, .evaluate, .predict]
