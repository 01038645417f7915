import Dispatch

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
    // The parts write disjoint ranges; the caller's pointers are shared on purpose.
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let range = min(part * size, count)..<(part == parts - 1 ? count : min((part + 1) * size, count))
        if !range.isEmpty { body(range) }
    }
}

enum Parallel {
    /// The cores the engine uses (as many as OpenBLAS uses).
    static let cores = max(1, BLAS.threads)
}
