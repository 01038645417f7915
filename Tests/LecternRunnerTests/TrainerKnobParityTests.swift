import Foundation
import LecternEngine
import LecternNotebook
import LecternTestSupport
import Testing
@testable import LecternRunner

/// The Trainer's knobs as a `train` cell writes them, against the Hugging Face Trainer itself: each
/// case of `Tests/LecternEngineTests/Fixtures/trainer-knobs.json` (written by
/// `Tests/reference/make_trainer_fixtures.py`: the tiny BERT, dropout 0, batches in dataset order,
/// a log entry every step) becomes a cell, runs through Lectern's Trainer on the same token ids, and
/// every log entry is compared: loss, gradient norm, learning rate, epoch and step; the evaluations'
/// loss and accuracy; the summary's loss, epoch and step (early stopping ends the run where the
/// callback ends it).
struct TrainerKnobParityTests {
    struct Example: Decodable, Sendable {
        let ids: [Int32]
        let label: Int
    }

    struct Case: Decodable, Sendable {
        let name: String
        let arguments: [String: JSONScalar]
        let log_history: [[String: Double]]
        /// Another task than single-label classification, with its targets per split.
        let task: String?
        let targets: [String: [TargetValue]]?
    }

    /// A regression score or a multi-label row of 1.0/0.0.
    enum TargetValue: Decodable, Sendable {
        case score(Float), labels([Float])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let score = try? container.decode(Float.self) { self = .score(score) } else { self = .labels(try container.decode([Float].self)) }
        }

        var target: Target {
            switch self {
            case let .score(value): .score(value)
            case let .labels(values): .labels(values)
            }
        }
    }

    /// A scalar or a mapping of scalars, as TrainingArguments' values in the fixture.
    enum JSONScalar: Decodable, Sendable {
        case number(Double), text(String), flag(Bool), mapping([String: JSONScalar])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let text = try? container.decode(String.self) { self = .text(text) }
            else { self = .mapping(try container.decode([String: JSONScalar].self)) }
        }

        var yaml: String {
            switch self {
            case let .number(value): return value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : String(value)
            case let .text(value): return value
            case let .flag(value): return String(value)
            case let .mapping(entries): return "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.yaml)" }.joined(separator: ", ") + "}"
            }
        }
    }

    struct Fixture: Decodable, Sendable {
        let train: [Example]
        let eval: [Example]
        let cases: [Case]
    }

    static let fixture: Fixture = {
        let url = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/trainer-knobs.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let fixtures = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures").path

    /// The case's arguments as the lines of a `train` cell, validated and read as the cell's settings.
    static func settings(_ case_: Case, output: String) throws -> TrainDirective.Settings {
        var lines = case_.arguments.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.yaml)" }
        if case_.arguments["save_strategy"] == nil { lines.append("save_strategy: no") }
        lines += ["shuffle: false", "dropout: 0", "output_dir: \(output)", "metrics: [accuracy]"]
        let folder = ScratchFolder()
        let path = folder.write("lesson.md", "```train\n" + lines.joined(separator: "\n") + "\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        guard case let .directive(cell) = notebook.cells[0], case let .success(body) = cell.body else { throw CocoaError(.fileReadCorruptFile) }
        let settings = TrainDirective.Settings(try TrainDirective.schema.validate(body, directiveLocation: cell.location(in: path)))
        #expect(settings.check().isEmpty, "\(case_.name): \(settings.check().map(\.message))")
        return settings
    }

    static func close(_ value: Double?, _ expected: Double?, relative: Double) -> Bool {
        guard let value, let expected else { return value == nil && expected == nil }
        return abs(value - expected) <= relative * max(abs(expected), 1e-12)
    }

    /// Runs the case in Lectern's Trainer; with `interruptAt`, stops after that step and resumes from the checkpoint it leaves.
    static func log(of case_: Case, interruptAt: Int? = nil) throws -> [[String: Double]] {
        let output = ScratchFolder()
        let training = try settings(case_, output: output.path).training(notebookSeed: 42)
        let task = case_.task.flatMap(ProblemType.init(rawValue:)) ?? .singleLabelClassification
        let model = fixtures + (task == .regression ? "/tiny-bert-regressor" : "/tiny-bert-classifier")
        let checkpoint = try ModelCheckpoint(folder: model, problemType: task)
        #expect(checkpoint.parameters.config.problemType == task)
        // The metrics the reference computed: accuracy; for regression MSE and Pearson's r; subset accuracy for label sets.
        let names: [CellMetrics.Name] = task == .regression ? [.mse, .pearson] : [.accuracy]
        func trainer() -> Trainer {
            Trainer(parameters: checkpoint.parameters, arguments: training, tokenizerFolder: model) { logits, targets, outputs in
                CellMetrics.compute(logits: logits, targets: targets, outputs: outputs, names: names, average: .micro, zeroDivision: 0)
            }
        }
        func examples(_ rows: [Example], _ split: String) -> [LabelledSequence] {
            rows.enumerated().map { index, row in
                LabelledSequence(ids: row.ids, target: case_.targets?[split]?[index].target ?? .label(row.label))
            }
        }
        let train = examples(fixture.train, "train")
        let eval = training.evalStrategy == .no ? nil : examples(fixture.eval, "eval")
        let finished = trainer()
        try withBLASThreadsHeld {
            if let interruptAt {
                let first = trainer()
                var steps = 0
                do {
                    _ = try first.train(train, eval: eval) { step, _, _ in
                        steps = step
                        if step == interruptAt { first.shouldStop = { true } }
                    }
                    Issue.record("\(case_.name): the run ended before step \(interruptAt) (at \(steps))")
                } catch let interrupted as Trainer.Interrupted {
                    guard let checkpoint = interrupted.checkpoint else { Issue.record("\(case_.name): no checkpoint to resume from"); return }
                    _ = try finished.train(train, eval: eval, resumeFrom: checkpoint)
                }
            } else {
                _ = try finished.train(train, eval: eval)
            }
        }
        return finished.logHistory.map { Dictionary($0.fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }) }
    }

    @Test(arguments: fixture.cases.map(\.name))
    func theLogFollowsTheTrainer(name: String) throws {
        let case_ = try #require(Self.fixture.cases.first { $0.name == name })
        try Self.expectLog(try Self.log(of: case_), like: case_)
    }

    /// A run stopped mid-way and resumed from its checkpoint logs what the Trainer logs: the plateau's rate,
    /// the early-stopping count and an accumulating step carry over.
    @Test(arguments: [("reduce_lr_on_plateau", 9), ("early_stopping", 6), ("gradient_accumulation_uneven", 3)])
    func aResumedRunLogsTheSame(name: String, interruptAt: Int) throws {
        let case_ = try #require(Self.fixture.cases.first { $0.name == name })
        try Self.expectLog(try Self.log(of: case_, interruptAt: interruptAt), like: case_)
    }

    static func expectLog(_ lectern: [[String: Double]], like case_: Case) throws {
        let name = case_.name
        let expected = case_.log_history
        #expect(lectern.count == expected.count, "\(name): \(lectern.count) log entries, the Trainer \(expected.count)")
        for (index, (mine, theirs)) in zip(lectern, expected).enumerated() {
            #expect(mine["step"] == theirs["step"], "\(name) entry \(index): step")
            #expect(Self.close(mine["epoch"], theirs["epoch"], relative: 1e-9), "\(name) entry \(index): epoch \(mine["epoch"] ?? .nan) vs \(theirs["epoch"] ?? .nan)")
            for (key, tolerance) in [("loss", 2e-4), ("grad_norm", 2e-4), ("learning_rate", 1e-6), ("eval_loss", 2e-4), ("eval_accuracy", 1e-9),
                                     ("eval_mse", 2e-4), ("eval_pearson", 1e-4), ("train_loss", 2e-4)]
                where theirs[key] != nil {
                #expect(Self.close(mine[key], theirs[key], relative: tolerance), "\(name) entry \(index): \(key) \(mine[key] ?? .nan) vs \(theirs[key]!)")
            }
        }
    }
}
