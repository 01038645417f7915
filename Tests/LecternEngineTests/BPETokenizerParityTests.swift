import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// Byte-level BPE against Hugging Face's fast tokenizer, on a tokenizer trained on BBC News and
/// saved as RoBERTa's (`Fixtures/bpe-tokenizer-parity.json`, `Tests/reference/make_family_fixtures.py`).
struct BPETokenizerParityTests {
    static let fixture: TokenizerParityTests.Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/bpe-tokenizer-parity", withExtension: "json")!
        return try! JSONDecoder().decode(TokenizerParityTests.Fixture.self, from: Data(contentsOf: url))
    }()

    static let folder = Bundle.module.url(forResource: "Fixtures/tiny-roberta-classifier", withExtension: nil)!.path
    static let tokenizer = try! ModelTokenizer.load(folder: folder)

    @Test func theFolderLoadsAsByteLevelBPE() {
        #expect(Self.tokenizer is ByteLevelBPETokenizer)
        #expect(Self.tokenizer.tokens(Self.tokenizer.encode("").ids) == ["<s>", "</s>"])
    }

    @Test func edgeCasesMatchTheFastTokenizer() {
        for item in Self.fixture.edge_cases {
            let ids = Self.tokenizer.encode(item.text).ids
            #expect(ids == item.ids, "\(item.text.debugDescription): \(Self.tokenizer.tokens(ids)) vs \(Self.tokenizer.tokens(item.ids))")
        }
    }

    func matches(_ texts: [String], _ corpus: TokenizerParityTests.Fixture.Corpus, name: String) {
        #expect(texts.count == corpus.count)
        var mismatches = 0
        for (index, text) in texts.enumerated() {
            let ids = Self.tokenizer.encode(text).ids
            if index < corpus.first_ids.count { #expect(ids == corpus.first_ids[index]) }
            if ids.count != corpus.lengths[index] || TokenizerParityTests.checksum(ids) != corpus.checksums[index] {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(name) text \(index + 1): \(text.prefix(200).debugDescription) → \(Self.tokenizer.tokens(ids).prefix(60))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(.enabled(if: agNewsFolder != nil, "needs AG News")) func everyAGNewsTestTextMatches() throws {
        matches(try TokenizerParityTests.agNewsTestTexts(), try #require(Self.fixture.corpora["ag_news_test"]), name: "AG News test")
    }

    @Test func everyBBCNewsArticleMatches() throws {
        guard let texts = TokenizerParityTests.bbcTexts() else { return }
        matches(texts, try #require(Self.fixture.corpora["bbc_news"]), name: "BBC News")
    }

    @Test func truncationKeepsTheSpecialTokens() {
        let full = Self.tokenizer.encode("The quick brown fox jumps over the lazy dog")
        let cut = Self.tokenizer.encode("The quick brown fox jumps over the lazy dog", maxLength: 5)
        #expect(cut.ids == Array(full.ids.prefix(4)) + [full.ids.last!])
        #expect(cut.truncatedTokens == full.ids.count - 5)
    }

    @Test func piecesReadAsTheirTextAndJoinTheWordBefore() {
        let tokenizer = Self.tokenizer
        let tokens = tokenizer.tokens(tokenizer.encode("Hello world, café").ids)
        let readable = tokens.dropFirst().dropLast().map { tokenizer.readable($0) }
        #expect(readable.first { $0.text == "world" }?.joinsPrevious == false)
        #expect(readable.first { $0.text == "," }?.joinsPrevious == true)
        // This vocabulary splits é (bytes C3 A9) between two pieces: each reads as its byte-level characters.
        #expect(readable.suffix(2).map(\.text) == ["Ã", "©"])
        #expect(readable.map(\.text).joined() == "Helloworld,cafÃ©")
    }

    /// Ids a table by id cannot hold are an error naming the token, for both tokenizers' files
    /// (an id of 2,000,000,000 asked for two billion entries; one beyond Int32 trapped).
    @Test(arguments: [("BPE", 2_000_000_000), ("BPE", -1), ("BPE", 5_000_000_000), ("WordPiece", 2_000_000_000), ("WordPiece", 5_000_000_000)])
    func hostileIdsAreErrors(model: String, id: Int) throws {
        let scratch = ScratchFolder()
        let extra = model == "BPE" ? #", "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}"# : "}"
        scratch.write("tokenizer.json", #"{"model": {"type": "\#(model)", "vocab": {"<s>": 0, "</s>": 1, "[UNK]": 2, "[CLS]": 3, "[SEP]": 4, "[PAD]": 5, "huge": \#(id)}"# + extra + "}")
        do {
            _ = try ModelTokenizer.load(folder: scratch.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("The token `huge` has the id \(id), outside 0 to "), "\(error.message)")
        }
    }
}
