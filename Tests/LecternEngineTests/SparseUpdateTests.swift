import CKernels
import Foundation
import Testing
@testable import LecternEngine

/// The step's shortcuts (word-embedding rows no batch touched, passes shared between the cores)
/// against the plain computation: the results must be identical, not close.
struct SparseUpdateTests {
    static let batches = [TokenBatch([[1, 5, 7, 2], [1, 9, 2]]), TokenBatch([[1, 3, 3, 2]]), TokenBatch([[1, 11, 4, 2], [1, 5, 2]]), TokenBatch([[1, 2]])]
    static let labels = [[2, 0], [1], [0, 2], [1]]

    static func train(sparse: Bool) throws -> (parameters: [Float], model: TrainingModel) {
        let model = GradientCheckTests.tinyModel(dropout: .init(hidden: 0.1, attention: 0.1, classifier: 0.1))
        let optimizer = AdamW(parameters: model.parameters, weightDecay: 0.01)
        for (batch, labels) in zip(batches, labels) {
            model.zeroGradients()
            #expect(model.gradients.allSatisfy { $0 == 0 })
            _ = try model.forward(batch, labels: labels)
            model.backward()
            let rows = sparse ? model.sparseRows : nil
            let norm = gradientNorm(UnsafeBufferPointer(model.gradients), sparseRows: rows)
            #expect(norm == gradientNorm(UnsafeBufferPointer(model.gradients)))
            optimizer.update(model.parameters.storage, gradients: UnsafeBufferPointer(model.gradients), rate: 0.01,
                             gradientScale: clippingScale(norm: norm, maxNorm: 1), sparseRows: rows)
        }
        return (Array(model.parameters.storage), model)
    }

    @Test func theSparseWordEmbeddingUpdateEqualsTheDenseOne() throws {
        let (sparse, model) = try Self.train(sparse: true)
        let dense = try Self.train(sparse: false).parameters
        #expect(sparse == dense)
        // The last batch touched rows 1 and 2 only; a row no batch touched moved by weight decay alone.
        #expect(model.sparseRows.rows == [1, 2])
        let untouched = model.sparseRows.range(ofRow: 20)
        let initialModel = GradientCheckTests.tinyModel(dropout: .off)
        let initial = Array(initialModel.parameters.storage[untouched])
        let decayed = initial.map { value in (0..<4).reduce(value) { value, _ in value * (1 - 0.01 * 0.01) } }
        #expect(Array(sparse[untouched]) == decayed)
    }

    /// An optimizer restored from another's moments (`resume_from_checkpoint`) finds the rows its
    /// checkpoint had made live and goes on exactly as the one it was saved from.
    @Test func aRestoredOptimizerGoesOnAsTheOneItWasSavedFrom() throws {
        func step(_ model: TrainingModel, _ optimizer: AdamW, _ index: Int) throws {
            model.zeroGradients()
            _ = try model.forward(Self.batches[index], labels: Self.labels[index])
            model.backward()
            _ = optimizer.apply(model, rate: 0.01, maxGradNorm: 1)
        }
        let model = GradientCheckTests.tinyModel(dropout: .off), optimizer = AdamW(parameters: model.parameters, weightDecay: 0.01)
        try step(model, optimizer, 0)
        let resumed = GradientCheckTests.tinyModel(dropout: .off), restored = AdamW(parameters: resumed.parameters, weightDecay: 0.01)
        _ = resumed.parameters.storage.update(fromContentsOf: model.parameters.storage)
        restored.restore(step: optimizer.step, first: UnsafeBufferPointer(optimizer.firstMoment), second: UnsafeBufferPointer(optimizer.secondMoment))
        for index in 1..<Self.batches.count {
            try step(model, optimizer, index)
            try step(resumed, restored, index)
        }
        #expect(Array(resumed.parameters.storage) == Array(model.parameters.storage))
        #expect(Array(restored.secondMoment) == Array(optimizer.secondMoment))
    }

    /// A fresh optimizer's moments are untouched zero pages; an update writes those of the live rows
    /// alone and never reads the others' (a read would map them, see `AdamW.momentsWritten`).
    @Test func aFreshOptimizerLeavesTheMomentsOfRowsNoBatchTouchedUnmapped() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE))), width = 4 * page / MemoryLayout<Float>.stride, rowCount = 64
        let optimizer = AdamW(count: width * rowCount, weightDecay: 0.01)
        var parameters = [Float](repeating: 1, count: width * rowCount), gradients = [Float](repeating: 0, count: width * rowCount)
        let rows = SparseRows(table: 0..<(width * rowCount), width: width, rows: [3, 40])
        for row in rows.rows { for index in rows.range(ofRow: row) { gradients[index] = 0.5 } }
        parameters.withUnsafeMutableBufferPointer { parameters in
            gradients.withUnsafeBufferPointer { optimizer.update(parameters, gradients: $0, rate: 0.1, sparseRows: rows) }
        }
        #expect(optimizer.firstMoment[rows.range(ofRow: 3).lowerBound] == (1 - optimizer.beta1) * 0.5)
        for moments in [optimizer.firstMoment, optimizer.secondMoment] {
            // Whole pages inside each row: mapped exactly where the row is live.
            let resident = (0..<rowCount).map { row -> Bool in
                let start = UInt(bitPattern: moments.baseAddress! + rows.range(ofRow: row).lowerBound)
                let firstPage = (start + UInt(page) - 1) / UInt(page) * UInt(page)
                var mapped = [UInt8](repeating: 0, count: 2)
                #expect(mincore(UnsafeMutableRawPointer(bitPattern: firstPage), 2 * page, &mapped) == 0)
                return mapped.allSatisfy { $0 & 1 == 1 }
            }
            #expect(resident.indices.filter { resident[$0] } == [3, 40])
        }
    }

    @Test func everyIndexOfScatteredRangesIsVisitedOnce() {
        let segments = [0..<5, 100..<200_000, 300_000..<300_001, 400_000..<530_017]
        var visits = [UInt8](repeating: 0, count: 530_017)
        var owners = [Int](repeating: -1, count: 530_017)
        visits.withUnsafeMutableBufferPointer { visits in
            owners.withUnsafeMutableBufferPointer { owners in
                parallelParts(of: segments) { segment, range in
                    for index in range { visits[index] += 1; owners[index] = segment }
                }
            }
        }
        for (segment, range) in segments.enumerated() {
            #expect(range.allSatisfy { visits[$0] == 1 && owners[$0] == segment })
        }
        #expect(visits.reduce(0) { $0 + Int($1) } == segments.reduce(0) { $0 + $1.count })
    }

    @Test func dropoutMasksDoNotDependOnHowTheCoresShareThem() {
        // The masks as one pass over the stream makes them: two 32-bit halves per draw, kept when ≥ p·2³².
        let seed: UInt64 = 11, probability: Float = 0.1, counts = [300_001, 7]
        var stream = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019)
        let threshold = UInt32(Double(probability) * 4_294_967_296.0)
        var generator = DropoutGenerator(seed: seed)
        for count in counts {
            var expected: [Float] = []
            while expected.count < count {
                let bits = stream.nextUInt64()
                for half in [UInt32(truncatingIfNeeded: bits), UInt32(truncatingIfNeeded: bits >> 32)] where expected.count < count {
                    expected.append(half >= threshold ? 1 / (1 - probability) : 0)
                }
            }
            var kept = [UInt8](repeating: 7, count: count)
            let multipliers = kept.withUnsafeMutableBufferPointer { kept in
                let mask = generator.fill(kept.baseAddress!, count: count, probability: probability)
                return (0..<count).map { mask[$0] }
            }
            #expect(multipliers == expected)
            #expect(kept.allSatisfy { $0 <= 1 })
        }
    }

    /// Each variant of the mask kernel this CPU runs, on counts that end inside a vector, a draw, or
    /// exactly: value 2j from draw j's low half, 2j + 1 from its high half, as the scalar stream.
    @Test(arguments: [1, 2, 15, 16, 17, 33, 1_001])
    func everyMaskKernelFollowsTheStream(count: Int) {
        let threshold = UInt32(0.3 * 4_294_967_296.0)
        var stream = SplitMix64(seed: 5)
        let start = stream.state
        var expected: [UInt8] = []
        while expected.count < count {
            let bits = stream.nextUInt64()
            for half in [UInt32(truncatingIfNeeded: bits), UInt32(truncatingIfNeeded: bits >> 32)] where expected.count < count {
                expected.append(half >= threshold ? 1 : 0)
            }
        }
        for kernel in [lectern_dropout_mask_avx2] + (CPU.current.has(.avx512) ? [lectern_dropout_mask_avx512] : []) {
            var kept = [UInt8](repeating: 9, count: count + 1)
            kernel(start, count, threshold, &kept)
            #expect(Array(kept.prefix(count)) == expected)
            #expect(kept[count] == 9, "nothing written past the mask")
        }
    }
}
