import Foundation
import LecternTestSupport
import LecternData
import Testing
@testable import LecternEngine

/// The tokenizer against Hugging Face's fast tokenizer, from `Fixtures/tokenizer-parity.json`
/// (written by `Tests/reference/make_tokenizer_fixtures.py`).
struct TokenizerParityTests {
    struct Fixture: Decodable {
        struct EdgeCase: Decodable {
            let text: String
            let ids: [Int32]
        }

        struct Corpus: Decodable {
            let count: Int
            let lengths: [Int]
            let checksums: [UInt32]
            let first_ids: [[Int32]]
        }

        let edge_cases: [EdgeCase]
        let corpora: [String: Corpus]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/tokenizer-parity", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let tokenizer: BertTokenizer? = {
        guard let folder = try? ModelResolver.resolve("sentence-transformers/all-MiniLM-L6-v2") else { return nil }
        return try? BertTokenizer(folder: folder)
    }()

    static func checksum(_ ids: [Int32]) -> UInt32 {
        var value: UInt32 = 0
        for id in ids { value = value &* 1_000_003 &+ UInt32(id + 1) }
        return value
    }

    @Test(.enabled(if: tokenizer != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func edgeCasesMatchTheFastTokenizer() throws {
        let tokenizer = try #require(Self.tokenizer)
        for item in Self.fixture.edge_cases {
            let ids = tokenizer.encode(item.text).ids
            #expect(ids == item.ids, "\(item.text.debugDescription): \(tokenizer.tokens(ids)) vs \(tokenizer.tokens(item.ids))")
        }
    }

    @Test(.enabled(if: tokenizer != nil && agNewsFolder != nil, "needs all-MiniLM-L6-v2 and AG News"))
    func everyAGNewsTestTextMatches() throws {
        let tokenizer = try #require(Self.tokenizer)
        let corpus = try #require(Self.fixture.corpora["ag_news_test"])
        let texts = try Self.agNewsTestTexts()
        #expect(texts.count == corpus.count)
        var mismatches = 0
        for (index, text) in texts.enumerated() {
            let ids = tokenizer.encode(text).ids
            if index < corpus.first_ids.count { #expect(ids == corpus.first_ids[index]) }
            if ids.count != corpus.lengths[index] || Self.checksum(ids) != corpus.checksums[index] {
                mismatches += 1
                if mismatches <= 5 { Issue.record("AG News test row \(index + 1): \(text.debugDescription) → \(tokenizer.tokens(ids))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(.enabled(if: tokenizer != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func everyBBCNewsArticleMatches() throws {
        let tokenizer = try #require(Self.tokenizer)
        let corpus = try #require(Self.fixture.corpora["bbc_news"])
        guard let texts = Self.bbcTexts() else { return }
        #expect(texts.count == corpus.count)
        var mismatches = 0
        for (index, text) in texts.enumerated() {
            let ids = tokenizer.encode(text).ids
            if ids.count != corpus.lengths[index] || Self.checksum(ids) != corpus.checksums[index] {
                mismatches += 1
                if mismatches <= 5 { Issue.record("BBC article \(index): \(String(text.prefix(60)).debugDescription)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(.enabled(if: tokenizer != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func truncationKeepsClsAndSepAndCountsWhatWasCut() throws {
        let tokenizer = try #require(Self.tokenizer)
        let full = tokenizer.encode("one two three four five six")
        let cut = tokenizer.encode("one two three four five six", maxLength: 5)
        #expect(cut.ids == Array(full.ids.prefix(4)) + [tokenizer.sepID])
        #expect(cut.truncatedTokens == 3)
        #expect(tokenizer.encode("short", maxLength: 512).truncatedTokens == 0)
    }

    @Test(.enabled(if: tokenizer != nil, "all-MiniLM-L6-v2 is not installed (make setup)"))
    func vocabTxtGivesTheSameIdsAsTokenizerJSON() throws {
        let folder = try ModelResolver.resolve("all-MiniLM-L6-v2")
        let fromVocab = try BertTokenizer(vocabularyFile: folder + "/vocab.txt", configFile: folder + "/tokenizer_config.json")
        for item in Self.fixture.edge_cases {
            #expect(fromVocab.encode(item.text).ids == item.ids, "\(item.text.debugDescription)")
        }
    }

    @Test func aVocabularyWithoutUNKIsAClearError() {
        let folder = ScratchFolder()
        let vocab = folder.write("vocab.txt", "[PAD]\n[CLS]\n[SEP]\nhello\n")
        #expect(throws: ModelError("The vocabulary has no `[UNK]` token.", file: vocab, hint: "A BERT vocabulary needs [UNK], [CLS], [SEP] and [PAD].")) {
            try BertTokenizer(vocabularyFile: vocab, configFile: folder.path + "/none.json")
        }
    }

    /// The texts as Lectern's `load` reads them: title + " " + description, as Hugging Face's ag_news builds them.
    static func agNewsTestTexts() throws -> [String] {
        try DatasetLoader.load(at: agNewsFolder!)[split: "test"]!.texts
    }

    /// Every BBC News article in folder order (the one Windows-1252 file decoded as such).
    static func bbcTexts() -> [String]? {
        guard let folder = try? DatasetResolver.resolve("bbc_news") else { return nil }
        return try? DatasetLoader.load(at: folder)[split: "train"]?.texts
    }
}
