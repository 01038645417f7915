import Foundation
import LecternEngine
import LecternNotebook

/// What `train` and `evaluate` share about metrics: the names a cell may ask for, reading its
/// `metrics` list, computing them as scikit-learn does, and how a value is shown in a table.
enum CellMetrics {
    static let names = ["accuracy", "precision", "recall", "f1"]

    /// The names a `metrics` parameter lists.
    static func requested(_ value: ParameterValue?) -> [String] {
        guard case let .list(items)? = value else { return [] }
        return items.map(\.description)
    }

    /// Metrics by name, with `average` over classes; `.none` adds one entry per class (`f1_World`, ...).
    static func compute(logits: [Float], labels: [Int], labelCount: Int, names: [String], average: ClassificationMetrics.Average,
                        zeroDivision: Double, labelNames: [String]? = nil) -> [(String, Double)] {
        let metrics = ClassificationMetrics(logits: logits, truth: labels, labelCount: labelCount)
        var result: [(String, Double)] = []
        for name in names {
            if name == "accuracy" { result.append(("accuracy", metrics.accuracy)); continue }
            if average == .none {
                let perClass = metrics.perClassScores(zeroDivision: zeroDivision)
                for (label, scores) in perClass.enumerated() {
                    let value = name == "precision" ? scores.precision : name == "recall" ? scores.recall : scores.f1
                    result.append(("\(name)_\(labelNames?[label] ?? String(label))", value))
                }
                continue
            }
            let scores = metrics.scores(average: average, zeroDivision: zeroDivision)
            result.append((name, name == "precision" ? scores.precision : name == "recall" ? scores.recall : scores.f1))
        }
        return result
    }

    /// A whole number as it is (a step, a count), anything else to four decimals.
    static func shown(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4f", value)
    }
}
