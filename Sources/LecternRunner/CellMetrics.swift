import Foundation
import LecternEngine
import LecternNotebook

/// What `train` and `evaluate` share about metrics: the names a cell may ask for, computing them as
/// scikit-learn does, and how a value is shown in a table.
public enum CellMetrics {
    /// A metric a cell may ask for.
    public enum Name: String, Sendable, CaseIterable {
        case accuracy, precision, recall, f1
    }

    /// `metrics`, with the default each directive gives it.
    static func parameter(default names: [Name], _ summary: String) -> Parameter<[Name]> {
        Parameter<[Name]>.choices("metrics", default: names, summary)
    }

    /// `average`, over the averages a directive offers (`evaluate` adds `none`, one value per class).
    static func average(_ offered: [ClassificationMetrics.Average], _ summary: String) -> Parameter<ClassificationMetrics.Average> {
        Parameter(ParameterSpec("average", .choice(offered.map(\.rawValue)), default: .string(ClassificationMetrics.Average.micro.rawValue), summary)) {
            guard case let .string(text)? = $0 else { return .micro }
            return ClassificationMetrics.Average(rawValue: text) ?? .micro
        }
    }

    /// Metrics by name, with `average` over classes; `.none` adds one entry per class (`f1_World`, ...).
    static func compute(logits: [Float], labels: [Int], labelCount: Int, names: [Name], average: ClassificationMetrics.Average,
                        zeroDivision: Double, labelNames: [String]? = nil) -> [(String, Double)] {
        let metrics = ClassificationMetrics(logits: logits, truth: labels, labelCount: labelCount)
        var result: [(String, Double)] = []
        for name in names {
            if name == .accuracy { result.append(("accuracy", metrics.accuracy)); continue }
            func pick(_ scores: (precision: Double, recall: Double, f1: Double)) -> Double {
                name == .precision ? scores.precision : name == .recall ? scores.recall : scores.f1
            }
            if average == .none {
                for (label, scores) in metrics.perClassScores(zeroDivision: zeroDivision).enumerated() {
                    result.append(("\(name.rawValue)_\(labelNames?[label] ?? String(label))", pick((scores.precision, scores.recall, scores.f1))))
                }
                continue
            }
            result.append((name.rawValue, pick(metrics.scores(average: average, zeroDivision: zeroDivision))))
        }
        return result
    }

    /// A whole number as it is (a step, a count), anything else to four decimals.
    static func shown(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4f", value)
    }
}
