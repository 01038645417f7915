/// WordPiece as Hugging Face's tokenizers runs it (`models/wordpiece`): greedy longest match
/// from the start of each word, continuation pieces prefixed with `##`, a word longer than
/// `maxInputCharsPerWord` scalars or with an unmatched remainder becomes one `[UNK]`.
///
/// The longest match comes from a byte trie walk (one pass per piece) instead of trying every
/// shorter substring in a hash map; the result is the same, since every vocabulary entry ends
/// on a character boundary.
struct WordPiece: Sendable {
    let unknownID: Int32
    let maxInputCharsPerWord: Int
    private let wordStarts: ByteTrie
    private let continuations: ByteTrie

    init(vocabulary: [String: Int32], unknownID: Int32, continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) {
        self.unknownID = unknownID
        self.maxInputCharsPerWord = maxInputCharsPerWord
        var starts = ByteTrie(), continuations = ByteTrie()
        let prefix = Array(continuingSubwordPrefix.utf8)
        for (token, id) in vocabulary {
            let bytes = Array(token.utf8)
            starts.insert(bytes[...], id: id)
            if bytes.count > prefix.count, bytes.starts(with: prefix) {
                continuations.insert(bytes[prefix.count...], id: id)
            }
        }
        self.wordStarts = starts
        self.continuations = continuations
    }

    /// Appends the ids of one word (UTF-8 bytes) to `ids`.
    func encode(_ word: ArraySlice<UInt8>, into ids: inout [Int32]) {
        // Count scalars: every byte that is not a continuation byte starts one.
        var scalars = 0
        for byte in word where byte & 0xC0 != 0x80 { scalars += 1 }
        if scalars > maxInputCharsPerWord {
            ids.append(unknownID)
            return
        }
        let mark = ids.count
        var start = word.startIndex
        while start < word.endIndex {
            let trie = start == word.startIndex ? wordStarts : continuations
            guard let (id, end) = trie.longestPrefix(of: word[start...]) else {
                ids.removeSubrange(mark...)
                ids.append(unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}

/// A trie over bytes, stored in flat arrays: children as sibling lists, with a direct table for the root.
struct ByteTrie: Sendable {
    private var rootChildren = [Int32](repeating: -1, count: 256)
    private var firstChild: [Int32] = []
    private var nextSibling: [Int32] = []
    private var label: [UInt8] = []
    private var tokenID: [Int32] = []

    mutating func insert(_ bytes: ArraySlice<UInt8>, id: Int32) {
        guard let first = bytes.first else { return }
        var node = rootChildren[Int(first)]
        if node < 0 {
            node = newNode(first)
            rootChildren[Int(first)] = node
        }
        for byte in bytes.dropFirst() {
            var child = firstChild[Int(node)]
            while child >= 0, label[Int(child)] != byte { child = nextSibling[Int(child)] }
            if child < 0 {
                child = newNode(byte)
                nextSibling[Int(child)] = firstChild[Int(node)]
                firstChild[Int(node)] = child
            }
            node = child
        }
        tokenID[Int(node)] = id
    }

    private mutating func newNode(_ byte: UInt8) -> Int32 {
        firstChild.append(-1)
        nextSibling.append(-1)
        label.append(byte)
        tokenID.append(-1)
        return Int32(label.count - 1)
    }

    /// The id of the longest entry that `bytes` starts with, and the index just after it.
    @inline(__always)
    func longestPrefix(of bytes: ArraySlice<UInt8>) -> (id: Int32, end: Int)? {
        var index = bytes.startIndex
        var node = rootChildren[Int(bytes[index])]
        var best: (Int32, Int)?
        while node >= 0 {
            index += 1
            let id = tokenID[Int(node)]
            if id >= 0 { best = (id, index) }
            guard index < bytes.endIndex else { break }
            let byte = bytes[index]
            var child = firstChild[Int(node)]
            while child >= 0, label[Int(child)] != byte { child = nextSibling[Int(child)] }
            node = child
        }
        return best
    }
}
