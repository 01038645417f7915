import Foundation
import Testing
@testable import LecternEngine

/// `bf16: true` against PyTorch's CPU autocast (`torch.autocast("cpu", dtype=torch.bfloat16)`, what the
/// Trainer's `bf16=True` does) on the real all-MiniLM-L6-v2, from `Fixtures/bf16-parity.json`
/// (`Tests/reference/make_bf16_fixtures.py`).
///
/// The bounds come from bfloat16 itself, not from a tolerance picked to pass. bfloat16 keeps 8
/// significant bits: each rounding moves a value by up to 2⁻⁹ of itself. The fixture holds each
/// quantity in float32 (F) and under autocast (T), so |T − F| is how far bf16 arithmetic moves it
/// on this model. Lectern's bf16 result (L) rounds the same products' inputs, but not their outputs
/// (torch rounds those too), so its own distance from float32 is of the same size or smaller, and
/// by the triangle inequality |L − T| ≤ |L − F| + |F − T| ≤ 2·|T − F|. Where autocast happens
/// to move a number by less than one rounding, the bound is one bfloat16 rounding of it instead.
@Suite(.enabled(if: CPU.current.has(.avx512bf16), "this CPU has no AVX512-BF16"))
struct BFloat16ParityTests {
    struct Fixture: Decodable {
        struct Forward: Decodable {
            let ids: [[Int32]]
            let logits: [[Float]]
            let classifier_weight: [Float]
            let classifier_bias: [Float]
        }

        struct Training: Decodable {
            struct Step: Decodable {
                let ids: [[Int32]]
                let labels: [Int]
                let loss: Float
                let grad_norm: Float
            }

            let steps: [Step]
            let logits_after: [[Float]]
        }

        let forward: [String: Forward]
        let training: [String: Training]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/bf16-parity", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let modelFolder = try? ModelResolver.resolve("sentence-transformers/all-MiniLM-L6-v2")

    /// 2⁻⁸: the spacing of bfloat16 values relative to their size (twice the largest rounding error).
    static let bfloat16Spacing: Float = 0x1p-8

    static func parameters(head: (weight: [Float], bias: [Float])) throws -> ModelParameters {
        let checkpoint = try ModelCheckpoint(folder: try #require(modelFolder), labels: ["World", "Sports", "Business", "Sci/Tech"])
        let parameters = checkpoint.parameters
        for (name, values) in [("classifier.weight", head.weight), ("classifier.bias", head.bias)] {
            let target = parameters.values(of: try #require(parameters.tensor(named: name)))
            for index in values.indices { target[index] = values[index] }
        }
        return parameters
    }

    /// |L − T| ≤ 2·max|T − F| over the tensor (or one bfloat16 spacing of the largest |T|, if more).
    static func expectWithinBound(_ lectern: [Float], autocast: [Float], float32: [Float], _ what: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let moved = zip(autocast, float32).map { abs($0 - $1) }.max()!
        let bound = max(2 * moved, bfloat16Spacing * autocast.map(abs).max()!)
        let difference = zip(lectern, autocast).map { abs($0 - $1) }.max()!
        #expect(difference <= bound, "\(what): Lectern bf16 is \(difference) from autocast; bf16 moves it by \(moved) (bound \(bound))",
                sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func logitsFollowAutocastWithinBFloat16sOwnError() throws {
        let float32 = Self.fixture.forward["float32"]!, autocast = Self.fixture.forward["bf16"]!
        let model = SequenceClassifier(parameters: try Self.parameters(head: (autocast.classifier_weight, autocast.classifier_bias)))
        let exact = try model.forward(TokenBatch(autocast.ids)).logits
        let logits = try model.forward(TokenBatch(autocast.ids), precision: .bfloat16).logits
        Self.expectWithinBound(logits, autocast: autocast.logits.flatMap { $0 }, float32: float32.logits.flatMap { $0 }, "logits")
        // bf16 really ran: the logits moved away from Lectern's own float32 ones, by more than float32 noise.
        #expect(zip(logits, exact).map { abs($0 - $1) }.max()! > 1e-5)
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func threeTrainingStepsFollowAutocast() throws {
        let float32 = Self.fixture.training["float32"]!, autocast = Self.fixture.training["bf16"]!
        let head = Self.fixture.forward["bf16"]!
        let parameters = try Self.parameters(head: (head.classifier_weight, head.classifier_bias))
        let model = TrainingModel(parameters: parameters, dropout: .off, precision: .bfloat16)
        let optimizer = AdamW(parameters: parameters, weightDecay: 0.01)
        let schedule = LearningRateSchedule(peak: 5e-5, warmupSteps: 0, totalSteps: 3)
        var losses: [Float] = [], norms: [Float] = []
        for (index, step) in autocast.steps.enumerated() {
            model.zeroGradients()
            losses.append(try model.forward(TokenBatch(step.ids), labels: step.labels).loss)
            model.backward()
            norms.append(optimizer.apply(model, rate: schedule.rate(at: index), maxGradNorm: 1))
        }
        Self.expectWithinBound(losses, autocast: autocast.steps.map(\.loss), float32: float32.steps.map(\.loss), "losses")
        Self.expectWithinBound(norms, autocast: autocast.steps.map(\.grad_norm), float32: float32.steps.map(\.grad_norm), "gradient norms")
        let classifier = SequenceClassifier(parameters: parameters)
        let logits = try classifier.forward(TokenBatch(autocast.steps[0].ids), precision: .bfloat16).logits
        Self.expectWithinBound(logits, autocast: autocast.logits_after.flatMap { $0 }, float32: float32.logits_after.flatMap { $0 }, "logits after three steps")
    }
}
