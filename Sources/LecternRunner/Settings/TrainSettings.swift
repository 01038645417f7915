import LecternEngine
import LecternNotebook

extension TrainDirective {
    /// The `train` cell's parameters, typed: the model, the Trainer's arguments (one table:
    /// `TrainerArguments`), then the cell's data and metrics.
    public struct Settings: DirectiveSettings {
        static let trainSplit = Parameter<String>.text("train_split", default: "train", "The split to train on.")
        static let evalSplit = Parameter<String>.text("eval_split", default: "test", "The split to evaluate on.")
        static let metrics = CellMetrics.parameter(default: [.accuracy],
            "Metrics computed at each evaluation: accuracy, precision, recall, f1 (classification; for regression data mse, rmse, mae, pearson, spearman, its default).")
        static let average = CellMetrics.average([.micro, .macro, .weighted, .samples],
            "How precision, recall and F1 average over classes (`samples`: over the texts of multi-label data).")

        public static let parameters = [ModelChoice.instead.spec] + TrainerArguments.table.map(\.spec)
            + [trainSplit.spec, evalSplit.spec, metrics.spec, average.spec, CellMetrics.threshold.spec]

        public let arguments: DirectiveArguments
        /// nil: the `tokenize` cell's model.
        public let model: String?
        /// The Trainer's arguments but the seed, which defaults to the notebook's (`training(seed:)`).
        private let trainer: TrainingArguments
        /// What is wrong with `lr_scheduler_kwargs` for the schedule chosen.
        private let schedulerProblems: [String]
        public let seed: Int?
        public let resumeFromCheckpoint: String?
        /// `output_dir` and `dropout` as written (the engine's folder is absolute, its dropout a Float).
        public let outputDir: String
        public let dropout: Double?
        /// `early_stopping_patience` and `early_stopping_threshold`, for the export's `EarlyStoppingCallback`.
        public var earlyStopping: (patience: Int, threshold: Double)? {
            trainer.earlyStoppingPatience.map { ($0, trainer.earlyStoppingThreshold) }
        }
        /// Whether the Trainer evaluates during training.
        public var evaluates: Bool { trainer.evalStrategy != .no }
        /// Lectern's `shuffle: false`.
        public var shuffles: Bool { trainer.shuffle }
        public let precision: PrecisionChoice
        public let trainSplit: String
        public let evalSplit: String
        public let metrics: [CellMetrics.Name]
        public let average: CellMetrics.Average
        /// Whether the cell listed its `metrics` (else the data's task chooses them).
        public let metricsGiven: Bool
        public let threshold: Double

        /// The metrics, the average, the threshold and label smoothing against the task of the data loaded above.
        public func check(after earlier: [any DirectiveSettings]) -> [Diagnostic] {
            guard let task = earlier.loadedTask else { return [] }
            var problems = CellMetrics.problems(metrics, given: metricsGiven, average: average, task: task, arguments)
            if arguments.isGiven("label_smoothing_factor"), task != .singleLabelClassification {
                problems.append(arguments.problem("`label_smoothing_factor` smooths class labels; this data is \(task.rawValue).", with: "label_smoothing_factor"))
            }
            return problems
        }

        public init(_ arguments: DirectiveArguments) {
            self.arguments = arguments
            model = arguments[ModelChoice.instead]
            precision = PrecisionChoice(arguments)
            var trainer = TrainerArguments.training(from: arguments, seed: 0, precision: precision.precision)
            let keywords = SchedulerKeywords(arguments[TrainerArguments.lrSchedulerKwargs], kind: trainer.lrSchedulerType)
            (trainer.lrSchedulerOptions, trainer.plateauOptions, schedulerProblems) = (keywords.options, keywords.plateau, keywords.problems)
            self.trainer = trainer
            seed = arguments[TrainerArguments.seed]
            resumeFromCheckpoint = arguments[TrainerArguments.resumeFromCheckpoint]
            outputDir = arguments[TrainerArguments.outputDir]
            dropout = arguments[TrainerArguments.dropout]
            trainSplit = arguments[Self.trainSplit]
            evalSplit = arguments[Self.evalSplit]
            metrics = arguments[Self.metrics]
            average = arguments[Self.average]
            metricsGiven = arguments.isGiven(Self.metrics)
            threshold = arguments[CellMetrics.threshold] ?? 0.5
        }

        /// The engine's arguments, seeded by the cell's seed, else the notebook's.
        public func training(notebookSeed: Int) -> TrainingArguments {
            var training = trainer
            training.seed = seed ?? notebookSeed
            return training
        }

        /// The Trainer's rules across its arguments, checked before anything runs.
        public func check() -> [Diagnostic] {
            var problems: [Diagnostic] = []
            let trainer = self.trainer
            problems += schedulerProblems.map { arguments.problem($0, with: TrainerArguments.lrSchedulerKwargs) }
            let plateau = trainer.lrSchedulerType == .reduceLROnPlateau
            if plateau, trainer.evalStrategy == .no {
                problems.append(arguments.problem("`lr_scheduler_type: reduce_lr_on_plateau` needs evaluations to follow, as the Trainer requires.",
                                                  with: "lr_scheduler_type", hint: "Set `eval_strategy: epoch` (or `steps`)."))
            }
            if trainer.lrSchedulerType == .polynomial, trainer.lrSchedulerOptions.lrEnd >= Double(trainer.learningRate) {
                problems.append(arguments.problem("`lr_scheduler_kwargs.lr_end` (\(trainer.lrSchedulerOptions.lrEnd)) must be smaller than `learning_rate`, as transformers requires.",
                                                  with: TrainerArguments.lrSchedulerKwargs))
            }
            if trainer.earlyStoppingPatience != nil {
                if !trainer.loadBestModelAtEnd {
                    problems.append(arguments.problem("`early_stopping_patience` needs `load_best_model_at_end: true`, as transformers' `EarlyStoppingCallback` requires.",
                                                      with: "early_stopping_patience", hint: "Add `load_best_model_at_end: true` (with matching `eval_strategy` and `save_strategy`)."))
                }
                if trainer.evalStrategy == .no {
                    problems.append(arguments.problem("`early_stopping_patience` needs evaluations to follow.", with: "early_stopping_patience",
                                                      hint: "Set `eval_strategy: epoch` (or `steps`)."))
                }
            }
            if let threshold = arguments[TrainerArguments.earlyStoppingThreshold], threshold < 0 {
                problems.append(arguments.problem("`early_stopping_threshold` must not be negative.", with: TrainerArguments.earlyStoppingThreshold))
            }
            if trainer.loadBestModelAtEnd || plateau || trainer.earlyStoppingPatience != nil {
                let eval = trainer.evalStrategy, save = trainer.saveStrategy
                if eval == .no, trainer.loadBestModelAtEnd {
                    problems.append(arguments.problem("`load_best_model_at_end` needs evaluations to compare.", with: "load_best_model_at_end",
                                                      hint: "Set `eval_strategy: epoch` (or `steps`)."))
                } else if eval != save, trainer.loadBestModelAtEnd {
                    problems.append(arguments.problem("`load_best_model_at_end` needs `save_strategy` to match `eval_strategy` (`\(eval.rawValue)`), as the Trainer requires.",
                                                      with: "save_strategy", hint: "Set `save_strategy: \(eval.rawValue)`."))
                }
                // The metric that picks the best checkpoint must be one the evaluations compute (checked
                // before anything runs, not when training has already started). Without `metrics`, regression
                // data computes its own (the task is the `load` cell's), so those pass here too.
                let best = trainer.metricForBestModel, computed = metrics.map(\.rawValue)
                let bare = best.hasPrefix("eval_") ? String(best.dropFirst(5)) : best
                let regressionDefaults = metricsGiven ? [] : CellMetrics.regression.map(\.rawValue)
                if bare != "loss", !computed.contains(bare), !regressionDefaults.contains(bare) {
                    problems.append(arguments.problem("`metric_for_best_model` is `\(best)`, but `metrics` computes only "
                                                      + (["loss"] + computed).map { "`\($0)`" }.joined(separator: ", ") + ".", with: "metric_for_best_model",
                                                      hint: "Add it to `metrics`, or use `loss`."))
                }
            }
            if trainer.weightDecay < 0 {
                problems.append(arguments.problem("`weight_decay` must not be negative.", with: "weight_decay"))
            }
            for (name, value) in [("dropout", dropout), ("warmup_ratio", trainer.warmupRatio), ("label_smoothing_factor", trainer.labelSmoothingFactor),
                                  ("max_grad_norm", arguments[TrainerArguments.maxGradNorm])] {
                if let value, value < 0 { problems.append(arguments.problem("`\(name)` must not be negative.", with: name)) }
            }
            return problems
        }
    }
}
