import Foundation

/// Float buffers that start at zero without being written. `calloc` takes a large block from the
/// system as fresh zero pages, which count in the process's memory only once written: the gradient
/// and AdamW's moments of a word-embedding row that no batch has touched are never written (see
/// *Sparse word embeddings* in docs/engine.md), so they cost no memory at all.
enum ZeroedFloats {
    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        guard let raw = calloc(max(count, 1), MemoryLayout<Float>.stride) else {
            fatalError("Out of memory: \(count) floats for the training state.")
        }
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: count), count: count)
    }

    static func free(_ buffer: UnsafeMutableBufferPointer<Float>) { Foundation.free(buffer.baseAddress) }
}
