import Foundation
import Testing
@testable import LecternEngine

/// Regression and multi-label metrics against SciPy and scikit-learn (`Fixtures/task-metrics.json`,
/// `Tests/reference/make_task_metrics_fixtures.py`).
struct TaskMetricsTests {
    struct Fixture: Decodable {
        struct Regression: Decodable {
            let truth: [Double], predictions: [Double]
            let mse: Double, rmse: Double, mae: Double
            let pearson: Double?, spearman: Double?
        }
        struct MultiLabel: Decodable {
            let truth: [[Float]], logits: [[Float]], threshold: Double
            let subset_accuracy: Double
            let micro: [Double], macro: [Double], weighted: [Double], samples: [Double]
        }
        let regression: [Regression]
        let multi_label: [MultiLabel]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/task-metrics", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func close(_ value: Double, _ expected: Double?) -> Bool {
        guard let expected else { return value.isNaN }
        return abs(value - expected) <= 1e-9 * max(1, abs(expected))
    }

    @Test func regressionMetricsAreSciPysAndScikitLearns() {
        for (index, case_) in Self.fixture.regression.enumerated() {
            let metrics = RegressionMetrics(predictions: case_.predictions, truth: case_.truth)
            #expect(Self.close(metrics.mse, case_.mse) && Self.close(metrics.rmse, case_.rmse) && Self.close(metrics.mae, case_.mae), "case \(index)")
            #expect(Self.close(metrics.pearson, case_.pearson), "case \(index): pearson \(metrics.pearson) vs \(String(describing: case_.pearson))")
            #expect(Self.close(metrics.spearman, case_.spearman), "case \(index): spearman \(metrics.spearman) vs \(String(describing: case_.spearman))")
        }
    }

    @Test func multiLabelMetricsAreScikitLearns() {
        for (index, case_) in Self.fixture.multi_label.enumerated() {
            let metrics = MultiLabelMetrics(logits: case_.logits.flatMap { $0 }, truth: case_.truth, threshold: case_.threshold)
            #expect(Self.close(metrics.subsetAccuracy, case_.subset_accuracy), "case \(index): subset accuracy")
            for (average, expected) in [(MultiLabelMetrics.Average.micro, case_.micro), (.macro, case_.macro), (.weighted, case_.weighted), (.samples, case_.samples)] {
                let scores = metrics.scores(average: average)
                #expect(Self.close(scores.precision, expected[0]) && Self.close(scores.recall, expected[1]) && Self.close(scores.f1, expected[2]),
                        "case \(index) \(average): \(scores) vs \(expected)")
            }
        }
    }
}
