/// Token sequences packed end to end, without padding: the engine computes each sequence at
/// its real length, so padding costs nothing (and changes nothing).
public struct TokenBatch: Sendable, Equatable {
    public private(set) var ids: [Int32] = []
    /// Where each sequence starts in `ids`, plus the end: `count + 1` values.
    public private(set) var sequenceStarts: [Int] = [0]
    /// Each token's type (the segment of a sentence pair), packed as `ids`; empty while every token is of type 0.
    public private(set) var typeIDs: [Int32] = []

    /// - Parameter typeIDs: each sequence's token types (nil, or a nil entry: all 0).
    public init(_ sequences: [[Int32]], typeIDs: [[Int32]?]? = nil) {
        for (index, sequence) in sequences.enumerated() { append(sequence, typeIDs: typeIDs?[index]) }
    }

    /// The sequences of `batches`, one batch after another.
    public init(joining batches: [TokenBatch]) {
        for batch in batches {
            for sequence in 0..<batch.count {
                let tokens = batch.sequenceStarts[sequence]..<batch.sequenceStarts[sequence + 1]
                append(Array(batch.ids[tokens]), typeIDs: batch.typeIDs.isEmpty ? nil : Array(batch.typeIDs[tokens]))
            }
        }
    }

    public mutating func append(_ sequence: [Int32], typeIDs types: [Int32]? = nil) {
        if let types, !typeIDs.isEmpty || types.contains(where: { $0 != 0 }) {
            precondition(types.count == sequence.count, "a sequence's token types and ids differ in length")
            if typeIDs.isEmpty { typeIDs = [Int32](repeating: 0, count: ids.count) }
            typeIDs += types
        } else if !typeIDs.isEmpty {
            typeIDs += [Int32](repeating: 0, count: sequence.count)
        }
        ids += sequence
        sequenceStarts.append(ids.count)
    }

    /// The token type of the token at `index` in `ids`.
    @inline(__always)
    public func typeID(at index: Int) -> Int { typeIDs.isEmpty ? 0 : Int(typeIDs[index]) }

    public var count: Int { sequenceStarts.count - 1 }
    public var tokenCount: Int { ids.count }
    public var longest: Int { zip(sequenceStarts, sequenceStarts.dropFirst()).map { $1 - $0 }.max() ?? 0 }
    /// Σ length², the size of one head's attention maps over the batch.
    public var attentionArea: Int { zip(sequenceStarts, sequenceStarts.dropFirst()).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) } }
}

extension ModelConfig {
    /// Whether the model can read `batch`: every sequence fits its positions, every id its vocabulary
    /// and every token type its table (a family without token types ignores them, as its
    /// transformers model takes none). Training, evaluation and prediction all check here first.
    func check(_ batch: TokenBatch) throws(ModelError) {
        if batch.longest > maxSequenceLength {
            throw ModelError("A sequence of \(batch.longest) tokens is longer than the model's \(maxSequenceLength) positions.",
                             file: "config.json", hint: "Truncate the text (truncation: true, max_length: \(maxSequenceLength)).")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
            throw ModelError("The token id \(bad) is outside the model's vocabulary of \(vocabSize).", file: "config.json",
                             hint: "The tokenizer and the model do not belong together.")
        }
        guard family.names.tokenTypeEmbeddings != nil, let largest = batch.typeIDs.max(), Int(largest) >= typeVocabSize else { return }
        throw ModelError("The token type \(largest) (a sentence pair's second text) has no row in the model's \(typeVocabSize) token types (type_vocab_size).",
                         file: "config.json", hint: "This model reads single texts; drop `text_pair_column`.")
    }
}
