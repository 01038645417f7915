import Foundation
import LecternTestSupport
import Testing

/// `--to ipynb` and `lectern export`: nbformat-valid notebooks whose code cells compile, with
/// Lectern's outputs attached after a run. The check is Tests/reference/check_ipynb.py with
/// Debian's python3-nbformat (`make test` installs it).
struct ExportTests {
    static let python = "/usr/bin/python3"
    static let hasNbformat: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import nbformat"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    func check(_ paths: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [repositoryRoot.appendingPathComponent("Tests/reference/check_ipynb.py").path] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(.enabled(if: hasNbformat, "needs python3-nbformat (make test installs it)"))
    func aRunNotebookBecomesAValidJupyterNotebookWithItsOutputs() throws {
        let folder = ScratchFolder()
        folder.writeTinyNews()
        let model = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        folder.write("lesson.md", """
            # A tiny lesson

            Some *prose*.

            ```load
            dataset: tiny_news
            split: train
            test_size: 0.25
            ```

            ```tokenize
            model: \(model)
            max_length: 32
            truncation: true
            ```

            ```train
            max_steps: 2
            eval_strategy: no
            metrics: [accuracy, f1]
            average: macro
            ```

            ```evaluate
            ```

            ```predict
            texts: ["Stocks \\"rose\\".", "Rain\\nlater"]
            ```

            """)
        let run = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet", "--to", "ipynb"], in: folder.path)
        #expect(run.status == 0, "\(run.standardError)")
        let exported = try LecternProcess.run(["export", "lesson.md", "--python", "--ipynb", "--out", "exported"], in: folder.path)
        #expect(exported.status == 0, "\(exported.standardError)")

        let result = try check([folder.path + "/output/lesson.ipynb", folder.path + "/exported/lesson.ipynb"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("output/lesson.ipynb: valid nbformat 4.5, 6 code cells compile, 5 outputs"))
        #expect(result.output.contains("exported/lesson.ipynb: valid nbformat 4.5, 6 code cells compile, 0 outputs"))

        let notebook = try #require(folder.read("output/lesson.ipynb"))
        #expect(notebook.contains("trainer = Trainer("))
        #expect(notebook.contains("average=\\\"macro\\\""))
        #expect(notebook.contains("<figure class=\\\"chart\\\"><svg"), "plots travel with the outputs")
        let script = try #require(folder.read("exported/lesson.py"))
        #expect(script.contains("raw_datasets = raw_datasets.train_test_split(test_size=0.25)"))
        #expect(script.contains("texts = [\"Stocks \\\"rose\\\".\", \"Rain\\nlater\"]"))
        #expect(script.contains("# Some *prose*."))
        // Checkpoints the script writes carry the tokenizer, so Lectern's `model:` can read them whole.
        #expect(script.contains("    processing_class=tokenizer,"))
    }

    /// `bf16: true` becomes the Trainer's `bf16=True`, and torch's autocast around evaluation and prediction.
    @Test func bf16BecomesTheTrainersFlagAndAutocast() throws {
        let folder = ScratchFolder()
        folder.write("lesson.md", """
            ```load
            dataset: ag_news
            ```

            ```tokenize
            model: all-MiniLM-L6-v2
            ```

            ```train
            max_steps: 2
            bf16: true
            dropout: 0
            ```

            ```evaluate
            bf16: true
            ```

            ```predict
            text: Stocks rose.
            bf16: true
            ```

            """)
        let exported = try LecternProcess.run(["export", "lesson.md", "--python", "--out", "exported"], in: folder.path)
        #expect(exported.status == 0, "\(exported.standardError)")
        let script = try #require(folder.read("exported/lesson.py"))
        #expect(script.contains("    bf16=True,\n)"))
        // `dropout:` sets every dropout layer, whatever the model family calls it in config.json.
        #expect(script.contains("    if isinstance(module, torch.nn.Dropout):\n        module.p = 0.0\n"))
        // The head from_pretrained draws is seeded (the notebook's seed, 42 here), so reruns of the script agree.
        #expect(script.contains("set_seed(42)\nmodel = AutoModelForSequenceClassification.from_pretrained("))
        #expect(!script.contains("    seed="))
        let seven = try LecternProcess.run(["export", "lesson.md", "--python", "--set", "seed=7", "--out", "seven"], in: folder.path)
        #expect(seven.status == 0, "\(seven.standardError)")
        let seeded = try #require(folder.read("seven/lesson.py"))
        #expect(seeded.contains("set_seed(7)\n") && seeded.contains("    seed=7,\n"))
        #expect(script.contains("with torch.autocast(trainer.model.device.type, dtype=torch.bfloat16):  # bf16: true\n"
                                + "    output = trainer.predict(tokenized_datasets[\"test\"])"))
        #expect(script.contains("with torch.autocast(classifier.device.type, dtype=torch.bfloat16):  # bf16: true\n"
                                + "    for text, scores in zip(texts, classifier(texts)):"))
        let compile = Process()
        compile.executableURL = URL(fileURLWithPath: Self.python)
        compile.arguments = ["-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')", folder.path + "/exported/lesson.py"]
        try compile.run()
        compile.waitUntilExit()
        #expect(compile.terminationStatus == 0, "the exported script compiles")
    }

    /// The Trainer's knobs become its keywords (schedule keywords as numbers, `warmup_ratio` as transformers 5's
    /// fractional `warmup_steps`), and early stopping its callback.
    @Test func trainerKnobsBecomeTrainingArgumentsAndTheCallback() throws {
        let folder = ScratchFolder()
        folder.write("lesson.md", """
            ```load
            dataset: ag_news
            ```

            ```tokenize
            model: all-MiniLM-L6-v2
            ```

            ```train
            lr_scheduler_type: cosine_with_restarts
            lr_scheduler_kwargs:
              num_cycles: 2
            warmup_ratio: 0.1
            gradient_accumulation_steps: 2
            label_smoothing_factor: 0.1
            optim: adamw_torch_fused
            adam_beta2: 0.98
            eval_strategy: epoch
            save_strategy: epoch
            load_best_model_at_end: true
            early_stopping_patience: 2
            ```

            """)
        let exported = try LecternProcess.run(["export", "lesson.md", "--python", "--out", "exported"], in: folder.path)
        #expect(exported.status == 0, "\(exported.standardError)")
        let script = try #require(folder.read("exported/lesson.py"))
        for line in ["    warmup_steps=0.1,\n", "    lr_scheduler_type=\"cosine_with_restarts\",\n", "    lr_scheduler_kwargs={\"num_cycles\": 2},\n",
                     "    gradient_accumulation_steps=2,\n", "    label_smoothing_factor=0.1,\n", "    optim=\"adamw_torch_fused\",\n",
                     "    adam_beta2=0.98,\n", "    callbacks=[EarlyStoppingCallback(early_stopping_patience=2)],\n"] {
            #expect(script.contains(line), "missing: \(line)")
        }
        #expect(!script.contains("warmup_ratio") && !script.contains("early_stopping_patience=2,\n"))
    }

    /// Regression and multi-label lessons become the Hugging Face code for their task: float or multi-hot labels,
    /// the head's problem_type, their metrics, and the pipeline's output function.
    @Test func regressionAndMultiLabelLessonsBecomeTheirTasksCode() throws {
        let folder = ScratchFolder()
        folder.write("scores.jsonl", "{\"text\": \"a\", \"label\": 1.5}\n")
        folder.write("tags.csv", "text,label\na,x;y\n")
        let lesson = { (load: String) in
            "```load\n\(load)\n```\n\n```tokenize\nmodel: all-MiniLM-L6-v2\n```\n\n```train\nmax_steps: 2\n```\n\n```evaluate\n```\n\n```predict\ntext: A text.\n```\n"
        }
        folder.write("regression.md", lesson("dataset: ./scores.jsonl\nproblem_type: regression"))
        folder.write("labels.md", lesson("dataset: ./tags.csv\nproblem_type: multi_label_classification\nlabel_delimiter: \";\""))
        for name in ["regression", "labels"] {
            let exported = try LecternProcess.run(["export", "\(name).md", "--python", "--out", "exported"], in: folder.path)
            #expect(exported.status == 0, "\(exported.standardError)")
        }
        let regression = try #require(folder.read("exported/regression.py"))
        for line in ["raw_datasets = raw_datasets.cast_column(\"label\", Value(\"float32\"))", "label_names = [\"LABEL_0\"]  # regression: one output",
                     "problem_type=\"regression\")", "\"rmse\": mean_squared_error(labels, preds) ** 0.5", "\"spearman\": spearmanr(preds, labels)[0]",
                     "top_k=None, function_to_apply=\"none\")"] {
            #expect(regression.contains(line), "regression: missing \(line)")
        }
        let labels = try #require(folder.read("exported/labels.py"))
        for line in ["str(value).split(\";\")", "raw_datasets = raw_datasets.cast_column(\"label\", Sequence(Value(\"float32\")))",
                     "problem_type=\"multi_label_classification\")", "preds = (1 / (1 + np.exp(-pred.predictions)) >= 0.5).astype(int)",
                     "top_k=None, function_to_apply=\"sigmoid\")"] {
            #expect(labels.contains(line), "multi-label: missing \(line)")
        }
        #expect(!labels.contains("confusion_matrix(output"))
    }

    /// Sentence pairs: the second column is renamed `text_pair` and passed to the tokenizer with the
    /// notebook's truncation strategy; AG News pairs come from the CSV release's title and description.
    @Test func sentencePairsBecomeTheTokenizersSecondText() throws {
        let folder = ScratchFolder()
        folder.write("lesson.md", """
            ```load
            dataset: data/mrpc.csv
            text_column: sentence1
            text_pair_column: sentence2
            ```

            ```tokenize
            model: all-MiniLM-L6-v2
            truncation: only_second
            max_length: 64
            ```

            """)
        folder.write("news.md", """
            ```load
            dataset: ag_news
            text_column: title
            text_pair_column: description
            ```

            ```tokenize
            model: all-MiniLM-L6-v2
            truncation: true
            ```

            """)
        folder.write("data/mrpc.csv", "sentence1,sentence2,label\na,b,0\n")
        for lesson in ["lesson.md", "news.md"] {
            let exported = try LecternProcess.run(["export", lesson, "--python", "--out", "exported"], in: folder.path)
            #expect(exported.status == 0, "\(exported.standardError)")
        }
        let script = try #require(folder.read("exported/lesson.py"))
        #expect(script.contains("raw_datasets = raw_datasets.rename_column(\"sentence2\", \"text_pair\")"))
        #expect(script.contains("return tokenizer(examples[\"text\"], examples[\"text_pair\"], truncation=\"only_second\", max_length=64)"))
        let news = try #require(folder.read("exported/news.py"))
        #expect(news.contains("{\"text\": e[\"title\"], \"text_pair\": e[\"description\"], \"label\": e[\"label\"] - 1}"), "\(news)")
        #expect(news.contains("return tokenizer(examples[\"text\"], examples[\"text_pair\"], truncation=True)"))
    }
}
