import CBFloat16

/// C = α · op(A) · op(B) + β · C with the inputs rounded to bfloat16 and float32 sums, on the CPU's
/// AVX512-BF16 instructions (the kernels are C, Sources/CBFloat16). Same arguments as `BLAS.sgemm`,
/// and optionally a bias row that replaces β · C (a linear layer, without a pass to fill C first) and
/// op(B) packed beforehand (`packedB`, a weight that does not change; `b` is then not read).
///
/// k is taken in steps of `LECTERN_BF16_KC`; for each, op(B) is packed once (its column panels shared
/// out between the cores) and the rows of C are shared out in parts of whole 12-row tiles. Every
/// element of C is summed in the same order whichever core computes it: the result does not depend
/// on the thread count.
///
/// `finishRows`, given, is run on rows of C as soon as they are final (in blocks of at most
/// `LECTERN_BF16_MC` rows, on the core that computed them, while they are still in its cache): a
/// pass over the product's output (an activation, a LayerNorm) fused with it.
enum BFloat16Product {
    /// Below this many multiply-adds a product stays on one core (waking the other costs more).
    static let parallelWork = 1 << 18

    static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float = 0, bias: UnsafePointer<Float>? = nil, packedB: BFloat16PackedWeight? = nil,
                         c: UnsafeMutablePointer<Float>, ldc: Int, finishRows: ((Range<Int>) -> Void)? = nil) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            fill(c, rows: m, columns: n, ldc: ldc, beta: beta, bias: bias)
            finishRows?(0..<m)
            return
        }
        let step = Int(LECTERN_BF16_KC), tile = Int(LECTERN_BF16_MR), panel = Int(LECTERN_BF16_NR)
        let threads = m * n * k >= parallelWork ? Parallel.cores : 1
        let tiles = (m + tile - 1) / tile
        let rowParts = min(threads, tiles), tilesPerPart = (tiles + rowParts - 1) / rowParts
        let panels = (n + panel - 1) / panel
        let panelParts = min(threads, panels), panelsPerPart = (panels + panelParts - 1) / panelParts
        precondition(packedB.map { transposeB && $0.outFeatures == n && $0.inFeatures == k } ?? true, "a packed weight of another shape")
        let packing = packedB == nil ? UnsafeMutablePointer<UInt32>.allocate(capacity: lectern_bf16_packed_b_words(min(step, k), n)) : nil
        let scratchWords = lectern_bf16_row_scratch_words(min(m, tilesPerPart * tile), k)
        let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: rowParts * scratchWords)
        defer { packing?.deallocate(); scratch.deallocate() }
        for (stepIndex, k0) in stride(from: 0, to: k, by: step).enumerated() {
            let kc = min(step, k - k0)
            let packed: UnsafePointer<UInt32>
            if let packedB {
                packed = UnsafePointer(packedB.words + packedB.stepOffsets[stepIndex])
            } else {
                let packing = packing!
                Parallel.perform(panelParts) { part in
                    let j0 = part * panelsPerPart * panel, j1 = min(n, (part + 1) * panelsPerPart * panel)
                    if j0 < j1 { lectern_bf16_pack_b(b, ldb, transposeB, k0, kc, j0, j1, n, packing) }
                }
                packed = UnsafePointer(packing)
            }
            let finish = k0 + kc == k ? finishRows : nil
            Parallel.perform(rowParts) { part in
                let i0 = part * tilesPerPart * tile, i1 = min(m, (part + 1) * tilesPerPart * tile)
                guard i0 < i1 else { return }
                // The closure is called only until the kernel returns; the pointer does not outlive it.
                withUnsafePointer(to: finish) { context in
                    lectern_bf16_multiply_rows(a, lda, transposeA, i0, i1, k0, kc, packed, n, alpha, beta, bias, k0 == 0, c, ldc,
                                               scratch + part * scratchWords, finish == nil ? nil : { context, row, rows in
                        context!.assumingMemoryBound(to: ((Range<Int>) -> Void)?.self).pointee!(row..<(row + rows))
                    }, UnsafeMutableRawPointer(mutating: context))
                }
            }
        }
    }

    /// C = β · C, or the bias in every row (a product with k = 0; as BLAS defines it, β = 0 sets C to
    /// zero without reading it).
    private static func fill(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, beta: Float, bias: UnsafePointer<Float>?) {
        for row in 0..<rows {
            let values = c + row * ldc
            for column in 0..<columns { values[column] = bias?[column] ?? (beta == 0 ? 0 : beta * values[column]) }
        }
    }
}
