import Foundation
import Testing
@testable import LecternEngine

/// Three optimizer steps against PyTorch on the real all-MiniLM-L6-v2 (dropout 0, fixed head),
/// from `Fixtures/training-parity.json` (`Tests/reference/make_training_fixtures.py`).
struct TrainingParityTests {
    struct Fixture: Decodable {
        struct Step: Decodable {
            let ids: [[Int32]]
            let labels: [Int]
            let loss: Float
            let grad_norm: Float
            let learning_rate: Float
        }

        let classifier_weight: [Float]
        let classifier_bias: [Float]
        let steps: [Step]
        let logits_after: [String: [[Float]]]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/training-parity", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let modelFolder = try? ModelResolver.resolve("sentence-transformers/all-MiniLM-L6-v2")

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func lossGradientNormAndLogitsFollowPyTorchForThreeSteps() throws {
        let checkpoint = try ModelCheckpoint(folder: try #require(Self.modelFolder), labels: ["World", "Sports", "Business", "Sci/Tech"])
        let parameters = checkpoint.parameters
        for (name, values) in [("classifier.weight", Self.fixture.classifier_weight), ("classifier.bias", Self.fixture.classifier_bias)] {
            let target = parameters.values(of: try #require(parameters.tensor(named: name)))
            for index in values.indices { target[index] = values[index] }
        }
        let model = TrainingModel(parameters: parameters, dropout: .off)
        let optimizer = AdamW(parameters: parameters, weightDecay: 0.01)
        let schedule = LearningRateSchedule(peak: 5e-5, warmupSteps: 0, totalSteps: 3)
        func relative(_ a: Float, _ b: Float) -> Float { abs(a - b) / abs(b) }

        for (index, step) in Self.fixture.steps.enumerated() {
            model.zeroGradients()
            let loss = try model.forward(TokenBatch(step.ids), labels: step.labels).loss
            model.backward()
            let rate = schedule.rate(at: index)
            let norm = optimizer.apply(model, rate: rate, maxGradNorm: 1)
            #expect(relative(loss, step.loss) < 1e-4, "step \(index + 1) loss \(loss) vs \(step.loss)")
            #expect(relative(norm, step.grad_norm) < 1e-3, "step \(index + 1) grad norm \(norm) vs \(step.grad_norm)")
            #expect(relative(rate, step.learning_rate) < 1e-6)
            if let expected = Self.fixture.logits_after[String(index + 1)] {
                let logits = try SequenceClassifier(parameters: parameters).forward(TokenBatch(Self.fixture.steps[0].ids)).logits
                let difference = zip(logits, expected.flatMap { $0 }).map { abs($0 - $1) }.max()!
                #expect(difference < 2e-4, "logits after step \(index + 1) differ by \(difference)")
            }
        }
    }

    @Test func theLinearScheduleWarmsUpAndDecaysAsTransformers() {
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 2, totalSteps: 6)
        #expect((0..<7).map(schedule.rate(at:)) == [0, 0.5, 1, 0.75, 0.5, 0.25, 0])
    }

    @Test func clippingScalesOnlyWhenTheNormIsAboveTheLimit() {
        let norm = [Float(3), 4].withUnsafeBufferPointer { gradientNorm($0) }
        #expect(norm == 5)
        #expect(abs(clippingScale(norm: norm, maxNorm: 1) - 0.2) < 1e-6)
        #expect(clippingScale(norm: 0.5, maxNorm: 1) == 1)
        #expect(clippingScale(norm: 5, maxNorm: nil) == 1)
    }
}
