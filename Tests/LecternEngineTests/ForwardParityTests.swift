import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// The forward pass against PyTorch on the real all-MiniLM-L6-v2, from `Fixtures/forward-parity.json`
/// (written by `Tests/reference/make_forward_fixtures.py`).
struct ForwardParityTests {
    struct Fixture: Decodable {
        let texts: [String]
        let ids: [[Int32]]
        let pooled: [[Float]]
        let logits: [[Float]]
        let classifier_weight: [Float]
        let classifier_bias: [Float]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/forward-parity", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let modelFolder = try? ModelResolver.resolve("sentence-transformers/all-MiniLM-L6-v2")

    /// The model with the fixture's classification head.
    static func classifier() throws -> SequenceClassifier {
        let checkpoint = try ModelCheckpoint(folder: try #require(modelFolder), labels: ["a", "b", "c", "d"])
        let parameters = checkpoint.parameters
        for (name, values) in [("classifier.weight", fixture.classifier_weight), ("classifier.bias", fixture.classifier_bias)] {
            let target = parameters.values(of: try #require(parameters.tensor(named: name)))
            #expect(target.count == values.count)
            for index in values.indices { target[index] = values[index] }
        }
        return SequenceClassifier(parameters: parameters)
    }

    static func maxDifference(_ a: ArraySlice<Float>, _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func poolerAndLogitsMatchPyTorchWithinOneTenThousandth() throws {
        let model = try Self.classifier()
        let output = try model.forward(TokenBatch(Self.fixture.ids))
        let h = model.config.hiddenSize
        for (index, expected) in Self.fixture.pooled.enumerated() {
            let pooled = output.pooled[(index * h)..<((index + 1) * h)]
            #expect(Self.maxDifference(pooled, expected) < 1e-4, "pooler, text \(index) (\(Self.fixture.ids[index].count) tokens)")
            let logits = output.logits[(index * 4)..<((index + 1) * 4)]
            #expect(Self.maxDifference(logits, Self.fixture.logits[index]) < 1e-4, "logits, text \(index)")
        }
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func eachSequenceAloneGivesWhatItGivesInTheBatch() throws {
        // Padding is data, not work: a sequence's result does not depend on its neighbours.
        let model = try Self.classifier()
        let together = try model.forward(TokenBatch(Self.fixture.ids))
        for (index, ids) in Self.fixture.ids.enumerated() {
            let alone = try model.forward(TokenBatch([ids]))
            #expect(Self.maxDifference(together.logits[(index * 4)..<((index + 1) * 4)], alone.logits) < 1e-5)
        }
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func batchesJoinedInOnePassGiveWhatEachGivesAlone() throws {
        let model = try Self.classifier()
        let ids = Self.fixture.ids, h = model.config.hiddenSize
        let batches = [[0, 1], [2, 3], [4, 5], [3, 0, 1], [2]].map { TokenBatch($0.map { ids[$0] }) }
        let joined = try model.forward(joining: batches)
        // Kernels that compute each row of a product on its own give the same bits; others (Haswell's, Zen's)
        // let a row's last bits depend on its neighbours, as they do within one batch.
        let exact = BLAS.kernels.rowsAreIndependent
        var first = 0
        for batch in batches {
            let alone = try model.forward(batch)
            let logits = joined.logits[(first * 4)..<((first + batch.count) * 4)], pooled = joined.pooled[(first * h)..<((first + batch.count) * h)]
            if exact {
                let sameLogits = logits.elementsEqual(alone.logits), samePooled = pooled.elementsEqual(alone.pooled)
                #expect(sameLogits && samePooled, "batch at sequence \(first), \(BLAS.kernels.core) kernels")
            } else {
                #expect(Self.maxDifference(logits, alone.logits) < 1e-5, "batch at sequence \(first), \(BLAS.kernels.core) kernels")
            }
            first += batch.count
        }
        #expect(first * 4 == joined.logits.count)
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func tooLongSequencesAndForeignIdsAreErrors() throws {
        let model = try Self.classifier()
        #expect(throws: ModelError.self) { try model.forward(TokenBatch([[Int32](repeating: 1000, count: 513)])) }
        #expect(throws: ModelError.self) { try model.forward(TokenBatch([[101, 40_000, 102]])) }
    }

    @Test(.enabled(if: modelFolder != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func theMissingHeadIsInitialisedWithANotice() throws {
        let checkpoint = try ModelCheckpoint(folder: try #require(Self.modelFolder), labels: ["x", "y", "z"])
        #expect(checkpoint.parameters.config.id2label == ["x", "y", "z"])
        #expect(checkpoint.notices.count == 1)
        #expect(checkpoint.notices[0].contains("'classifier.weight', 'classifier.bias'"))
        let weights = checkpoint.parameters.values(of: checkpoint.parameters.tensor(named: "classifier.weight")!)
        let mean = weights.reduce(0, +) / Float(weights.count)
        let std = (weights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(weights.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.004)
    }
}
