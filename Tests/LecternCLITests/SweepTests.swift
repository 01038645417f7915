import Foundation
import LecternTestSupport
import Testing

/// `--set name=a,b`: every combination runs, and one page compares them.
struct SweepTests {
    @Test func everyCombinationRunsAndOnePageComparesThem() throws {
        let folder = ScratchFolder()
        folder.writeTinyNews()
        let model = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        folder.write("lesson.md", """
            ---
            title: Tiny sweep
            params:
              rate: 1e-3
              steps: 4
              note: plain
            ---

            ```load
            dataset: tiny_news
            ```

            ```tokenize
            model: \(model)
            ```

            ```train
            max_steps: ${steps}
            learning_rate: ${rate}
            logging_steps: 1
            eval_strategy: no
            ```

            ```evaluate
            ```

            ```predict
            text: ${note}
            ```

            """)
        let result = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template,
                                             "--set", "rate=1e-3,2e-3", "--set", "steps=2,4", "--set", "note=a\\, b"], in: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Variant 4 of 4: rate=2e-3, steps=4"))
        for number in 1...4 { #expect(folder.read("output/lesson-sweep-\(number).json") != nil) }
        #expect(folder.read("output/lesson-sweep-2.html")?.contains("Tiny sweep (rate=1e-3, steps=4)") == true)
        // The escaped comma is a comma in the value, not a third axis.
        #expect(folder.read("output/lesson-sweep-1.json")?.contains("\"text\": \"a, b\"") == true)

        let json = try #require(folder.read("output/lesson-sweep.json"))
        #expect(json.contains("\"title\": \"Tiny sweep: sweep\""))
        #expect(json.components(separatedBy: "\"transcript\": \"lesson-sweep-").count == 5)
        let html = try #require(folder.read("output/lesson-sweep.html"))
        #expect(html.contains("<figure class=\"chart\"><svg"))
        #expect(html.contains("#4 rate=2e-3 steps=4"), "the loss curves are labelled by variant")
        #expect(html.contains("<a href=\"lesson-sweep-1.html\">lesson-sweep-1.html</a>"))
        let markdown = try #require(folder.read("output/lesson-sweep.md"))
        #expect(markdown.contains("| 3 | 2e-3 | 2 | ok |"))
    }
}
