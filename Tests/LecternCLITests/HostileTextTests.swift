import Foundation
import LecternTestSupport
import Testing

/// Texts no course dataset has, but a student's own data might: they are truncated within bounded
/// time and memory, and the transcript stays small (docs/reliability.md has the measurements).
struct HostileTextTests {
    @Test func aMegabyteLineAHundredThousandTokensAndATenMegabyteWordAreTruncated() throws {
        let folder = ScratchFolder()
        let words = ["market", "stocks", "rose", "team", "won", "election", "unbelievable", "quantum"]
        let megabyteLine = String((0..<150_000).map { words[$0 % words.count] }.joined(separator: " ").prefix(1_000_000))
        let manyTokens = (0..<100_000).map { words[($0 * 7) % words.count] + "s" }.joined(separator: " ")
        let hugeWord = String(repeating: "a", count: 10_000_000)
        let rows = [(megabyteLine, 0), (manyTokens, 1), (hugeWord, 2), ("A short text.", 3)]
        folder.write("data/hostile.csv", "text,label\n" + rows.map { "\"\($0.0)\",\($0.1)" }.joined(separator: "\n") + "\n")
        let model = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        folder.write("lesson.md", """
            ```load
            dataset: data/hostile.csv
            ```

            ```tokenize
            model: \(model)
            max_length: 128
            truncation: true
            ```

            ```predict
            model: \(model)
            split: train
            ```

            """)
        let result = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet"], in: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(folder.read("output/lesson.json"))
        #expect(json.contains("\"max_tokens\": 128"))
        #expect(json.contains("[10000000 characters in all]"))
        // The 10 MB word is one [UNK] (longer than WordPiece's 100-character limit), not 10 MB in the transcript.
        #expect(json.utf8.count < 200_000, "the transcript copied the texts: \(json.utf8.count) bytes")
        // The megabyte line and the long document are cut at 128 tokens; the huge word was one token to begin with.
        #expect(json.contains("\"truncated\": 2"))
    }
}
