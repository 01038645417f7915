/// Which consecutive batches share one forward pass (`SequenceClassifier.forward(joining:)`) in evaluation
/// and prediction. In float32, batches are joined while the pass stays within a token budget and its
/// attention maps within 256 values per token of it, per head (a batch larger than that runs alone):
/// OpenBLAS packs each weight again for every product, and a longer product packs it once for more rows.
/// The budget grows with the weights (2,048 tokens for bert-base's 768 × 3,072 feed-forward weights, 512
/// for all-MiniLM-L6-v2's 384 × 1,536, which in batches of 8 short texts joins nothing): the packing saved
/// grows with the weights, while longer activations cost the caches alike. In bfloat16 every weight is
/// packed once for the run, so each batch runs alone. Joining never changes a result: it happens only with
/// kernels whose product rows are independent (`BLASKernels.rowsAreIndependent`), where every batch's
/// logits are those of a pass over it alone.
///
/// Measured on AMD EPYC Zen 5, 2 cores (the course's evaluation, 200 texts in batches of 8): bert-base-shaped
/// float32 39.4 → 43.4 texts/s with 2,048 tokens (4,096: 43.7; every batch at once: 43.9). all-MiniLM-L6-v2
/// float32 ran 249 → 259 texts/s with 2,048 tokens alone in a process, but in the course notebook after
/// training 302.8 → 288.2 (medians of three alternating runs), and slower with 4,096; with `bf16: true`,
/// joining 2,048 tokens was about 9% slower than batches alone (432.9 against 476.8 texts/s).
enum JoinedBatches {
    /// The tokens one pass may hold, for a model of this hidden and intermediate size.
    static func tokenBudget(hidden: Int, intermediate: Int) -> Int {
        2048 * hidden * intermediate / (768 * 3072)
    }

    /// The ranges of `batches` to run together, in order, covering every batch once.
    static func groups(_ batches: [TokenBatch], precision: MatrixPrecision, config: ModelConfig) -> [Range<Int>] {
        let joining = precision == .float32 && BLAS.kernels.rowsAreIndependent
        return groups(batches, tokenBudget: joining ? tokenBudget(hidden: config.hiddenSize, intermediate: config.intermediateSize) : 0)
    }

    /// `groups` for a budget of `tokenBudget` tokens (0: every batch alone).
    static func groups(_ batches: [TokenBatch], tokenBudget: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0, tokens = 0, area = 0
        for (index, batch) in batches.enumerated() {
            if index > start, tokens + batch.tokenCount > tokenBudget || area + batch.attentionArea > tokenBudget * 256 {
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
