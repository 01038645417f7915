import Foundation
import LecternNotebook
import LecternTestSupport
import LecternEngine
import LecternTranscript
import Testing
@testable import LecternRunner

/// Whole lessons on the two other tasks: a score per text (regression, on the tiny BERT with a
/// one-output head that transformers saved) and several labels per text (multi-label, on the tiny
/// BERT's four-label head): load, tokenize, train, evaluate, predict.
struct TaskLessonTests {
    let folder = ScratchFolder()
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures").path
    static let words = ["world", "sports", "business", "technology"]

    func run(_ text: String) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress())
        return NotebookRunner().run(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter), context: context, runInfo: [])
    }

    func keys(_ value: JSONValue?) -> [String] {
        guard case let .object(entries)? = value else { return [] }
        return entries.map(\.key)
    }

    @Test func aRegressionLesson() throws {
        let rows = (0..<40).map { index in "{\"text\": \"the \(Self.words[index % 4]) news of day \(index % 7)\", \"score\": \(Double(index % 4) * 0.75)}" }
        folder.write("scores.jsonl", rows.joined(separator: "\n") + "\n")
        let transcript = try run("""
            ```load
            dataset: ./scores.jsonl
            label_column: score
            problem_type: regression
            test_size: 0.25
            ```

            ```tokenize
            model: \(Self.fixtures)/tiny-bert-regressor
            ```

            ```train
            num_train_epochs: 2
            learning_rate: 1e-3
            eval_strategy: epoch
            save_strategy: epoch
            output_dir: \(folder.path)/results
            ```

            ```evaluate
            ```

            ```predict
            split: test
            show: 3
            ```

            """)
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        let records = transcript.directiveRecords
        #expect(records[0].outputs["problem_type"] == "regression" && keys(records[0].outputs["score_statistics"]) == ["train", "test"])
        #expect(keys(records[3].outputs["metrics"]) == ["eval_loss", "eval_mse", "eval_rmse", "eval_mae", "eval_pearson", "eval_spearman",
                                                       "eval_runtime", "eval_samples_per_second", "eval_steps_per_second"])
        guard case let .array(predictions)? = records[4].outputs["predictions"], let first = predictions.first else { Issue.record("no predictions"); return }
        #expect(keys(first) == ["text", "score", "true_score"])
        // The saved checkpoints say what they are, so transformers loads them as regressors.
        let config = try String(contentsOfFile: folder.path + "/results/checkpoint-8/config.json", encoding: .utf8)
        #expect(config.contains("\"problem_type\" : \"regression\"") || config.contains("\"problem_type\":\"regression\""), "\(config)")
    }

    @Test func aMultiLabelLesson() throws {
        let rows = (0..<40).map { index -> String in
            var labels = [Self.words[index % 4]]
            if index % 3 == 0 { labels.append(Self.words[(index + 1) % 4]) }
            return "the \(Self.words[index % 4]) news of day \(index % 7),\(labels.joined(separator: ";"))"
        }
        folder.write("tags.csv", "text,tags\n" + rows.joined(separator: "\n") + "\n")
        let transcript = try run("""
            ```load
            dataset: ./tags.csv
            label_column: tags
            problem_type: multi_label_classification
            label_delimiter: ";"
            test_size: 0.25
            ```

            ```tokenize
            model: \(Self.fixtures)/tiny-bert-classifier
            ```

            ```train
            num_train_epochs: 2
            learning_rate: 1e-3
            save_strategy: no
            metrics: [accuracy, f1]
            average: samples
            output_dir: \(folder.path)/results
            ```

            ```evaluate
            average: macro
            threshold: 0.4
            ```

            ```predict
            texts: [the sports news of day 3]
            ```

            """)
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        let records = transcript.directiveRecords
        #expect(records[0].outputs["label_names"] == .array(["business", "sports", "technology", "world"]))
        #expect(keys(records[3].outputs["metrics"]).prefix(5) == ["eval_loss", "eval_accuracy", "eval_precision", "eval_recall", "eval_f1"])
        // A fine-tuned checkpoint with as many named labels keeps its names (as for single-label data).
        #expect(keys(records[3].outputs["per_label"]) == ["World", "Sports", "Business", "Sci/Tech"])
        guard case let .array(predictions)? = records[4].outputs["predictions"], let first = predictions.first else { Issue.record("no predictions"); return }
        #expect(keys(first) == ["text", "labels", "probabilities", "logits"])
    }

    /// `lectern check` holds train and evaluate to the task of the data loaded above them.
    @Test(arguments: [
        ("problem_type: regression", "```train\nmetrics: [f1]\n```", "`f1` is not a metric of regression data; it takes `mse`, `rmse`, `mae`, `pearson`, `spearman`."),
        ("problem_type: single_label_classification", "```evaluate\nmodel: m\naverage: samples\n```",
         "`average: samples` averages over the labels of each text, for multi_label_classification data."),
        ("problem_type: single_label_classification", "```evaluate\nmodel: m\nthreshold: 0.3\n```",
         "`threshold` decides which labels of multi-label data count as predicted; this data is single_label_classification."),
        ("problem_type: multi_label_classification", "```train\nlabel_smoothing_factor: 0.1\n```",
         "`label_smoothing_factor` smooths class labels; this data is multi_label_classification."),
        ("problem_type: multi_label_classification", "```train\nmetrics: [mse]\n```",
         "`mse` is not a metric of multi_label_classification data; it takes `accuracy`, `precision`, `recall`, `f1`."),
    ])
    func checkHoldsMetricsToTheLoadedTask(load: String, cell: String, message: String) throws {
        let path = folder.write("lesson.md", "```load\ndataset: ./x.jsonl\n\(load)\n```\n\n```tokenize\nmodel: m\n```\n\n\(cell)\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let problems = NotebookRunner().check(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter))
        #expect(problems.map(\.message) == [message])
        #expect(problems.first.map { $0.location.line >= 11 } == true, "\(problems.map(\.description))")
    }

    @Test func aLabelDelimiterWithoutMultiLabelDataIsCaughtByCheck() throws {
        let path = folder.write("lesson.md", "```load\ndataset: x.csv\nlabel_delimiter: \";\"\n```\n")
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let problems = NotebookRunner().check(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter))
        #expect(problems.map(\.message) == ["`label_delimiter` separates the labels of multi-label data."])
    }
}
