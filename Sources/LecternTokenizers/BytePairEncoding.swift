import LecternWeights

/// Byte-pair encoding of one word: start from its characters, then merge the adjacent pair whose
/// merge was learnt first (the lowest rank; the leftmost of equals), until no learnt merge applies.
/// This is the order of Hugging Face tokenizers' heap of merges.
struct BytePairEncoding: Sendable {
    /// (left id, right id) → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, merged: Int32)]
    private let vocabulary: [String: Int32]
    /// Each byte's id (its `ByteLevel` character in the vocabulary), or nil if the vocabulary lacks it.
    private let byteIDs: [Int32?]
    /// transformers' `ignore_merges`: a word the vocabulary holds whole is that token.
    private let ignoreMerges: Bool

    init(vocabulary: [String: Int32], merges pairs: [(String, String)], ignoreMerges: Bool, file: String) throws(ModelError) {
        var merges: [UInt64: (rank: Int32, merged: Int32)] = [:]
        for (rank, (left, right)) in pairs.enumerated() {
            guard let a = vocabulary[left], let b = vocabulary[right], let merged = vocabulary[left + right] else {
                throw ModelError("The merge `\(left) \(right)` (number \(rank + 1)) names a token the vocabulary lacks.", file: file,
                                 hint: "tokenizer.json's vocab and merges do not belong together.")
            }
            merges[Self.key(a, b)] = merges[Self.key(a, b)] ?? (Int32(rank), merged)
        }
        self.merges = merges
        self.vocabulary = vocabulary
        self.ignoreMerges = ignoreMerges
        byteIDs = ByteLevel.characters.map { vocabulary[String($0)] }
    }

    private static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// Appends the ids of the word whose UTF-8 bytes are `bytes` (bytes the vocabulary lacks are dropped, as without an unknown token).
    func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes, into ids: inout [Int32]) {
        if ignoreMerges, let whole = vocabulary[String(bytes.map { ByteLevel.characters[Int($0)] })] {
            ids.append(whole)
            return
        }
        var symbols = bytes.compactMap { byteIDs[Int($0)] }
        guard symbols.count > 1 else {
            ids.append(contentsOf: symbols)
            return
        }
        // The symbols as a linked list, and a heap of the merges they allow: each merge costs a
        // heap operation, so a word of n bytes takes O(n log n), not O(n²) (a 100,000-letter
        // "word", a blob pasted into a text, took 30 s by rescanning).
        let count = symbols.count
        var next = Array(1...count), previous = Array(-1..<(count - 1))
        var candidates = MergeHeap()
        func consider(_ left: Int) {
            guard left >= 0 else { return }
            let right = next[left]
            guard right >= 0, right < count, let merge = merges[Self.key(symbols[left], symbols[right])] else { return }
            candidates.push(MergeHeap.Candidate(rank: merge.rank, position: left, left: symbols[left], right: symbols[right]))
        }
        for position in 0..<(count - 1) { consider(position) }
        while let candidate = candidates.pop() {
            // A candidate whose symbols have since merged with others is stale (a symbol merged into the one
            // before it has no next: -1, which the engine's unchecked build once read as symbols[-1]).
            let left = candidate.position, right = next[left]
            guard right >= 0, right < count, symbols[left] == candidate.left, symbols[right] == candidate.right,
                  let merge = merges[Self.key(candidate.left, candidate.right)] else { continue }
            symbols[left] = merge.merged
            next[left] = next[right]
            if next[right] < count { previous[next[right]] = left }
            next[right] = -1
            consider(previous[left])
            consider(left)
        }
        var position = 0
        while position < count {
            ids.append(symbols[position])
            position = next[position]
        }
    }
}

/// A binary min-heap of candidate merges, by rank and then position (the leftmost of equal ranks).
private struct MergeHeap {
    struct Candidate {
        var rank: Int32
        var position: Int
        var left: Int32, right: Int32

        func precedes(_ other: Candidate) -> Bool { (rank, position) < (other.rank, other.position) }
    }

    private var items: [Candidate] = []

    mutating func push(_ candidate: Candidate) {
        items.append(candidate)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Candidate? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count, items[left].precedes(items[smallest]) { smallest = left }
                if right < items.count, items[right].precedes(items[smallest]) { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
