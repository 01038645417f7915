
/// Multi-head self-attention over packed sequences (no padding): for each sequence and head,
/// P = softmax(Q Kᵀ / √d) and context = P V. Q, K and V are read in place from the fused
/// `[tokens, 3H]` projection; probabilities are kept for the backward pass.
///
/// - Parameters:
///   - qkv: `[tokens, 3H]`, rows of [q | k | v].
///   - context: `[tokens, H]` output, heads side by side.
///   - probabilities: room for Σ heads · len² values (the sequences' attention maps, in order).
///   - dropout: in training, a mask of the same size (0 or 1/(1−p)) and room for the masked maps,
///     which then multiply V.
func attentionForward(context: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
                      sequenceStarts: [Int], heads: Int, hidden: Int,
                      dropout: (mask: DropoutMask, dropped: UnsafeMutablePointer<Float>)? = nil, precision: MatrixPrecision) {
    let headSize = hidden / heads
    let scale = 1 / Float(headSize).squareRoot()
    let work = AttentionWork(sequenceStarts: sequenceStarts, heads: heads)
    work.run { sequence, head, mapOffset in
        let start = sequenceStarts[sequence], length = sequenceStarts[sequence + 1] - start
        let map = probabilities + mapOffset
        let q = qkv + start * 3 * hidden + head * headSize
        let k = q + hidden
        let v = q + 2 * hidden
        precision.multiply(transposeA: false, transposeB: true, m: length, n: length, k: headSize, alpha: scale,
                   a: q, lda: 3 * hidden, b: k, ldb: 3 * hidden, beta: 0, c: map, ldc: length)
        softmaxRows(map, rows: length, columns: length)
        var weights = UnsafePointer(map)
        if let dropout {
            let dropped = dropout.dropped + mapOffset
            let mask = dropout.mask.advanced(by: mapOffset)
            for index in 0..<(length * length) { dropped[index] = map[index] * mask[index] }
            weights = UnsafePointer(dropped)
        }
        precision.multiply(transposeA: false, transposeB: false, m: length, n: headSize, k: length,
                   a: weights, lda: length, b: v, ldb: 3 * hidden,
                   beta: 0, c: context + start * hidden + head * headSize, ldc: hidden)
    }
}

/// The backward pass of `attentionForward` (probabilities as saved by it, before any dropout):
/// dP = dC Vᵀ, dV = Pᵀ dC, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale · dS K, dK = scale · dSᵀ Q.
/// With dropout, V saw the masked maps: dV uses them (made again from P and the mask into `dropped`,
/// as the forward pass made them), and dP is masked before the softmax step.
/// Writes (not accumulates) the gradients of Q, K and V into `qkvGradient`.
func attentionBackward(qkvGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, contextGradient: UnsafePointer<Float>,
                       probabilities: UnsafePointer<Float>, qkv: UnsafePointer<Float>, sequenceStarts: [Int], heads: Int, hidden: Int,
                       dropout: (mask: DropoutMask, dropped: UnsafeMutablePointer<Float>)? = nil, precision: MatrixPrecision) {
    let headSize = hidden / heads
    let scale = 1 / Float(headSize).squareRoot()
    let work = AttentionWork(sequenceStarts: sequenceStarts, heads: heads)
    work.run { sequence, head, mapOffset in
        let start = sequenceStarts[sequence], length = sequenceStarts[sequence + 1] - start
        let map = probabilities + mapOffset
        // Each (sequence, head) has its own part of the scratch space, as of its map.
        let scores = scratch + mapOffset
        let offset = start * 3 * hidden + head * headSize
        let q = qkv + offset, k = q + hidden, v = q + 2 * hidden
        let dq = qkvGradient + offset, dk = dq + hidden, dv = dq + 2 * hidden
        let dc = contextGradient + start * hidden + head * headSize
        // dP = dC · Vᵀ
        precision.multiply(transposeA: false, transposeB: true, m: length, n: length, k: headSize, a: dc, lda: hidden, b: v, ldb: 3 * hidden,
                   c: scores, ldc: length)
        // dV = Pᵀ · dC (the masked maps, with dropout), and dP masked the same way.
        var weights = map
        if let dropout {
            let dropped = dropout.dropped + mapOffset, mask = dropout.mask.advanced(by: mapOffset)
            for index in 0..<(length * length) { dropped[index] = map[index] * mask[index] }
            weights = UnsafePointer(dropped)
        }
        precision.multiply(transposeA: true, transposeB: false, m: length, n: headSize, k: length, a: weights,
                   lda: length, b: dc, ldb: hidden, c: dv, ldc: 3 * hidden)
        if let dropout { applyMask(scores, dropout.mask.advanced(by: mapOffset), count: length * length) }
        // Softmax backward, row by row.
        for row in 0..<length {
            let p = map + row * length, d = scores + row * length
            var dot: Float = 0
            for column in 0..<length { dot += p[column] * d[column] }
            for column in 0..<length { d[column] = p[column] * (d[column] - dot) }
        }
        // dQ = scale · dS · K,  dK = scale · dSᵀ · Q
        precision.multiply(transposeA: false, transposeB: false, m: length, n: headSize, k: length, alpha: scale, a: scores, lda: length,
                   b: k, ldb: 3 * hidden, c: dq, ldc: 3 * hidden)
        precision.multiply(transposeA: true, transposeB: false, m: length, n: headSize, k: length, alpha: scale, a: scores, lda: length,
                   b: q, ldb: 3 * hidden, c: dk, ldc: 3 * hidden)
    }
}

/// The (sequence, head) pairs of a batch and where each one's attention map starts, shared out
/// between the cores. Each pair reads and writes only its own rows, columns and map, so the
/// pairs run at once; OpenBLAS runs single-threaded inside, its cores being taken.
struct AttentionWork {
    let pairs: [(sequence: Int, head: Int, mapOffset: Int)]
    /// Pairs a core takes at a time: neighbouring heads of one sequence, whose Q, K and V are
    /// neighbouring pieces of the same rows (one head's are 128 bytes of rows 4.6 KB apart in the
    /// course model), so a core reads them together instead of every other piece. Four made the
    /// bfloat16 evaluation about 4% faster than one (AMD Zen 5; training and float32 unchanged).
    static let headsPerTurn = 4

    init(sequenceStarts: [Int], heads: Int) {
        var pairs: [(sequence: Int, head: Int, mapOffset: Int)] = []
        var offset = 0
        for sequence in 0..<(sequenceStarts.count - 1) {
            let length = sequenceStarts[sequence + 1] - sequenceStarts[sequence]
            for head in 0..<heads {
                pairs.append((sequence, head, offset))
                offset += length * length
            }
        }
        self.pairs = pairs
    }

    /// Runs `body` for every pair; the cores take `headsPerTurn` pairs in turn (`Parallel.perform`), so
    /// long and short sequences balance out. The result does not depend on which core ran which pair.
    func run(_ body: (Int, Int, Int) -> Void) {
        let threads = BLAS.threads
        guard threads > 1 else {
            for pair in pairs { body(pair.sequence, pair.head, pair.mapOffset) }
            return
        }
        BLAS.setThreads(1)
        defer { BLAS.setThreads(threads) }
        let pairs = self.pairs, chunk = AttentionWork.headsPerTurn
        Parallel.perform((pairs.count + chunk - 1) / chunk, threads: threads) { turn in
            for index in (turn * chunk)..<min(pairs.count, (turn + 1) * chunk) {
                body(pairs[index].sequence, pairs[index].head, pairs[index].mapOffset)
            }
        }
    }
}
