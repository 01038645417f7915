/// Accuracy, precision, recall and F1 exactly as scikit-learn computes them
/// (`accuracy_score`, `precision_recall_fscore_support`), from true and predicted label ids.
public struct ClassificationMetrics: Sendable {
    public enum Average: String, Sendable, CaseIterable {
        case micro, macro, weighted
        /// One value per class (`average=None`).
        case none
    }

    public let labelCount: Int
    /// confusion[true][predicted]
    public let confusion: [[Int]]

    public init(truth: [Int], predictions: [Int], labelCount: Int) {
        self.labelCount = labelCount
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: labelCount), count: labelCount)
        for (actual, predicted) in zip(truth, predictions) { confusion[actual][predicted] += 1 }
        self.confusion = confusion
    }

    /// The metrics of a classifier's logits (`[examples, labelCount]`, row-major) against the true labels.
    public init(logits: [Float], truth: [Int], labelCount: Int) {
        self.init(truth: truth, predictions: Self.predictions(logits: logits, labelCount: labelCount), labelCount: labelCount)
    }

    /// The metrics of single-label targets (`Target.label`; any other kind counts as class 0).
    public init(logits: [Float], targets: [Target], labelCount: Int) {
        self.init(logits: logits, truth: targets.map { target in if case let .label(label) = target { return label } else { return 0 } },
                  labelCount: labelCount)
    }

    /// The most probable label of each row of logits (the first one on a tie, as numpy's argmax).
    public static func predictions(logits: [Float], labelCount: Int) -> [Int] {
        stride(from: 0, to: logits.count, by: labelCount).map { start in
            var best = 0
            for label in 1..<labelCount where logits[start + label] > logits[start + best] { best = label }
            return best
        }
    }

    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    public var accuracy: Double { total == 0 ? 0 : Double((0..<labelCount).reduce(0) { $0 + confusion[$1][$1] }) / Double(total) }

    /// Per class: true positives, predicted count, true count.
    public var perClass: [(truePositives: Int, predicted: Int, support: Int)] {
        (0..<labelCount).map { label in
            (confusion[label][label], (0..<labelCount).reduce(0) { $0 + confusion[$1][label] }, confusion[label].reduce(0, +))
        }
    }

    /// Precision, recall and F1 per class, with `zeroDivision` where a ratio's denominator is 0.
    public func perClassScores(zeroDivision: Double = 0) -> [(precision: Double, recall: Double, f1: Double, support: Int)] {
        perClass.map { item in
            let precision = item.predicted == 0 ? zeroDivision : Double(item.truePositives) / Double(item.predicted)
            let recall = item.support == 0 ? zeroDivision : Double(item.truePositives) / Double(item.support)
            // scikit-learn: F1 = 2·tp / (2·tp + fp + fn), zero_division when that denominator is 0.
            let denominator = 2 * item.truePositives + (item.predicted - item.truePositives) + (item.support - item.truePositives)
            let f1 = denominator == 0 ? zeroDivision : Double(2 * item.truePositives) / Double(denominator)
            return (precision, recall, f1, item.support)
        }
    }

    /// (precision, recall, f1) averaged as scikit-learn does; for `.none`, use `perClassScores`.
    public func scores(average: Average, zeroDivision: Double = 0) -> (precision: Double, recall: Double, f1: Double) {
        switch average {
        case .micro:
            let tp = perClass.reduce(0) { $0 + $1.truePositives }
            let predicted = perClass.reduce(0) { $0 + $1.predicted }, support = perClass.reduce(0) { $0 + $1.support }
            let precision = predicted == 0 ? zeroDivision : Double(tp) / Double(predicted)
            let recall = support == 0 ? zeroDivision : Double(tp) / Double(support)
            let denominator = 2 * tp + (predicted - tp) + (support - tp)
            return (precision, recall, denominator == 0 ? zeroDivision : Double(2 * tp) / Double(denominator))
        case .macro, .none:
            let scores = perClassScores(zeroDivision: zeroDivision)
            let count = Double(max(scores.count, 1))
            return (scores.reduce(0) { $0 + $1.precision } / count, scores.reduce(0) { $0 + $1.recall } / count,
                    scores.reduce(0) { $0 + $1.f1 } / count)
        case .weighted:
            let scores = perClassScores(zeroDivision: zeroDivision)
            let support = Double(scores.reduce(0) { $0 + $1.support })
            guard support > 0 else { return (zeroDivision, zeroDivision, zeroDivision) }
            return (scores.reduce(0) { $0 + $1.precision * Double($1.support) } / support,
                    scores.reduce(0) { $0 + $1.recall * Double($1.support) } / support,
                    scores.reduce(0) { $0 + $1.f1 * Double($1.support) } / support)
        }
    }
}
