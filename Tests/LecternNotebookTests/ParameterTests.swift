import Foundation
import LecternTestSupport
import Testing
@testable import LecternNotebook

struct ParameterTests {
    static let schema = DirectiveSchema(.load, parameters: [
        ParameterSpec("dataset", .string, required: true, "The dataset."),
        ParameterSpec("rows", .integer(min: 1, max: Int.max), "Rows."),
        ParameterSpec("learning_rate", .number(above: 0, atMost: nil), "Rate."),
        ParameterSpec("test_size", .fractionOrCount, "Test part."),
        ParameterSpec("shuffle", .boolean, default: .boolean(true), "Shuffle."),
        ParameterSpec("padding", .choice(["longest", "max_length"]), "Padding."),
    ])

    static func body(_ yaml: String) throws -> ParameterNode {
        try YAMLReader.parse(yaml, file: "n.md", firstLine: 10, what: "The block")!
    }

    static let location = SourceLocation(file: "n.md", line: 9, column: 4)

    @Test func valuesAreTypedBySchemaAndDefaultsFilledIn() throws {
        let arguments = try Self.schema.validate(try Self.body("dataset: ag_news\nrows: 1_000\nlearning_rate: 5e-5\ntest_size: 0.2\n"),
                                                 directiveLocation: Self.location)
        #expect(arguments.string("dataset") == "ag_news")
        #expect(arguments.integer("rows") == 1000)
        #expect(arguments.number("learning_rate") == 5e-5)
        #expect(arguments["test_size"] == .number(0.2))
        #expect(arguments.boolean("shuffle") == true)
        #expect(!arguments.isGiven("shuffle") && arguments.isGiven("rows"))
    }

    @Test func everyProblemIsReportedAtItsKeyOrValue() throws {
        let yaml = """
        datset: ag_news
        rows: 0
        learning_rate: -0.001
        test_size: 1.5
        shuffle: maybe
        padding: max_lenght
        """
        do {
            _ = try Self.schema.validate(try Self.body(yaml), directiveLocation: Self.location)
            Issue.record("expected errors")
        } catch let error as Diagnostics {
            let byLine = Dictionary(grouping: error.all, by: \.location.line)
            #expect(byLine[10]?.first?.message == "`load` has no parameter `datset`.")
            #expect(byLine[10]?.first?.hint == "Did you mean `dataset`?")
            #expect(byLine[10]?.first?.location.column == 1)
            #expect(byLine[11]?.first?.message == "`rows` must be a whole number of at least 1, but it is `0`.")
            #expect(byLine[11]?.first?.location.column == 7)
            #expect(byLine[12]?.first?.message == "`learning_rate` must be a number greater than 0.0, but it is `-0.001`.")
            #expect(byLine[13]?.first?.message.contains("a fraction between 0 and 1") == true)
            #expect(byLine[14]?.first?.message == "`shuffle` must be `true` or `false`, but it is `maybe`.")
            #expect(byLine[15]?.first?.hint == "Did you mean `max_length`?")
            // The required `dataset` is reported at the directive's fence.
            #expect(error.all.contains { $0.location == Self.location && $0.message.hasPrefix("`load` needs `dataset`") })
        }
    }

    @Test func aQuotedNumberIsText() throws {
        #expect(throws: Diagnostics.self) {
            try Self.schema.validate(try Self.body("dataset: x\nrows: \"8\"\n"), directiveLocation: Self.location)
        }
    }

    @Test(arguments: [("0", false), ("1", true), ("200", true), ("0.0", false), ("1.0", false), ("0.25", true), ("-0.2", false)])
    func testSizeIsAFractionOrACount(text: String, valid: Bool) throws {
        let node = ParameterNode(.scalar(text, quoted: false), at: Self.location)
        if valid {
            _ = try ParameterKind.fractionOrCount.read(node, key: "test_size")
        } else {
            #expect(throws: Diagnostic.self) { try ParameterKind.fractionOrCount.read(node, key: "test_size") }
        }
    }

    @Test func substitutionKeepsTypesAndRecordsWhereValuesCameFrom() throws {
        let front = try NotebookParser.parse(text: "---\nparams:\n  rows: 1000\n  name: ag_news\n---\n\nText.\n", path: "n.md", directives: lessonDirectives).frontMatter
        var bindings = ParameterBindings(frontMatter: front)
        try bindings.apply(assignment: "rows=50")
        let substituted = try bindings.substitute(try Self.body("dataset: ${name}\nrows: ${rows}\nsplit: train[:${rows}]\n"))
        let arguments = try DirectiveSchema(.load, parameters: Self.schema.parameters + [ParameterSpec("split", .string, "Split.")])
            .validate(substituted, directiveLocation: Self.location)
        #expect(arguments.string("dataset") == "ag_news")
        #expect(arguments.integer("rows") == 50)
        #expect(arguments.string("split") == "train[:50]")
        #expect(bindings["rows"]?.source == "--set")
    }

    @Test func aValueFromSetThatBreaksTheSchemaSaysSo() throws {
        let front = try NotebookParser.parse(text: "---\nparams:\n  rows: 1000\n---\n\nText.\n", path: "n.md", directives: lessonDirectives).frontMatter
        var bindings = ParameterBindings(frontMatter: front)
        try bindings.apply(assignment: "rows=many")
        let substituted = try bindings.substitute(try Self.body("dataset: x\nrows: ${rows}\n"))
        do {
            _ = try Self.schema.validate(substituted, directiveLocation: Self.location)
            Issue.record("expected an error")
        } catch let error as Diagnostics {
            #expect(error.all[0].message == "`rows` must be a whole number of at least 1, but it is `many` (from parameter `rows` set in --set).")
            #expect(error.all[0].location.line == 11)
        }
    }

    @Test func anUndefinedParameterIsAnErrorAtItsUse() throws {
        let bindings = ParameterBindings(frontMatter: FrontMatter())
        #expect(throws: Diagnostic.self) { try bindings.substitute(try Self.body("dataset: ${nmae}\n")) }
        let node = try Self.body("rows: 1\ndataset: ${nmae}\n")
        do { _ = try bindings.substitute(node) } catch {
            #expect(error.location == SourceLocation(file: "n.md", line: 11, column: 10))
            #expect(error.message == "`${nmae}` names no parameter of this notebook.")
        }
    }

    @Test func setAndParamsFileOverrideInOrderAndRejectUnknownNames() throws {
        let front = try NotebookParser.parse(text: "---\nseed: 1\nparams:\n  rows: 1000\n  lr: 5e-5\n---\n\nText.\n", path: "n.md", directives: lessonDirectives).frontMatter
        var bindings = ParameterBindings(frontMatter: front)
        let folder = ScratchFolder()
        let file = folder.write("params.yaml", "lr: 2e-5\nrows: 10\n")
        try bindings.apply(parametersFile: file)
        try bindings.apply(assignment: "rows=20")
        try bindings.apply(assignment: "seed=9")
        #expect(bindings["lr"]?.value.scalarText == "2e-5" && bindings["lr"]?.source == file)
        #expect(bindings["rows"]?.value.scalarText == "20" && bindings["rows"]?.source == "--set")
        #expect(bindings.seed == 9)
        #expect(throws: Diagnostic.self) { try bindings.apply(assignment: "rosw=3") }
        do { try bindings.apply(assignment: "rosw=3") } catch { #expect(error.hint == "Did you mean `rows`?") }
        #expect(throws: Diagnostic.self) { try bindings.apply(assignment: "no-equals-sign") }
        let bad = folder.write("bad.yaml", "nope: 1\n")
        #expect(throws: Diagnostics.self) { try bindings.apply(parametersFile: bad) }
    }
}
