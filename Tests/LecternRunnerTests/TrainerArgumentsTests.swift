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

/// `lectern check` catches the Trainer's cross-parameter rules for its knobs before anything runs.
struct TrainerKnobCheckTests {
    static let cases: [(body: String, message: String)] = [
        ("early_stopping_patience: 2\neval_strategy: epoch\nsave_strategy: epoch", "`early_stopping_patience` needs `load_best_model_at_end: true`"),
        ("early_stopping_patience: 2\nload_best_model_at_end: true", "`load_best_model_at_end` needs evaluations to compare."),
        ("early_stopping_patience: 2\neval_strategy: epoch\nsave_strategy: epoch\nload_best_model_at_end: true\nmetric_for_best_model: f1",
         "`metric_for_best_model` is `f1`, but `metrics` computes only `loss`, `accuracy`."),
        ("lr_scheduler_type: reduce_lr_on_plateau", "`lr_scheduler_type: reduce_lr_on_plateau` needs evaluations to follow"),
        ("lr_scheduler_type: cosine\nlr_scheduler_kwargs:\n  power: 2", "`lr_scheduler_kwargs` gives `power`, which `cosine` does not take (it takes `num_cycles`)."),
        ("lr_scheduler_type: polynomial\nlr_scheduler_kwargs:\n  lr_end: 1e-3\nlearning_rate: 1e-4", "`lr_scheduler_kwargs.lr_end` (0.001) must be smaller than `learning_rate`"),
        ("lr_scheduler_type: warmup_stable_decay", "`warmup_stable_decay` needs `num_decay_steps` in `lr_scheduler_kwargs`."),
        ("optim: sgd", "`optim` must be one of `adamw_torch`, `adamw_torch_fused`, but it is `sgd`."),
        ("label_smoothing_factor: -0.1", "`label_smoothing_factor` must not be negative."),
        ("gradient_accumulation_steps: 0", "`gradient_accumulation_steps` must be a whole number from 1 to 4096, but it is `0`."),
    ]

    @Test(arguments: cases.indices)
    func aRuleIsCaughtAtTheCellsLine(index: Int) throws {
        let (body, message) = Self.cases[index]
        let folder = ScratchFolder()
        let path = folder.write("lesson.md", "```load\ndataset: somewhere\n```\n\n```tokenize\nmodel: m\n```\n\n```train\n\(body)\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let problems = NotebookRunner().check(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter))
        #expect(problems.contains { $0.message.hasPrefix(message) && $0.location.line >= 9 }, "\(problems.map(\.description))")
    }
}
