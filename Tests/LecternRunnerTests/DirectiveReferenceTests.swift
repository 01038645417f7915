import Foundation
import LecternNotebook
import LecternTestSupport
import Testing
@testable import LecternRunner

/// docs/directives.md's parameter tables are the directives' settings, as `lectern reference` prints them.
struct DirectiveReferenceTests {
    @Test func theReferenceTablesAreMadeFromTheSettings() throws {
        let path = repositoryRoot.appendingPathComponent("docs/directives.md")
        let docs = try String(contentsOf: path, encoding: .utf8)
        #expect(DirectiveReference.updated(docs) == docs, "docs/directives.md is stale: run `lectern reference --update docs/directives.md`")
        for name in DirectiveRegistry.standard.names {
            #expect(docs.contains("<!-- parameters: \(name.rawValue) -->"), "no table for `\(name.rawValue)`")
        }
    }

    @Test func aTableListsEveryParameterWithItsDefault() throws {
        let table = DirectiveReference.table(EvaluateDirective.schema)
        let rows = table.split(separator: "\n").dropFirst(2)
        #expect(rows.count == EvaluateDirective.Settings.parameters.count)
        #expect(rows.contains { $0.hasPrefix("| `average` | `micro`, `macro`, `weighted`, `samples`, `none` | `micro` |") })
        #expect(rows.contains { $0.hasPrefix("| `model` | text | — |") })
    }

    /// A settings value reads each parameter once, typed: the notebook's value, else the default.
    @Test func settingsReadTypedValuesAndDefaults() throws {
        let folder = ScratchFolder()
        let path = folder.write("lesson.md", "```evaluate\nsplit: validation\naverage: none\nzero_division: \"1\"\nbf16: true\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        guard case let .directive(cell) = notebook.cells[0], case let .success(body) = cell.body else { Issue.record("no cell"); return }
        let settings = EvaluateDirective.Settings(try EvaluateDirective.schema.validate(body, directiveLocation: cell.location(in: path)))
        #expect(settings.split == "validation" && settings.average == .none && settings.zeroDivision == 1)
        #expect(settings.metrics == CellMetrics.classification && settings.batchSize == 8 && settings.model == nil)
        #expect(settings.precision.requested)
        // What bf16 adds to the run header and the cache key comes from the cell's settings.
        #expect(EvaluateDirective.runHeader(settings).map(\.label) == ["Precision"])
        #expect(EvaluateDirective.cacheKeyParts(settings) == ["precision:" + settings.precision.precision.rawValue])
    }
}
