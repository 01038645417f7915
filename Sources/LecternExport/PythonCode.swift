import Foundation
import LecternData
import LecternEngine
import LecternNotebook
import LecternRunner

/// The Hugging Face code a student would write for each directive, with the same settings: the
/// lesson as `datasets` + `transformers` + scikit-learn, runnable on any machine (GPUs included).
///
/// Variable names follow the course's Python lesson: `raw_datasets`, `tokenizer`,
/// `tokenized_datasets`, `model`, `trainer`.
enum PythonCode {
    static func preamble(notebook: String, version: String) -> String {
        """
        # The lesson \(notebook) as Hugging Face code, written by Lectern \(version).
        # pip install torch transformers datasets accelerate scikit-learn
        import numpy as np
        from datasets import ClassLabel, Dataset, DatasetDict, Sequence, Value, load_dataset
        from scipy.stats import pearsonr, spearmanr
        from sklearn.metrics import (accuracy_score, confusion_matrix, mean_absolute_error, mean_squared_error,
                                     precision_recall_fscore_support)
        from transformers import (AutoModelForSequenceClassification, AutoTokenizer, EarlyStoppingCallback, Trainer,
                                  TrainingArguments, pipeline, set_seed)
        """
    }

    /// Hub ids for the names Lectern resolves to packaged models.
    static let hubModels = ["all-MiniLM-L6-v2": "sentence-transformers/all-MiniLM-L6-v2"]

    /// `seed`: the notebook's, for a `train` cell that sets none.
    /// What the code of one cell depends on beyond its own arguments.
    struct Context {
        var seed: Int
        /// Whether the notebook loads sentence pairs (a `load` cell with `text_pair_column`).
        var pairs = false
        /// What the notebook's labels are (its `load` cell's `problem_type`).
        var task = LabelTask.singleLabelClassification
    }

    static func code(for name: DirectiveName, _ arguments: DirectiveArguments, source: String?, context: Context) -> String {
        switch name {
        case .load: return load(LoadDirective.Settings(arguments), source: source)
        case .tokenize: return tokenize(TokenizeDirective.Settings(arguments), pairs: context.pairs)
        case .train: return train(TrainDirective.Settings(arguments), notebookSeed: context.seed, task: context.task)
        case .evaluate: return evaluate(EvaluateDirective.Settings(arguments), task: context.task)
        case .predict: return predict(PredictDirective.Settings(arguments), task: context.task)
        default: return "# A `\(name)` cell has no Hugging Face equivalent that Lectern writes; it is left out of this code."
        }
    }

    // MARK: load

    static func load(_ settings: LoadDirective.Settings, source: String?) -> String {
        let name = settings.dataset
        let split = settings.split
        // AG News not found here is still the AG News release (the hub's copy has no title and description for pairs).
        let format = settings.format ?? source.flatMap { try? DatasetLoader.detectFormat(at: $0) } ?? (name == "ag_news" ? .agNews : nil)
        var lines: [String] = []
        switch format {
        case _ where name == "ag_news" && settings.textPairColumn == nil:
            lines.append("# AG News from the Hugging Face hub (Lectern read the same release from \(source ?? "its CSV files")).")
            lines.append("raw_datasets = load_dataset(\"ag_news\"" + (split.map { ", split=\(literal($0))" } ?? "") + ")")
        case .agNews?:
            let root = source ?? name
            lines += [
                "# The AG News CSV release layout: classes.txt, and train.csv/test.csv rows \"class\",\"title\",\"description\".",
                "import pathlib",
                "root = pathlib.Path(\(literal(root)))",
                "class_names = (root / \"classes.txt\").read_text().split(\"\\n\")[:-1]",
                "raw_datasets = load_dataset(\"csv\", data_files={s: str(root / f\"{s}.csv\") for s in [\"train\", \"test\"]},",
                "                            column_names=[\"label\", \"title\", \"description\"]" + (split.map { ", split=\(literal($0))" } ?? "") + ")",
                "raw_datasets = raw_datasets.map(lambda e: {" + agNewsColumns(settings) + "\"label\": e[\"label\"] - 1},",
                "                                remove_columns=[\"title\", \"description\"])",
                "raw_datasets = raw_datasets.cast_column(\"label\", ClassLabel(names=class_names))",
            ]
        case .csv?, .jsonl?, .parquet?, .arrow?:
            let builder = format == .csv ? "csv" : format == .jsonl ? "json" : format == .parquet ? "parquet" : "arrow"
            let path = source ?? name
            var isFolder: ObjCBool = false
            let folder = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            let saved = ["dataset_dict.json", "state.json"].contains { FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent($0)) }
            if format == .arrow, folder, saved {
                // A `save_to_disk` folder: load_from_disk, then the split expression's rows (what Lectern read).
                lines.append("from datasets import load_from_disk, concatenate_datasets")
                lines.append("saved = load_from_disk(\(literal(path)))")
                lines.append("raw_datasets = " + savedSplit(split ?? "train"))
            } else if folder {
                // A folder of shards (or a Hub snapshot): `datasets` finds the splits from the file names and
                // README.md's configs, as Lectern did.
                let config = settings.config.map { ", \(literal($0))" } ?? ""
                lines.append("raw_datasets = load_dataset(\(literal(path))\(config), split=\(literal(split ?? "train")))")
            } else {
                lines.append("raw_datasets = load_dataset(\(literal(builder)), data_files=\(literal(path)), split=\(literal(split ?? "train")))")
            }
            let text = settings.textColumn, label = settings.labelColumn
            if text != "text" { lines.append("raw_datasets = raw_datasets.rename_column(\(literal(text)), \"text\")") }
            if label != "label" { lines.append("raw_datasets = raw_datasets.rename_column(\(literal(label)), \"label\")") }
            if let pair = settings.textPairColumn, pair != "text_pair" {
                lines.append("raw_datasets = raw_datasets.rename_column(\(literal(pair)), \"text_pair\")")
            }
            lines += labelColumn(settings)
        case .folders?, nil:
            lines.append(contentsOf: classFolders(source ?? name, policy: settings.invalidUTF8))
            if let split { lines.append("raw_datasets = raw_datasets.select(range(len(raw_datasets))[\(pythonSlice(split))])  # \(split)") }
        }
        if let size = testSize(settings) {
            let shuffle = settings.shuffle ? "" : ", shuffle=False"
            let seed = settings.seed.map { ", seed=\($0)" } ?? ""
            lines.append("raw_datasets = raw_datasets.train_test_split(\(size)\(seed)\(shuffle))")
        }
        lines.append("print(raw_datasets)")
        return lines.joined(separator: "\n")
    }

    /// A split expression over a `load_from_disk` result: each part's rows, joined.
    static func savedSplit(_ expression: String) -> String {
        guard let parsed = try? SplitExpression(expression) else { return "saved[\(literal(expression))]" }
        let parts = parsed.parts.map { part -> String in
            let split = "saved[\(literal(part.split))]"
            func bound(_ value: Int?) -> String { value.map { part.percent ? "\($0) * len(\(split)) // 100" : String($0) } ?? "" }
            let rows = part.from == nil && part.to == nil ? "" : ".select(range(len(\(split)))[\(bound(part.from)):\(bound(part.to))])"
            return split + rows
        }
        return parts.count == 1 ? parts[0] : "concatenate_datasets([" + parts.joined(separator: ", ") + "])"
    }

    /// The label column as the task needs it: classes encoded (names sorted, as Lectern), scores as
    /// float32, or each text's labels as 1.0/0.0 for every label (what `BCEWithLogitsLoss` takes).
    static func labelColumn(_ settings: LoadDirective.Settings) -> [String] {
        switch settings.problemType {
        case .singleLabelClassification:
            return ["if not isinstance(raw_datasets.features[\"label\"], ClassLabel):",
                    "    raw_datasets = raw_datasets.class_encode_column(\"label\")  # label names in sorted order, as Lectern"]
        case .regression:
            return ["raw_datasets = raw_datasets.cast_column(\"label\", Value(\"float32\"))  # regression: a score per text"]
        case .multiLabelClassification:
            return [
                "# Multi-label: each text's labels (a list, or a field split at \(literal(settings.labelDelimiter))), as 1.0 or 0.0 for every label.",
                "def label_list(value):",
                "    items = value if isinstance(value, list) else str(value).split(\(literal(settings.labelDelimiter)))",
                "    return [str(item).strip() for item in items if str(item).strip()]",
                "",
                "all_labels = {label for row in raw_datasets[\"label\"] for label in label_list(row)}",
                "if all(label.isdigit() for label in all_labels):  # ids 0, 1, ...",
                "    label_names = [str(i) for i in range(max(map(int, all_labels)) + 1)]",
                "else:  # names, sorted as Lectern sorts them",
                "    label_names = sorted(all_labels)",
                "raw_datasets = raw_datasets.map(lambda e: {\"label\": [1.0 if name in label_list(e[\"label\"]) else 0.0 for name in label_names]})",
                "raw_datasets = raw_datasets.cast_column(\"label\", Sequence(Value(\"float32\")))",
            ]
        }
    }

    /// The AG News release's `text` (and `text_pair`) columns, from the CSV's title and description.
    static func agNewsColumns(_ settings: LoadDirective.Settings) -> String {
        func column(_ name: String) -> String {
            switch name {
            case "title", "description": "e[\(literal(name))]"
            default: "e[\"title\"] + \" \" + e[\"description\"]"
            }
        }
        return "\"text\": \(column(settings.textColumn)), "
            + (settings.textPairColumn.map { "\"text_pair\": \(column($0)), " } ?? "")
    }

    static func testSize(_ settings: LoadDirective.Settings) -> String? {
        for (key, size) in [("test_size", settings.testSize), ("train_size", settings.trainSize)] {
            switch size {
            case let .count(value)?: return "\(key)=\(value)"
            case let .fraction(value)?: return "\(key)=\(value)"
            case nil: continue
            }
        }
        return nil
    }

    /// A folder of class folders of .txt files, read as Lectern reads it (classes and files in name order).
    static func classFolders(_ path: String, policy: InvalidUTF8Policy) -> [String] {
        let decode = switch policy {
        case .error: "data.decode(\"utf-8\")"
        case .replace: "data.decode(\"utf-8\", errors=\"replace\")"
        case .windows1252: "decode_text(data)"
        }
        var lines = ["import pathlib", "", "root = pathlib.Path(\(literal(path)))"]
        if policy == .windows1252 {
            lines += ["", "def decode_text(data):", "    try:", "        return data.decode(\"utf-8\")",
                      "    except UnicodeDecodeError:  # e.g. BBC News sport/199.txt, as Lectern reads it",
                      "        return data.decode(\"cp1252\")", ""]
        }
        lines += [
            "class_names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(\"__\"))",
            "rows = [{\"text\": \(decode), \"label\": label}",
            "        for label, name in enumerate(class_names)",
            "        for data in (f.read_bytes() for f in sorted((root / name).glob(\"*.txt\")))]",
            "raw_datasets = Dataset.from_list(rows).cast_column(\"label\", ClassLabel(names=class_names))",
        ]
        return lines
    }

    /// `train[:800]`-style slices of one split as a Python slice (percentages of its length).
    static func pythonSlice(_ expression: String) -> String {
        guard let open = expression.firstIndex(of: "["), let close = expression.lastIndex(of: "]") else { return ":" }
        return String(expression[expression.index(after: open)..<close])
            .replacingOccurrences(of: "%", with: "*len(raw_datasets)//100")
    }

    // MARK: tokenize

    static func tokenize(_ settings: TokenizeDirective.Settings, pairs: Bool) -> String {
        let model = settings.model
        let truncation = switch settings.truncation {
        case .off: "False"
        case .on: "True"
        case let .named(strategy): literal(strategy.rawValue)
        }
        var options = "truncation=" + truncation
        if settings.padding != .doNotPad { options = "padding=\(literal(settings.padding.rawValue)), " + options }
        if let length = settings.maxLength { options += ", max_length=\(length)" }
        return """
            model_name = \(literal(hubModels[model] ?? model))
            tokenizer = AutoTokenizer.from_pretrained(model_name)

            def tokenize_function(examples):
                return tokenizer(examples["text"], \(pairs ? "examples[\"text_pair\"], " : "")\(options))

            tokenized_datasets = raw_datasets.map(tokenize_function, batched=True)
            tokenized_datasets = tokenized_datasets.rename_column("label", "labels")
            """
    }

    // MARK: train

    /// The TrainingArguments keywords are written as given in the notebook (the rest are the Trainer's defaults too).
    static func train(_ settings: TrainDirective.Settings, notebookSeed: Int, task: LabelTask) -> String {
        let arguments = settings.arguments
        let seed = settings.seed ?? notebookSeed
        var lines: [String] = []
        if let model = settings.model { lines.append("model_name = \(literal(hubModels[model] ?? model))") }
        switch task {
        case .singleLabelClassification: lines.append("label_names = raw_datasets[\(literal(settings.trainSplit))].features[\"label\"].names")
        case .regression: lines.append("label_names = [\"LABEL_0\"]  # regression: one output")
        case .multiLabelClassification: lines.append("# label_names: the labels the load cell found")
        }
        lines += [
            "# from_pretrained draws the new classification head before the Trainer seeds anything: seed it, so reruns agree.",
            "set_seed(\(seed))",
            "model = AutoModelForSequenceClassification.from_pretrained(",
            "    model_name, num_labels=len(label_names), id2label=dict(enumerate(label_names)),",
            "    label2id={name: i for i, name in enumerate(label_names)}"
                + (task == .singleLabelClassification ? ")" : ", problem_type=\(literal(task.rawValue)))"),
        ]
        if let dropout = settings.dropout {
            // Every family names its dropout probabilities differently in config.json (BERT's hidden_dropout_prob,
            // DistilBERT's dropout and seq_classif_dropout): set the layers themselves, as Lectern's `dropout:` does.
            lines += [
                "import torch",
                "for module in model.modules():  # dropout: \(dropout), every dropout layer",
                "    if isinstance(module, torch.nn.Dropout):",
                "        module.p = \(dropout)",
            ]
        }
        lines += [
            "",
            metricsFunction(name: "compute_metrics", metrics: settings.metricsGiven ? settings.metrics : nil, average: settings.average, zeroDivision: 0,
                            task: task, threshold: settings.threshold),
            "",
            "training_args = TrainingArguments(",
            "    output_dir=\(literal(settings.outputDir)),",
        ]
        for name in TrainDirective.transformersKeywords where arguments.isGiven(name) {
            guard let value = arguments[name] else { continue }
            switch (name, value) {
            case let ("lr_scheduler_kwargs", .mapping(entries)):
                // Written as text in the cell; numbers go to transformers as numbers.
                lines.append("    lr_scheduler_kwargs={" + entries.map { literal($0.name) + ": " + pythonScalar($0.value.description) }.joined(separator: ", ") + "},")
            case ("warmup_ratio", _):
                // transformers 5 has no `warmup_ratio`: a `warmup_steps` below 1 is the fraction of all steps.
                if !arguments.isGiven("warmup_steps") { lines.append("    warmup_steps=\(python(value)),") }
            default:
                lines.append("    \(name)=\(python(value)),")
            }
        }
        // Lectern's train cell takes the notebook's seed; the Trainer's default is 42.
        if settings.seed == nil, seed != 42 { lines.append("    seed=\(seed),") }
        lines.append(")")
        if !settings.shuffles { lines.append("# Lectern ran with shuffle: false (the Trainer always shuffles the training set).") }
        let evaluates = settings.evaluates
        lines += [
            "trainer = Trainer(",
            "    model=model,",
            "    args=training_args,",
            "    train_dataset=tokenized_datasets[\(literal(settings.trainSplit))],",
        ]
        if evaluates { lines.append("    eval_dataset=tokenized_datasets[\(literal(settings.evalSplit))],") }
        if let patience = settings.earlyStopping?.patience {
            let threshold = settings.earlyStopping?.threshold ?? 0
            lines.append("    callbacks=[EarlyStoppingCallback(early_stopping_patience=\(patience)" + (threshold == 0 ? "" : ", early_stopping_threshold=\(threshold)") + ")],")
        }
        lines += ["    compute_metrics=compute_metrics,",
                  "    processing_class=tokenizer,  # saved in each checkpoint, so a checkpoint folder is a whole model",
                  ")"]
        let resume = settings.resumeFromCheckpoint.map { $0 == "last" ? "True" : literal($0) }
        lines.append("train_result = trainer.train(" + (resume.map { "resume_from_checkpoint=\($0)" } ?? "") + ")")
        lines.append("print(train_result.metrics)")
        return lines.joined(separator: "\n")
    }

    /// scikit-learn's (and for regression SciPy's) metrics as the notebook's `metrics` and `average` ask;
    /// `metrics` nil: the task's own (classification: what the cell's default lists).
    static func metricsFunction(name: String, metrics requested: [CellMetrics.Name]?, defaults: [CellMetrics.Name] = [.accuracy],
                                average: CellMetrics.Average, zeroDivision: Int, task: LabelTask, threshold: Double) -> String {
        let metrics = requested ?? (task == .regression ? CellMetrics.regression : defaults)
        var lines = ["def \(name)(pred):", "    labels = pred.label_ids"]
        var results: [String] = []
        switch task {
        case .regression:
            lines.append("    preds = pred.predictions.reshape(-1)")
            for metric in metrics {
                switch metric {
                case .mse: results.append("\"mse\": mean_squared_error(labels, preds)")
                case .rmse: results.append("\"rmse\": mean_squared_error(labels, preds) ** 0.5")
                case .mae: results.append("\"mae\": mean_absolute_error(labels, preds)")
                case .pearson: results.append("\"pearson\": pearsonr(preds, labels)[0]")
                default: results.append("\"spearman\": spearmanr(preds, labels)[0]")
                }
            }
            lines.append("    return {" + results.joined(separator: ", ") + "}")
            return lines.joined(separator: "\n")
        case .multiLabelClassification:
            lines.append("    preds = (1 / (1 + np.exp(-pred.predictions)) >= \(threshold)).astype(int)  # each label's sigmoid at the threshold")
            lines.append("    labels = labels.astype(int)")
        case .singleLabelClassification:
            lines.append("    preds = pred.predictions.argmax(-1)")
        }
        if metrics.contains(where: { $0 != .accuracy }) {
            let averaged = average == .none ? "None" : literal(average.rawValue)
            lines.append("    precision, recall, f1, _ = precision_recall_fscore_support(labels, preds, average=\(averaged), zero_division=\(zeroDivision))")
        }
        for metric in metrics {
            results.append(metric == .accuracy ? "\"accuracy\": accuracy_score(labels, preds)" : "\(literal(metric.rawValue)): \(metric.rawValue)")
        }
        lines.append("    return {" + results.joined(separator: ", ") + "}")
        return lines.joined(separator: "\n")
    }

    // MARK: evaluate and predict

    static func evaluate(_ settings: EvaluateDirective.Settings, task: LabelTask) -> String {
        var lines: [String] = []
        if let model = settings.model {
            lines += ["model = AutoModelForSequenceClassification.from_pretrained(\(literal(model)))",
                      "trainer = Trainer(model=model, args=TrainingArguments(output_dir=\"results\", report_to=\"none\"))"]
        }
        let split = literal(settings.split)
        lines += [
            metricsFunction(name: "evaluation_metrics", metrics: settings.metricsGiven ? settings.metrics : nil, defaults: CellMetrics.classification,
                            average: settings.average, zeroDivision: Int(settings.zeroDivision), task: task, threshold: settings.threshold),
            "",
        ]
        lines += autocast(settings.precision, device: "trainer.model.device.type", ["output = trainer.predict(tokenized_datasets[\(split)])"])
        lines.append("print(evaluation_metrics(output))")
        if task == .singleLabelClassification {
            lines += [
                "labels = list(range(trainer.model.config.num_labels))  # every class, also those the split lacks",
                "print(confusion_matrix(output.label_ids, output.predictions.argmax(-1), labels=labels))  # rows: true class, columns: predicted",
            ]
        }
        return lines.joined(separator: "\n")
    }

    static func predict(_ settings: PredictDirective.Settings, task: LabelTask) -> String {
        var lines: [String] = []
        let model = settings.model.map { literal(hubModels[$0] ?? $0) } ?? "trainer.model"
        let tokenizerSource = settings.model.map { literal(hubModels[$0] ?? $0) } ?? "tokenizer"
        // Each label's sigmoid for multi-label models, the raw output for regression (the pipeline's default is a softmax).
        let function = task == .multiLabelClassification ? ", function_to_apply=\"sigmoid\"" : task == .regression ? ", function_to_apply=\"none\"" : ""
        lines.append("classifier = pipeline(\"text-classification\", model=\(model), tokenizer=\(tokenizerSource), top_k=None\(function))")
        if !settings.texts.isEmpty {
            lines.append("texts = [" + settings.texts.map(literal).joined(separator: ", ") + "]")
        } else if let split = settings.split {
            lines.append("texts = raw_datasets[\(literal(split))][\"text\"]")
        }
        let report: [String] = switch task {
        case .singleLabelClassification:
            ["for text, scores in zip(texts, classifier(texts)):", "    best = max(scores, key=lambda s: s[\"score\"])",
             "    print(f\"{best['label']} ({best['score']:.4f}): {text[:70]}\")"]
        case .regression:
            ["for text, scores in zip(texts, classifier(texts)):", "    print(f\"{scores[0]['score']:.4f}: {text[:70]}\")"]
        case .multiLabelClassification:
            ["for text, scores in zip(texts, classifier(texts)):",
             "    chosen = [f\"{s['label']} ({s['score']:.4f})\" for s in scores if s[\"score\"] >= \(settings.threshold)]",
             "    print(\", \".join(chosen) or \"(no label)\", \":\", text[:70])"]
        }
        lines += autocast(settings.precision, device: "classifier.device.type", report)
        return lines.joined(separator: "\n")
    }

    /// `bf16: true` outside training is torch's autocast around the forward passes (the Trainer's
    /// `bf16=True` is the same thing inside it).
    static func autocast(_ precision: PrecisionChoice, device: String, _ body: [String]) -> [String] {
        guard precision.requested else { return body }
        return ["import torch", "with torch.autocast(\(device), dtype=torch.bfloat16):  # bf16: true"] + body.map { "    " + $0 }
    }

    // MARK: Python literals

    /// A double-quoted Python string literal.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\x%02x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// A YAML scalar written as text: a number stays a number, anything else is a string.
    static func pythonScalar(_ text: String) -> String {
        if Int(text) != nil { return text }
        if let number = Double(text), number.isFinite { return "\(number)" }
        return literal(text)
    }

    static func python(_ value: ParameterValue) -> String {
        switch value {
        case let .string(text): return literal(text)
        case let .integer(number): return String(number)
        case let .number(number): return "\(number)"
        case let .boolean(flag): return flag ? "True" : "False"
        case let .list(items): return "[" + items.map(python).joined(separator: ", ") + "]"
        case let .mapping(entries): return "{" + entries.map { literal($0.name) + ": " + python($0.value) }.joined(separator: ", ") + "}"
        }
    }
}
