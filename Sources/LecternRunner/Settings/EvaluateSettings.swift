import LecternEngine
import LecternNotebook

extension EvaluateDirective {
    /// The `evaluate` cell's parameters, typed.
    public struct Settings: DirectiveSettings {
        static let split = Parameter<String>.text("split", default: "test", "The split to evaluate on.")
        static let metrics = CellMetrics.parameter(default: CellMetrics.classification,
            "Which metrics: accuracy, precision, recall, f1 (classification; for regression data mse, rmse, mae, pearson, spearman, its default).")
        static let average = CellMetrics.average(CellMetrics.Average.allCases,
            "How precision, recall and F1 average over classes (`none`: one value per class; `samples`: over the texts of multi-label data), as scikit-learn's `average`.")
        static let zeroDivision = Parameter<Double>(
            ParameterSpec("zero_division", .choice(["0", "1"]), default: .string("0"),
                          "The value of a ratio whose denominator is 0, as scikit-learn's `zero_division`.")) { value in
            if case .string("1")? = value { return 1 }
            return 0
        }

        public static let parameters = [split.spec, ModelChoice.instead.spec, metrics.spec, average.spec, zeroDivision.spec,
                                        EvaluationBatch.size.spec, PrecisionChoice.bf16.spec, CellMetrics.threshold.spec]

        public let arguments: DirectiveArguments
        public let split: String
        /// nil: the model trained above.
        public let model: String?
        public let metrics: [CellMetrics.Name]
        public let average: CellMetrics.Average
        /// Whether the cell listed its `metrics` (else the data's task chooses them).
        public let metricsGiven: Bool
        public let threshold: Double
        public let zeroDivision: Double
        public let batchSize: Int
        public let precision: PrecisionChoice

        /// The metrics, the average, the threshold and label smoothing against the task of the data loaded above.
        public func check(after earlier: [any DirectiveSettings]) -> [Diagnostic] {
            guard let task = earlier.loadedTask else { return [] }
            return CellMetrics.problems(metrics, given: metricsGiven, average: average, task: task, arguments)
        }

        public init(_ arguments: DirectiveArguments) {
            self.arguments = arguments
            split = arguments[Self.split]
            model = arguments[ModelChoice.instead]
            metrics = arguments[Self.metrics]
            average = arguments[Self.average]
            metricsGiven = arguments.isGiven(Self.metrics)
            threshold = arguments[CellMetrics.threshold] ?? 0.5
            zeroDivision = arguments[Self.zeroDivision]
            batchSize = arguments[EvaluationBatch.size]
            precision = PrecisionChoice(arguments)
        }
    }
}
