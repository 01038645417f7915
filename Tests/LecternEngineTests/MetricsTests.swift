import Foundation
import Testing
@testable import LecternEngine

/// Metrics against scikit-learn (`Fixtures/metrics.json`, `Tests/reference/make_metrics_fixtures.py`).
struct MetricsTests {
    @Test func everyAverageAndZeroDivisionMatchesScikitLearn() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/metrics", withExtension: "json"))
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        #expect(cases.count == 40)
        for (index, item) in cases.enumerated() {
            let metrics = ClassificationMetrics(truth: item["truth"] as! [Int], predictions: item["predictions"] as! [Int],
                                                labelCount: item["labels"] as! Int)
            #expect(abs(metrics.accuracy - (item["accuracy"] as! Double)) < 1e-12, "case \(index)")
            for zeroDivision in [0, 1] {
                for average in [ClassificationMetrics.Average.micro, .macro, .weighted] {
                    let expected = item["\(average.rawValue)_\(zeroDivision)"] as! [Double]
                    let actual = metrics.scores(average: average, zeroDivision: Double(zeroDivision))
                    #expect(abs(actual.precision - expected[0]) < 1e-12 && abs(actual.recall - expected[1]) < 1e-12
                            && abs(actual.f1 - expected[2]) < 1e-12, "case \(index) \(average) zero_division=\(zeroDivision): \(actual) vs \(expected)")
                }
                let expected = item["None_\(zeroDivision)"] as! [[Double]]
                let perClass = metrics.perClassScores(zeroDivision: Double(zeroDivision))
                func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 } }
                #expect(close(perClass.map(\.precision), expected[0]), "case \(index) precision per class: \(perClass.map(\.precision)) vs \(expected[0])")
                #expect(close(perClass.map(\.recall), expected[1]), "case \(index) recall per class")
                #expect(close(perClass.map(\.f1), expected[2]), "case \(index) f1 per class")
            }
        }
    }
}
