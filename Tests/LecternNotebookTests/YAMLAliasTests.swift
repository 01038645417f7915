import Foundation
import LecternTestSupport
import Testing
@testable import LecternNotebook

/// YAML anchors and aliases are refused wherever Lectern reads YAML (front matter, directive bodies,
/// `--params` files), before anything is composed: nine lines of nested aliases ("billion laughs")
/// would otherwise expand to 9¹⁰ values.
struct YAMLAliasTests {
    @Test func aliasBombInTheFrontMatterIsRefusedAtItsFirstAnchor() {
        do {
            _ = try NotebookParser.parse(text: "---\ntitle: t\n" + yamlAliasBomb + "---\n\nText.\n", path: "n.md", directives: lessonDirectives)
            Issue.record("expected an error")
        } catch {
            let problem = error.all[0]
            #expect(problem.location == SourceLocation(file: "n.md", line: 3, column: 4))
            #expect(problem.message.hasPrefix("The front matter uses the YAML anchor `&a`."))
        }
    }

    @Test func aliasBombInADirectiveBodyIsRefused() throws {
        let notebook = try NotebookParser.parse(text: "Intro.\n\n```load\ndataset: ag_news\n" + yamlAliasBomb + "```\n", path: "n.md", directives: lessonDirectives)
        guard case let .directive(cell) = notebook.cells[1], case let .failure(problem) = cell.body else {
            Issue.record("expected an error"); return
        }
        #expect(problem.location == SourceLocation(file: "n.md", line: 5, column: 4))
        #expect(problem.message.contains("YAML anchor `&a`"))
    }

    @Test func anAliasAloneIsNamedAtItsPlace() throws {
        let notebook = try NotebookParser.parse(text: "```predict\ntext: *greeting\n```\n", path: "n.md", directives: lessonDirectives)
        guard case let .directive(cell) = notebook.cells[0], case let .failure(problem) = cell.body else {
            Issue.record("expected an error"); return
        }
        #expect(problem.location == SourceLocation(file: "n.md", line: 2, column: 7))
        #expect(problem.message.contains("YAML alias `*greeting`"))
    }

    @Test func aliasBombInAParametersFileIsRefused() throws {
        let front = try NotebookParser.parse(text: "---\nparams:\n  a: 1\n---\n\nText.\n", path: "n.md", directives: lessonDirectives).frontMatter
        var bindings = ParameterBindings(frontMatter: front)
        let file = ScratchFolder().write("params.yaml", yamlAliasBomb)
        do {
            try bindings.apply(parametersFile: file)
            Issue.record("expected an error")
        } catch {
            #expect(error.all[0].location == SourceLocation(file: file, line: 1, column: 4))
            #expect(error.all[0].message.hasPrefix("The parameters file uses the YAML anchor `&a`."))
        }
    }

    /// Asterisks and ampersands inside values are text, not aliases.
    @Test func asterisksAndAmpersandsInTextAreFine() throws {
        let notebook = try NotebookParser.parse(text: "```predict\ntext: \"*bold* & more\"\ntexts: [R&D, 5 * 3]\n```\n", path: "n.md", directives: lessonDirectives)
        guard case let .directive(cell) = notebook.cells[0], case .success = cell.body else {
            Issue.record("expected the cell to parse"); return
        }
    }
}
