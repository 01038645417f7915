import Foundation
import LecternEngine
import LecternTestSupport
import Testing
@testable import LecternRunner

/// Every `lr_scheduler_type` with its `lr_scheduler_kwargs`, and AdamW's betas and epsilon, against
/// transformers and PyTorch (`Tests/LecternEngineTests/Fixtures/schedules.json`, written by
/// `Tests/reference/make_schedule_fixtures.py`).
struct SchedulerParityTests {
    struct Fixture: Decodable {
        struct Schedule: Decodable {
            let kind: String, warmup: Int, total: Int, peak: Float
            let kwargs: [String: String]
            let rates: [Double]
        }
        struct Plateau: Decodable {
            let kwargs: [String: String]
            let metrics: [Double]
            let rates: [Double]
        }
        struct Adam: Decodable {
            let lr: Float, beta1: Float, beta2: Float, eps: Float, weight_decay: Float
            let start: [Float]
            let gradients: [[Float]]
            let after: [[Float]]
        }
        let schedules: [Schedule]
        let plateau: [Plateau]
        let adamw: Adam
    }

    static let fixture: Fixture = {
        let url = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/schedules.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// The keywords in the fixture's order does not matter; sorted for a stable reading.
    static func keywords(_ kwargs: [String: String], kind: LearningRateSchedule.Kind) -> SchedulerKeywords {
        SchedulerKeywords(kwargs.sorted { $0.key < $1.key }.map { (name: $0.key, text: $0.value) }, kind: kind)
    }

    @Test func everyScheduleFollowsTransformersOverAWholeRun() throws {
        #expect(Set(Self.fixture.schedules.map(\.kind)).union(["reduce_lr_on_plateau"]) == Set(LearningRateSchedule.Kind.allCases.map(\.rawValue)))
        for case_ in Self.fixture.schedules {
            let kind = try #require(LearningRateSchedule.Kind(rawValue: case_.kind))
            let keywords = Self.keywords(case_.kwargs, kind: kind)
            #expect(keywords.problems.isEmpty, "\(keywords.problems)")
            let schedule = LearningRateSchedule(kind, peak: case_.peak, warmupSteps: case_.warmup, totalSteps: case_.total, options: keywords.options)
            for (step, expected) in case_.rates.enumerated() {
                let rate = Double(schedule.rate(at: step))
                #expect(abs(rate - expected) <= 1e-6 * Double(case_.peak) + 1e-12,
                        "\(case_.kind) \(case_.kwargs) warm-up \(case_.warmup), step \(step): \(rate) vs \(expected)")
            }
        }
    }

    @Test func reduceOnPlateauFollowsTorch() {
        for case_ in Self.fixture.plateau {
            let keywords = Self.keywords(case_.kwargs, kind: .reduceLROnPlateau)
            #expect(keywords.problems.isEmpty, "\(keywords.problems)")
            var plateau = PlateauSchedule(peak: 5e-5, options: keywords.plateau)
            for (index, metric) in case_.metrics.enumerated() {
                plateau.step(metric: metric)
                #expect(abs(plateau.rate - case_.rates[index]) <= 1e-6 * case_.rates[index],
                        "\(case_.kwargs) after evaluation \(index + 1): \(plateau.rate) vs \(case_.rates[index])")
            }
        }
    }

    @Test func adamWWithOtherBetasAndEpsilonFollowsTorch() {
        let adam = Self.fixture.adamw
        let count = adam.start.count
        let parameters = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { parameters.deallocate() }
        _ = parameters.initialize(from: adam.start)
        let optimizer = AdamW(count: count, weightDecay: adam.weight_decay)
        (optimizer.beta1, optimizer.beta2, optimizer.epsilon) = (adam.beta1, adam.beta2, adam.eps)
        for (step, gradient) in adam.gradients.enumerated() {
            gradient.withUnsafeBufferPointer { optimizer.update(parameters, gradients: $0, rate: adam.lr) }
            let difference = zip(parameters, adam.after[step]).map { abs($0 - $1) }.max()!
            #expect(difference < 1e-6, "step \(step + 1): parameters differ by \(difference)")
        }
    }

    @Test func schedulerKeywordsAreHeldToTheSchedule() {
        #expect(SchedulerKeywords([(name: "num_cycles", text: "2")], kind: .linear).problems
            == ["`lr_scheduler_kwargs` gives `num_cycles`, which `linear` does not take (it takes none)."])
        #expect(SchedulerKeywords([(name: "power", text: "two")], kind: .polynomial).problems
            == ["`lr_scheduler_kwargs.power` must be a number, but it is `two`."])
        #expect(SchedulerKeywords([], kind: .cosineWithMinLR).problems.count == 1)
        #expect(SchedulerKeywords([(name: "min_lr", text: "1e-6"), (name: "min_lr_rate", text: "0.1")], kind: .cosineWithMinLR).problems.count == 1)
        #expect(SchedulerKeywords([], kind: .warmupStableDecay).problems == ["`warmup_stable_decay` needs `num_decay_steps` in `lr_scheduler_kwargs`."])
        #expect(SchedulerKeywords([(name: "mode", text: "largest")], kind: .reduceLROnPlateau).problems
            == ["`lr_scheduler_kwargs.mode` must be one of `min`, `max`, but it is `largest`."])
    }
}
