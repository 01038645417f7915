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
        while symbols.count > 1 {
            var best: (rank: Int32, merged: Int32, at: Int)?
            for index in 0..<(symbols.count - 1) {
                if let merge = merges[Self.key(symbols[index], symbols[index + 1])], merge.rank < best?.rank ?? .max {
                    best = (merge.rank, merge.merged, index)
                }
            }
            guard let best else { break }
            symbols[best.at] = best.merged
            symbols.remove(at: best.at + 1)
        }
        ids.append(contentsOf: symbols)
    }
}
