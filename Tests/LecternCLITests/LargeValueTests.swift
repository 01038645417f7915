import Foundation
import LecternTestSupport
import Testing

/// Sizes that multiply: a 5 MB parameter value and a 5 MB text to classify once made a 30 MB HTML
/// transcript (the value in two tables, the text in every bar's tooltip). Values are cut as long
/// texts are, with their length, in every format.
struct LargeValueTests {
    @Test func fiveMegabyteValuesMakeSmallTranscripts() throws {
        let folder = ScratchFolder()
        let big = String(repeating: "x", count: 5_000_000)
        let model = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        folder.write("lesson.md", "---\ntitle: t\nparams:\n  big: \"\(big)\"\n---\n\nText.\n\n```predict\ntext: \"\(big)\"\nmodel: \(model)\n```\n")
        let result = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet", "--no-cache"], in: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        for format in ["html", "md", "json"] {
            let text = try #require(folder.read("output/lesson.\(format)"))
            #expect(text.utf8.count < 100_000, "lesson.\(format) is \(text.utf8.count) bytes")
            #expect(text.contains("[5000000 characters in all]"), "lesson.\(format) says how long the value was")
        }
    }
}
