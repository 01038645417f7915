/// Multi-head self-attention over packed sequences (no padding): for each sequence and head,
/// P = softmax(Q Kᵀ / √d) and context = P V. Q, K and V are read in place from the fused
/// `[tokens, 3H]` projection; probabilities are kept for the backward pass.
///
/// - Parameters:
///   - qkv: `[tokens, 3H]`, rows of [q | k | v].
///   - context: `[tokens, H]` output, heads side by side.
///   - probabilities: room for Σ heads · len² values (the sequences' attention maps, in order).
func attentionForward(context: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
                      sequenceStarts: [Int], heads: Int, hidden: Int) {
    let headSize = hidden / heads
    let scale = 1 / Float(headSize).squareRoot()
    var map = probabilities
    for sequence in 0..<(sequenceStarts.count - 1) {
        let start = sequenceStarts[sequence], length = sequenceStarts[sequence + 1] - start
        for head in 0..<heads {
            let q = qkv + start * 3 * hidden + head * headSize
            let k = q + hidden
            let v = q + 2 * hidden
            BLAS.sgemm(transposeA: false, transposeB: true, m: length, n: length, k: headSize, alpha: scale,
                       a: q, lda: 3 * hidden, b: k, ldb: 3 * hidden, beta: 0, c: map, ldc: length)
            softmaxRows(map, rows: length, columns: length)
            BLAS.sgemm(transposeA: false, transposeB: false, m: length, n: headSize, k: length,
                       a: UnsafePointer(map), lda: length, b: v, ldb: 3 * hidden,
                       beta: 0, c: context + start * hidden + head * headSize, ldc: hidden)
            map += length * length
        }
    }
}
