import Foundation

/// Float buffers that start at zero without being written: pages fresh from the system, which count
/// in the process's memory only once touched. The gradient and AdamW's moments of a word-embedding
/// row that no batch has touched are never touched (see *Sparse word embeddings* in docs/engine.md),
/// so they cost no memory at all. `mmap` rather than `calloc`, whose large blocks come fresh from the
/// system only while glibc's threshold for them has not risen past their size.
enum ZeroedFloats {
    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else {
            fatalError("Out of memory: \(count) floats for the training state.")
        }
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: count), count: count)
    }

    static func free(_ buffer: UnsafeMutableBufferPointer<Float>) {
        munmap(buffer.baseAddress, max(buffer.count, 1) * MemoryLayout<Float>.stride)
    }
}
