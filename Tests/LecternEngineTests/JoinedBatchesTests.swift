import Testing
@testable import LecternEngine

/// Which batches evaluation and prediction run in one forward pass.
struct JoinedBatchesTests {
    static func batch(_ lengths: [Int]) -> TokenBatch {
        TokenBatch(lengths.map { [Int32](repeating: 1000, count: $0) })
    }

    @Test func theBudgetGrowsWithTheWeights() {
        #expect(JoinedBatches.tokenBudget(hidden: 768, intermediate: 3072) == 2048)
        #expect(JoinedBatches.tokenBudget(hidden: 384, intermediate: 1536) == 512)
        #expect(JoinedBatches.tokenBudget(hidden: 1024, intermediate: 4096) > 2048)
    }

    @Test func batchesJoinInOrderUpToTheTokenBudget() {
        // 8 sequences of 50 tokens: 400 tokens a batch, five to a pass within 2,048; the last pass has the rest.
        let batches = Array(repeating: Self.batch(Array(repeating: 50, count: 8)), count: 12)
        let groups = JoinedBatches.groups(batches, tokenBudget: 2048)
        #expect(groups == [0..<5, 5..<10, 10..<12])
        for group in groups {
            #expect(group.map { batches[$0].tokenCount }.reduce(0, +) <= 2048)
        }
        // all-MiniLM-L6-v2's budget joins none of them.
        #expect(JoinedBatches.groups(batches, tokenBudget: 512).count == 12)
    }

    @Test func aBatchOverTheBudgetRunsAloneAndLongSequencesStayApart() {
        // A batch of 3,000 tokens is its own pass; two batches of 500-token sequences fit the token budget
        // (2,000 tokens) but not the attention maps' (4 · 500² > 2,048 · 256).
        let batches = [Self.batch([10, 10]), Self.batch([1000, 1000, 1000]), Self.batch([10]), Self.batch([500, 500]), Self.batch([500, 500])]
        #expect(JoinedBatches.groups(batches, tokenBudget: 2048) == [0..<1, 1..<2, 2..<4, 4..<5])
    }

    @Test func bfloat16BatchesAndBatchesOnKernelsThatMixRowsRunAlone() {
        let config = ModelConfig()  // bert-base's sizes
        let batches = Array(repeating: Self.batch([20, 20]), count: 3)
        #expect(JoinedBatches.groups(batches, precision: .bfloat16, config: config) == [0..<1, 1..<2, 2..<3])
        #expect(JoinedBatches.groups(batches, tokenBudget: 0) == [0..<1, 1..<2, 2..<3])
        #expect(JoinedBatches.groups(batches, precision: .float32, config: config) == (BLAS.kernels.rowsAreIndependent ? [0..<3] : [0..<1, 1..<2, 2..<3]))
        #expect(JoinedBatches.groups([], tokenBudget: 2048).isEmpty)
    }
}
