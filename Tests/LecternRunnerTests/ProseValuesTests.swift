import Foundation
import LecternNotebook
import LecternTestSupport
import LecternTranscript
import Testing
@testable import LecternRunner

/// Parameters and cell outputs woven into prose: `${name}`, `${label.key}`, formats, `\${`, and
/// what `lectern check` and a failed cell make of them.
struct ProseValuesTests {
    let folder = ScratchFolder()

    init() { folder.writeTinyNews(rows: 20) }

    func run(_ text: String, set assignments: [String] = []) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        var bindings = ParameterBindings(frontMatter: notebook.frontMatter)
        for assignment in assignments { try bindings.apply(assignment: assignment) }
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress())
        return NotebookRunner().run(notebook, bindings: bindings, context: context, runInfo: [])
    }

    func prose(_ transcript: Transcript) -> String {
        transcript.cells.compactMap { cell -> String? in if case let .prose(markdown, _, _) = cell { return markdown } else { return nil } }
            .joined(separator: "\n")
    }

    static let lesson = """
        ---
        params:
          rows: 12000
          rate: 0.000125
        ---
        # Data for ${rows:,} rows

        We take `${rows}` rows (written `\\${rows}` in the cell) at ${rate:.2%}.

        ```load
        #| label: data
        dataset: tiny_news
        test_size: 0.25
        split: train
        ```

        Train has ${data.num_rows.train} rows; the Sci/Tech share of test is ${data.class_counts.test.Sci/Tech:.1f} texts; ${data.label_names} is a list.

        """

    @Test func parametersAndOutputsAreWovenWithTheirFormats() throws {
        let transcript = try run(Self.lesson)
        #expect(transcript.status == .ok)
        let text = prose(transcript)
        #expect(text.contains("# Data for 12,000 rows"))
        #expect(text.contains("We take `12000` rows (written `${rows}` in the cell) at 0.01%."))
        #expect(text.contains("Train has 15 rows; the Sci/Tech share of test is 2.0 texts; ⟨data.label_names: missing⟩ is a list."))
        #expect(transcript.warnings.contains { $0.contains("${data.label_names} is missing from the text: `label_names` is not a single value") })
        // The HTML and its headings are made from the woven text.
        guard case let .prose(_, html, headings) = transcript.cells[0] else { Issue.record("no prose"); return }
        #expect(html.contains("<h1>Data for 12,000 rows</h1>") && headings.first?.text == "Data for 12,000 rows")
        // The JSON transcript lists each value and where it came from.
        guard case let .array(woven)? = transcript.json["woven"] else { Issue.record("no woven values"); return }
        #expect(woven.count == 6)
        #expect(woven[3] == .object([("reference", "${data.num_rows.train}"), ("value", "15"), ("source", "cell `data` (`load`, line 10)"), ("line", 17)]))
    }

    @Test func setChangesTheWovenText() throws {
        let text = prose(try run(Self.lesson, set: ["rows=5000"]))
        #expect(text.contains("# Data for 5,000 rows") && text.contains("We take `5000` rows"))
    }

    @Test func aFailedCellsValueIsVisiblyMissing() throws {
        let transcript = try run("```load\n#| label: data\ndataset: no_such_set\n```\n\nRows: ${data.num_rows.train}.\n")
        #expect(transcript.status == .error)
        #expect(prose(transcript).contains("Rows: ⟨data.num_rows.train: missing⟩."))
        #expect(transcript.warnings.contains { $0.hasSuffix("${data.num_rows.train} is missing from the text: the cell failed.") })
    }

    /// `lectern check`: unknown parameters and cells, a cell below the text, a format Lectern does not write.
    @Test(arguments: [
        ("Text ${row}.\n", "`${row}` names no parameter of this notebook.", 6, 6),
        ("Text ${results.accuracy}.\n", "`${results.accuracy}` quotes no labelled cell.", 6, 6),
        ("Text ${data}.\n", "`${data}` names no parameter of this notebook.", 6, 6),
        ("Text ${rows:.3g}.\n", "`${rows:.3g}` has the format `.3g`, which Lectern does not write.", 6, 6),
    ])
    func checkNamesTheLineAndColumn(prose: String, message: String, line: Int, column: Int) throws {
        let path = folder.write("lesson.md", "---\nparams:\n  rows: 10\n---\n\n" + prose + "\n```load\n#| label: data\ndataset: tiny_news\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let problems = NotebookRunner().check(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter))
        #expect(problems.map(\.message) == [message])
        #expect(problems.first?.location.line == line && problems.first?.location.column == column)
    }

    @Test func aReferenceToALaterCellIsRejected() throws {
        let path = folder.write("lesson.md", "Rows: ${data.num_rows.train}.\n\n```load\n#| label: data\ndataset: tiny_news\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let problems = NotebookRunner().check(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter))
        #expect(problems.map(\.message) == ["`${data.num_rows.train}` quotes the cell labelled `data`, which comes later in the notebook."])
        #expect(problems.first?.location.line == 1)
    }
}
