import Foundation

/// Multi-label metrics as scikit-learn computes them: a label is predicted when its probability
/// (the sigmoid of its logit) is at least `threshold`; precision, recall and F1 averaged `micro`,
/// `macro`, `weighted` or over `samples` (`precision_recall_fscore_support`), and subset accuracy
/// (`accuracy_score`: every label of a text right).
public struct MultiLabelMetrics: Sendable {
    public enum Average: String, Sendable, CaseIterable {
        case micro, macro, weighted, samples
    }

    public let labelCount: Int
    /// 1 or 0 per text and label.
    public let truth: [[Bool]]
    public let predicted: [[Bool]]

    public init(truth: [[Bool]], predicted: [[Bool]]) {
        self.truth = truth
        self.predicted = predicted
        labelCount = truth.first?.count ?? 0
    }

    /// From logits (`[texts, labels]`) and 0/1 targets.
    public init(logits: [Float], truth: [[Float]], threshold: Double) {
        let labels = truth.first?.count ?? 0
        let predicted = truth.indices.map { row in
            (0..<labels).map { 1 / (1 + Foundation.exp(-Double(logits[row * labels + $0]))) >= threshold }
        }
        self.init(truth: truth.map { $0.map { $0 >= 0.5 } }, predicted: predicted)
    }

    /// Every label of a text predicted right.
    public var subsetAccuracy: Double {
        truth.isEmpty ? 0 : Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(truth.count)
    }

    /// Counts for one label (a column) or one text (a row).
    struct Counts {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var support: Int { truePositives + falseNegatives }

        func scores(zeroDivision: Double) -> (precision: Double, recall: Double, f1: Double) {
            func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? zeroDivision : Double(a) / Double(b) }
            return (ratio(truePositives, truePositives + falsePositives), ratio(truePositives, support),
                    ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives))
        }
    }

    func counts(_ pairs: [(truth: Bool, predicted: Bool)]) -> Counts {
        var counts = Counts()
        for pair in pairs {
            if pair.truth && pair.predicted { counts.truePositives += 1 }
            else if pair.predicted { counts.falsePositives += 1 }
            else if pair.truth { counts.falseNegatives += 1 }
        }
        return counts
    }

    var perLabel: [Counts] {
        (0..<labelCount).map { label in counts(truth.indices.map { (truth[$0][label], predicted[$0][label]) }) }
    }

    /// Precision, recall and F1 for each label, with its support.
    public func perLabelScores(zeroDivision: Double = 0) -> [(precision: Double, recall: Double, f1: Double, support: Int)] {
        perLabel.map { counts in
            let scores = counts.scores(zeroDivision: zeroDivision)
            return (scores.precision, scores.recall, scores.f1, counts.support)
        }
    }

    public func scores(average: Average, zeroDivision: Double = 0) -> (precision: Double, recall: Double, f1: Double) {
        func mean(_ rows: [(precision: Double, recall: Double, f1: Double)], weights: [Double]) -> (precision: Double, recall: Double, f1: Double) {
            let total = weights.reduce(0, +)
            guard total > 0 else { return (zeroDivision, zeroDivision, zeroDivision) }
            func average(_ pick: ((precision: Double, recall: Double, f1: Double)) -> Double) -> Double {
                zip(rows, weights).reduce(0) { $0 + pick($1.0) * $1.1 } / total
            }
            return (average(\.precision), average(\.recall), average(\.f1))
        }
        switch average {
        case .micro:
            let all = perLabel.reduce(into: Counts()) {
                $0.truePositives += $1.truePositives; $0.falsePositives += $1.falsePositives; $0.falseNegatives += $1.falseNegatives
            }
            return all.scores(zeroDivision: zeroDivision)
        case .macro:
            return mean(perLabel.map { $0.scores(zeroDivision: zeroDivision) }, weights: perLabel.map { _ in 1 })
        case .weighted:
            return mean(perLabel.map { $0.scores(zeroDivision: zeroDivision) }, weights: perLabel.map { Double($0.support) })
        case .samples:
            let rows = truth.indices.map { counts(Array(zip(truth[$0], predicted[$0]))).scores(zeroDivision: zeroDivision) }
            return mean(rows, weights: rows.map { _ in 1 })
        }
    }
}
