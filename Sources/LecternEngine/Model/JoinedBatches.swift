/// Which consecutive batches share one forward pass (`SequenceClassifier.forward(joining:)`) in evaluation
/// and prediction. In float32, batches are joined while the pass stays within `tokenBudget` tokens and its
/// attention maps within `attentionBudget` values per head (a batch larger than that runs alone): OpenBLAS
/// packs each weight again for every product, and a longer product packs it once for more rows. In bfloat16
/// every weight is packed once for the run, so a longer product only leaves the caches: each batch runs alone.
/// Joining never changes a result: it happens only with kernels whose product rows are independent
/// (`BLASKernels.rowsAreIndependent`), where every batch's logits are those of a pass over it alone.
///
/// Measured on AMD EPYC Zen 5, 2 cores (the course's evaluation, 200 texts in batches of 8): bert-base-shaped
/// float32 39.4 → 43.4 texts/s with 2,048 tokens (4,096: 43.7; every batch at once: 43.9); all-MiniLM-L6-v2
/// float32 249 → 259 texts/s (4,096 tokens: slower than batches alone); with `bf16: true`, joining 2,048 tokens
/// was about 9% slower than batches alone (432.9 against 476.8 texts/s, medians of three).
enum JoinedBatches {
    static let tokenBudget = 2048
    /// Sequences of up to 256 tokens join as freely as short ones; longer ones are left in their batches.
    static let attentionBudget = tokenBudget * 256

    /// The ranges of `batches` to run together, in order, covering every batch once.
    static func groups(_ batches: [TokenBatch], precision: MatrixPrecision) -> [Range<Int>] {
        groups(batches, joining: precision == .float32 && BLAS.kernels.rowsAreIndependent)
    }

    /// `groups`, with the choice to join made by the caller.
    static func groups(_ batches: [TokenBatch], joining: Bool) -> [Range<Int>] {
        guard joining else { return batches.indices.map { $0..<($0 + 1) } }
        var groups: [Range<Int>] = []
        var start = 0, tokens = 0, area = 0
        for (index, batch) in batches.enumerated() {
            if index > start, tokens + batch.tokenCount > tokenBudget || area + batch.attentionArea > attentionBudget {
                groups.append(start..<index)
                (start, tokens, area) = (index, 0, 0)
            }
            tokens += batch.tokenCount
            area += batch.attentionArea
        }
        if start < batches.count { groups.append(start..<batches.count) }
        return groups
    }
}
