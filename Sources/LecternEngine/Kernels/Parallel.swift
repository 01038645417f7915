import CKernels

/// Runs `body` on contiguous parts of `0..<count`, one per core, at once. Parts start at multiples
/// of 16 so vector loops see the same lanes as on one thread; every element is computed by the
/// same operations whichever part holds it, so results do not depend on the split.
///
/// For the memory-bound passes over all parameters (AdamW, the gradient norm, zeroing), which run
/// between matrix products while OpenBLAS's own workers are idle.
func parallelParts(_ count: Int, minimumPart: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let parts = min(Parallel.cores, max(1, count / minimumPart))
    guard parts > 1 else { return body(0..<count) }
    let size = (count / parts + 15) / 16 * 16
    Parallel.perform(parts) { part in
        let range = min(part * size, count)..<(part == parts - 1 ? count : min((part + 1) * size, count))
        if !range.isEmpty { body(range) }
    }
}

/// Runs `body` over a list of ranges shared out between the cores by total length: each core gets
/// a contiguous stretch of the concatenated ranges (cut at multiples of 16), and `body` sees each
/// piece with the index of the range it belongs to. For elementwise passes over scattered ranges.
func parallelParts(of segments: [Range<Int>], minimumPart: Int = 1 << 16, _ body: (_ segment: Int, _ range: Range<Int>) -> Void) {
    var starts = [0]
    for segment in segments { starts.append(starts.last! + segment.count) }
    parallelParts(starts.last!, minimumPart: minimumPart) { part in
        // The first segment that ends after the part starts, by binary search over the starts.
        var low = 0, high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle + 1] <= part.lowerBound { low = middle + 1 } else { high = middle }
        }
        var segment = low
        while segment < segments.count, starts[segment] < part.upperBound {
            let from = max(part.lowerBound, starts[segment]) - starts[segment], to = min(part.upperBound, starts[segment + 1]) - starts[segment]
            if from < to { body(segment, (segments[segment].lowerBound + from)..<(segments[segment].lowerBound + to)) }
            segment += 1
        }
    }
}

enum Parallel {
    /// The cores the engine uses: as many as OpenBLAS uses, set by `BLAS.setThreads`.
    static var cores: Int { max(1, BLAS.threads) }

    /// Runs `body(i)` for every i in `0..<count`, each once, at once on up to `threads` cores: the
    /// calling thread and the engine's workers (CKernels/worker_pool.c), which take iterations in
    /// turn, so uneven iterations balance out. Workers stay awake for a short while between calls
    /// instead of being woken for each. A call from inside `body` runs alone, in order.
    static func perform(_ count: Int, threads: Int = cores, _ body: (Int) -> Void) {
        // The closure is called only until `lectern_pool_run` returns; the pointer does not outlive it.
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                lectern_pool_run(count, Int32(clamping: threads), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    }
}
