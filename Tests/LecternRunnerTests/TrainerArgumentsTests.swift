import Foundation
import LecternEngine
import LecternNotebook
import LecternTestSupport
import Testing
@testable import LecternRunner

/// The one table of the Trainer's arguments (`TrainerArguments`) against what comes from it.
struct TrainerArgumentsTests {
    /// Every row is in the `train` schema, in the table's order, and in docs/directives.md's `train` table.
    @Test func theSchemaAndTheDocsListEveryRow() throws {
        let names = TrainerArguments.table.map(\.spec.name)
        let schema = TrainDirective.schema.parameters.map(\.name)
        #expect(Array(schema.drop { $0 != names[0] }.prefix(names.count)) == names)
        let docs = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/directives.md"), encoding: .utf8)
        let train = try #require(docs.components(separatedBy: "## `train`").dropFirst().first?.components(separatedBy: "\n## ").first)
        let documented = Set(train.split(separator: "\n").filter { $0.hasPrefix("| `") }.flatMap { line in
            line.split(separator: "|")[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
        })
        #expect(Set(names).subtracting(documented).isEmpty, "undocumented: \(Set(names).subtracting(documented).sorted())")
    }

    /// The typed arguments a cell gives the engine: defaults as the Trainer's, and a given value lands in its field.
    @Test func aCellsValuesLandInTheTypedArguments() throws {
        let folder = ScratchFolder()
        let path = folder.write("lesson.md", "```train\nlearning_rate: 2e-5\nmax_grad_norm: 0\neval_strategy: epoch\nshuffle: false\noutput_dir: out\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        guard case let .directive(cell) = notebook.cells[0], case let .success(body) = cell.body else { Issue.record("no cell"); return }
        let arguments = try TrainDirective.schema.validate(body, directiveLocation: cell.location(in: path))
        let training = TrainDirective.Settings(arguments).training(notebookSeed: 7)
        #expect(training.learningRate == 2e-5 && training.maxGradNorm == nil && training.evalStrategy == .epoch && !training.shuffle)
        #expect(training.numTrainEpochs == 3 && training.perDeviceTrainBatchSize == 8 && training.saveStrategy == .steps && training.seed == 7)
        #expect(training.outputDir.hasSuffix("/out"))
        // The export writes transformers' keywords only: not Lectern's `shuffle` and `dropout`.
        #expect(TrainDirective.transformersKeywords.contains("learning_rate") && !TrainDirective.transformersKeywords.contains("shuffle"))
    }
}
