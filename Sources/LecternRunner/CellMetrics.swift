import Foundation
import LecternData
import LecternEngine
import LecternNotebook

/// What `train` and `evaluate` share about metrics: the names a cell may ask for, which of them
/// each task computes, computing them as scikit-learn and SciPy do, and how a value is shown.
public enum CellMetrics {
    /// A metric a cell may ask for.
    public enum Name: String, Sendable, CaseIterable {
        case accuracy, precision, recall, f1, mse, rmse, mae, pearson, spearman
    }

    /// How precision, recall and F1 average: over classes (`micro`, `macro`, `weighted`), over texts
    /// (`samples`, multi-label data only), or not at all (`none`: one value per class).
    public enum Average: String, Sendable, CaseIterable {
        case micro, macro, weighted, samples, none
    }

    /// The metrics of classification (single- and multi-label; `accuracy` is subset accuracy for the latter) and of regression.
    public static let classification: [Name] = [.accuracy, .precision, .recall, .f1]
    public static let regression: [Name] = [.mse, .rmse, .mae, .pearson, .spearman]

    /// `metrics`, with the default each directive gives it.
    static func parameter(default names: [Name], _ summary: String) -> Parameter<[Name]> {
        Parameter<[Name]>.choices("metrics", default: names, summary)
    }

    /// `average`, over the averages a directive offers.
    static func average(_ offered: [Average], _ summary: String) -> Parameter<Average> {
        Parameter(ParameterSpec("average", .choice(offered.map(\.rawValue)), default: .string(Average.micro.rawValue), summary)) {
            $0?.text.flatMap(Average.init(rawValue:)) ?? .micro
        }
    }

    /// `threshold`: the probability from which a label of a multi-label text counts as predicted.
    static let threshold = Parameter<Double?>.number("threshold", above: 0, atMost: 1,
        "For multi-label data: a label is predicted when its probability (the sigmoid of its logit) is at least this (default: 0.5).")

    /// The metrics a cell computes for data of `task`: those it asked for (`given`), which must suit the
    /// task, else the task's own (its default list is for classification). A message when they do not suit.
    static func names(_ requested: [Name], given: Bool, task: ProblemType, average: Average) -> Result<[Name], MetricsMismatch> {
        let suited = task == .regression ? regression : classification
        if average == .samples, task == .singleLabelClassification {
            return .failure(MetricsMismatch(message: "`average: samples` averages over the labels of each text, for multi_label_classification data.",
                                            parameter: "average"))
        }
        if !given { return .success(task == .regression ? regression : requested) }
        if let wrong = requested.first(where: { !suited.contains($0) }) {
            return .failure(MetricsMismatch(message: "`\(wrong.rawValue)` is not a metric of \(task.rawValue) data; it takes "
                                            + suited.map { "`\($0.rawValue)`" }.joined(separator: ", ") + ".", parameter: "metrics"))
        }
        return .success(requested)
    }

    /// What `lectern check` says of a cell's metrics, average and threshold against the task of the data loaded above it.
    static func problems(_ metrics: [Name], given: Bool, average: Average, task: LabelTask, _ arguments: DirectiveArguments) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if case let .failure(mismatch) = names(metrics, given: given, task: task.problemType, average: average) {
            problems.append(arguments.problem(mismatch.message, with: mismatch.parameter))
        }
        if arguments.isGiven(threshold), task != .multiLabelClassification {
            problems.append(arguments.problem("`threshold` decides which labels of multi-label data count as predicted; this data is \(task.rawValue).",
                                              with: threshold))
        }
        return problems
    }

    /// Why a cell's metrics do not suit its data.
    struct MetricsMismatch: Error {
        var message: String
        var parameter: String
    }

    /// Metrics by name for the targets' task; with `average: none`, one entry per class (`f1_World`, ...).
    static func compute(logits: [Float], targets: [Target], outputs: Int, names: [Name], average: Average, zeroDivision: Double,
                        labelNames: [String]? = nil, threshold: Double = 0.5) -> [(String, Double)] {
        func label(_ index: Int) -> String { labelNames?[index] ?? String(index) }
        switch targets.first {
        case .score?:
            let truth = targets.map { target -> Double in if case let .score(value) = target { return Double(value) } else { return .nan } }
            let metrics = RegressionMetrics(predictions: logits.map(Double.init), truth: truth)
            return names.map { name in
                (name.rawValue, name == .mse ? metrics.mse : name == .rmse ? metrics.rmse : name == .mae ? metrics.mae
                    : name == .pearson ? metrics.pearson : metrics.spearman)
            }
        case .labels?:
            let truth = targets.map { target -> [Float] in if case let .labels(values) = target { return values } else { return [] } }
            let metrics = MultiLabelMetrics(logits: logits, truth: truth, threshold: threshold)
            return names.flatMap { name -> [(String, Double)] in
                if name == .accuracy { return [("accuracy", metrics.subsetAccuracy)] }
                if average == .none {
                    return metrics.perLabelScores(zeroDivision: zeroDivision).enumerated().map { index, scores in
                        ("\(name.rawValue)_\(label(index))", pick(name, (scores.precision, scores.recall, scores.f1)))
                    }
                }
                let chosen = MultiLabelMetrics.Average(rawValue: average.rawValue) ?? .micro
                return [(name.rawValue, pick(name, metrics.scores(average: chosen, zeroDivision: zeroDivision)))]
            }
        case .label?, nil:
            let metrics = ClassificationMetrics(logits: logits, targets: targets, labelCount: outputs)
            return names.flatMap { name -> [(String, Double)] in
                if name == .accuracy { return [("accuracy", metrics.accuracy)] }
                guard let classAverage = ClassificationMetrics.Average(rawValue: average.rawValue), classAverage != .none else {
                    return metrics.perClassScores(zeroDivision: zeroDivision).enumerated().map { index, scores in
                        ("\(name.rawValue)_\(label(index))", pick(name, (scores.precision, scores.recall, scores.f1)))
                    }
                }
                return [(name.rawValue, pick(name, metrics.scores(average: classAverage, zeroDivision: zeroDivision)))]
            }
        }
    }

    private static func pick(_ name: Name, _ scores: (precision: Double, recall: Double, f1: Double)) -> Double {
        name == .precision ? scores.precision : name == .recall ? scores.recall : scores.f1
    }

    /// A whole number as it is (a step, a count), anything else to four decimals.
    static func shown(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4f", value)
    }
}
