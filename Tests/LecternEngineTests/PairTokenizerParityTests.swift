import Foundation
import LecternData
import LecternTestSupport
import Testing
@testable import LecternEngine

/// Sentence pairs against `tokenizer(title, description, truncation=..., max_length=...)` of the
/// fast tokenizers, on every AG News test row (`Fixtures/pair-tokenizer-parity.json`,
/// `Tests/reference/make_pair_fixtures.py`): ids, token types, and which rows a strategy refuses.
struct PairTokenizerParityTests {
    struct Case: Decodable {
        struct Example: Decodable {
            let row: Int
            let input_ids: [Int32]
            let token_type_ids: [Int32]
        }

        let strategy: String
        let max_length: Int?
        let checksum: UInt32
        let refused: Int
        let refused_checksum: UInt32
        let first_refused: [Int]
        let first: [Example]
        let row_checksums: [UInt32]?
    }

    struct ModelOnPairs: Decodable {
        let input_ids: [[Int32]]
        let token_type_ids: [[Int32]]
        let logits: [[Float]]
        let labels: [Int]
        let loss: Float
        let grad_norm: Double
        let token_type_row_1_grad_norm: Double
    }

    struct Fixture: Decodable {
        let rows: Int
        let wordpiece: [Case]
        let bpe: [Case]
        let model: ModelOnPairs
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/pair-tokenizer-parity", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let wordPiece: (any TextTokenizer)? = (try? ModelResolver.resolve("sentence-transformers/all-MiniLM-L6-v2")).flatMap { try? ModelTokenizer.load(folder: $0) }
    static let bpe = try! ModelTokenizer.load(folder: Bundle.module.url(forResource: "Fixtures/tiny-roberta-classifier", withExtension: nil)!.path)

    /// The AG News test rows as (title, description): the loader's `text_column` and `text_pair_column`.
    static func pairs() throws -> DatasetSplit {
        try DatasetLoader.load(at: agNewsFolder!, options: LoadOptions(textColumn: "title", textPairColumn: "description"))[split: "test"]!
    }

    static func checksum(_ values: [Int32], start: UInt32 = 0) -> UInt32 {
        var value = start
        for item in values { value = value &* 1_000_003 &+ UInt32(bitPattern: item + 1) }
        return value
    }

    func check(_ tokenizer: any TextTokenizer, cases: [Case]) throws {
        let split = try Self.pairs()
        let pairs = try #require(split.pairs)
        #expect(split.count == Self.fixture.rows)
        for item in cases {
            let strategy = try #require(TruncationStrategy(rawValue: item.strategy))
            var total: UInt32 = 0, refused: [Int] = [], examples: [(Int, Encoding)] = [], mismatches = 0
            for row in 0..<split.count {
                let encoding: Encoding
                do {
                    encoding = try tokenizer.encode(split.texts[row], pair: pairs[row], maxLength: item.max_length, strategy: strategy)
                } catch {
                    refused.append(row)
                    continue
                }
                let types = encoding.typeIDs ?? [Int32](repeating: 0, count: encoding.ids.count)
                let rowChecksum = Self.checksum(types, start: Self.checksum(encoding.ids))
                total = Self.checksum([Int32(bitPattern: rowChecksum)], start: total)
                if let expected = item.row_checksums, rowChecksum != expected[row - refused.count] {
                    mismatches += 1
                    if mismatches <= 3 { Issue.record("\(item.strategy) \(item.max_length ?? 0): row \(row + 1) \(tokenizer.tokens(encoding.ids))") }
                }
                if examples.count < 3 { examples.append((row, encoding)) }
            }
            let name = "\(item.strategy), max_length \(item.max_length.map(String.init) ?? "none")"
            #expect(refused.count == item.refused, "\(name): refused \(refused.count) rows, the fast tokenizer \(item.refused)")
            #expect(Self.checksum(refused.map { Int32($0) }) == item.refused_checksum, "\(name): refused other rows; first \(refused.prefix(5)) vs \(item.first_refused)")
            for (expected, (row, encoding)) in zip(item.first, examples) {
                #expect(row == expected.row)
                #expect(encoding.ids == expected.input_ids, "\(name) row \(row + 1)")
                #expect((encoding.typeIDs ?? [Int32](repeating: 0, count: encoding.ids.count)) == expected.token_type_ids, "\(name) row \(row + 1) types")
            }
            #expect(total == item.checksum, "\(name): ids or types differ")
        }
    }

    @Test(.enabled(if: wordPiece != nil && agNewsFolder != nil, "needs all-MiniLM-L6-v2 and AG News"))
    func wordPiecePairsAreTheFastTokenizers() throws {
        try check(try #require(Self.wordPiece), cases: Self.fixture.wordpiece)
    }

    @Test(.enabled(if: agNewsFolder != nil, "needs AG News"))
    func byteLevelPairsAreTheFastTokenizers() throws {
        try check(Self.bpe, cases: Self.fixture.bpe)
    }

    /// BERT reads a pair's second text as token type 1: the tiny BERT fixture's logits, loss and
    /// gradients on (title, description) pairs against transformers'.
    @Test func bertReadsTheSecondTextAsTokenTypeOne() throws {
        let expected = Self.fixture.model
        let folder = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path
        let parameters = try ModelCheckpoint(folder: folder).parameters
        let batch = TokenBatch(expected.input_ids, typeIDs: expected.token_type_ids)
        let logits = try SequenceClassifier(parameters: parameters).forward(batch).logits
        let difference = zip(logits, expected.logits.flatMap { $0 }).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-4, "logits differ by \(difference)")
        let model = TrainingModel(parameters: parameters, dropout: .off)
        let loss = try model.forward(batch, labels: expected.labels).loss
        model.backward()
        #expect(abs(loss - expected.loss) / expected.loss < 1e-5)
        let norm = model.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - expected.grad_norm) / expected.grad_norm < 1e-4, "gradient norm \(norm) vs \(expected.grad_norm)")
        let types = try #require(parameters.tokenTypeEmbeddings), h = parameters.config.hiddenSize
        let rowOne = (0..<h).reduce(0.0) { $0 + Double(model.gradients[types + h + $1]) * Double(model.gradients[types + h + $1]) }.squareRoot()
        #expect(abs(rowOne - expected.token_type_row_1_grad_norm) / expected.token_type_row_1_grad_norm < 1e-4)
        // A model with one token type has no row for the second text's.
        var single = parameters.config
        single.typeVocabSize = 1
        #expect(throws: ModelError.self) { try SequenceClassifier(parameters: ModelParameters(config: single)).forward(batch) }
    }

    /// tokenizers' own examples (`truncate_encodings_longest_first`): room 7, texts of 0, 2, 4 and 8 pieces.
    @Test(arguments: [((0, 8), (0, 7)), ((2, 8), (2, 5)), ((4, 4), (3, 4)), ((4, 8), (3, 4)), ((8, 2), (5, 2)), ((8, 4), (4, 3)), ((8, 8), (3, 4))])
    func longestFirstKeepsWhatTheCrateKeeps(lengths: (Int, Int), kept: (Int, Int)) throws {
        let result = try TruncationStrategy.longestFirst.kept(lengths.0, lengths.1, room: 7)
        #expect(result == kept)
    }
}
