/// Token sequences packed end to end, without padding: the engine computes each sequence at
/// its real length, so padding costs nothing (and changes nothing).
public struct TokenBatch: Sendable, Equatable {
    public private(set) var ids: [Int32] = []
    /// Where each sequence starts in `ids`, plus the end: `count + 1` values.
    public private(set) var sequenceStarts: [Int] = [0]

    public init(_ sequences: [[Int32]]) {
        for sequence in sequences { append(sequence) }
    }

    public mutating func append(_ sequence: [Int32]) {
        ids += sequence
        sequenceStarts.append(ids.count)
    }

    public var count: Int { sequenceStarts.count - 1 }
    public var tokenCount: Int { ids.count }
    public var longest: Int { zip(sequenceStarts, sequenceStarts.dropFirst()).map { $1 - $0 }.max() ?? 0 }
    /// Σ length², the size of one head's attention maps over the batch.
    public var attentionArea: Int { zip(sequenceStarts, sequenceStarts.dropFirst()).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) } }
}
