import Foundation
import LecternTestSupport
import Testing

/// Runs the real `lectern` executable, as a student would, and checks exit status, messages and files.
struct CommandLineTests {
    let folder = ScratchFolder()

    init() { folder.writeTinyNews() }

    func lectern(_ arguments: [String]) throws -> LecternProcess.Result {
        try LecternProcess.run(arguments, in: folder.path)
    }

    var template: String { LecternProcess.template }

    @Test func aGoodNotebookRendersAllThreeFiles() throws {
        folder.write("lesson.md", "---\ntitle: Tiny\nparams:\n  part: 0.25\n---\n\nText.\n\n```load\ndataset: tiny_news\nsplit: train\ntest_size: ${part}\n```\n")
        let result = try lectern(["run", "lesson.md", "--template", template, "--set", "part=5", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        for ext in ["html", "md", "json"] { #expect(folder.read("output/lesson.\(ext)") != nil) }
        let json = try #require(folder.read("output/lesson.json"))
        #expect(json.contains("\"status\": \"ok\""))
        #expect(json.contains("\"test\": 5"))
    }

    /// A one-letter output folder once trapped inside Foundation (deletingLastPathComponent of "o").
    @Test func aOneLetterOutputFolderWorks() throws {
        folder.write("lesson.md", "```load\ndataset: tiny_news\nsplit: train\n```\n")
        let result = try lectern(["run", "lesson.md", "--template", template, "--out", "o", "--quiet"])
        #expect(result.exitedNormally && result.status == 0, "\(result.standardError)")
        #expect(folder.read("o/lesson.json") != nil)
    }

    /// `--out .` beside the notebook: the Markdown transcript would be the notebook. Status 2, nothing written.
    @Test func anOutputFolderWhereTheTranscriptWouldReplaceTheNotebookIsRefused() throws {
        let notebook = "```load\ndataset: tiny_news\nsplit: train\n```\n"
        folder.write("lesson.md", notebook)
        let result = try lectern(["run", "lesson.md", "--template", template, "--out", "."])
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: the Markdown transcript lesson.md would replace the notebook lesson.md itself; choose another folder with --out."),
                "\(result.standardError)")
        #expect(folder.read("lesson.md") == notebook && folder.read("lesson.json") == nil)
    }

    @Test func aValidationErrorExitsOneNamesTheLineAndStillWritesTheTranscript() throws {
        folder.write("lesson.md", "Text.\n\n```load\ndataset: tiny_news\nshufle: false\n```\n")
        let result = try lectern(["run", "lesson.md", "--template", template, "--out", "rendered", "--quiet"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("lesson.md:5:1: error: `load` has no parameter `shufle`. Did you mean `shuffle`?"))
        let html = try #require(folder.read("rendered/lesson.html"))
        #expect(html.contains("The notebook has problems, so nothing ran."))
        #expect(folder.read("rendered/lesson.json")?.contains("\"status\": \"invalid\"") == true)
    }

    @Test func aFailingCellExitsOneWithTheErrorInPlace() throws {
        folder.write("lesson.md", "```load\ndataset: not_here\n```\n")
        let result = try lectern(["run", "lesson.md", "--template", template, "--quiet"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("lesson.md:2:10: error: not_here: No dataset named `not_here`."))
        #expect(folder.read("output/lesson.html")?.contains("A cell failed.") == true)
    }

    /// The metric that picks the best checkpoint must be one the evaluations compute: `lectern check`
    /// says so before anything runs (it used to fail only once training had started).
    @Test func checkRefusesABestModelMetricThatIsNeverComputed() throws {
        folder.write("lesson.md", """
            ```load
            dataset: tiny_news
            ```

            ```tokenize
            model: all-MiniLM-L6-v2
            ```

            ```train
            eval_strategy: epoch
            save_strategy: epoch
            load_best_model_at_end: true
            metric_for_best_model: eval_f1
            metrics: [accuracy]
            ```
            """)
        let result = try lectern(["check", "lesson.md"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("lesson.md:13:24: error: `metric_for_best_model` is `eval_f1`, but `metrics` computes only `loss`, `accuracy`."),
                "\(result.standardError)")
        folder.write("lesson.md", try #require(folder.read("lesson.md")).replacingOccurrences(of: "metrics: [accuracy]", with: "metrics: [accuracy, f1]"))
        #expect(try lectern(["check", "lesson.md"]).status == 0)
    }

    @Test func checkValidatesWithoutRunning() throws {
        folder.write("lesson.md", "```load\ndataset: not_here\n```\n")
        let ok = try lectern(["check", "lesson.md"])
        #expect(ok.status == 0)
        #expect(ok.standardOutput.contains("lesson.md: ok (1 directive cells)"))
        #expect(folder.read("output/lesson.json") == nil)

        folder.write("bad.md", "```load\ndataset: x\ntest_size: 1.5\n```\n\n```train\nnum_train_epochs: 1\n```\n")
        let bad = try lectern(["check", "bad.md"])
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("bad.md:3:12: error: `test_size` must be a fraction between 0 and 1 (such as 0.2) or a whole count (such as 200), but it is `1.5`."))
        #expect(bad.standardError.contains("bad.md:6:4: error: `train` needs a tokenizer, but no earlier cell provides one."))
        #expect(bad.standardError.contains("2 problems found; nothing was run."))
    }

    @Test func anUnknownParameterOnTheCommandLineIsAnError() throws {
        folder.write("lesson.md", "---\nparams:\n  rows: 10\n---\n\n```load\ndataset: tiny_news\n```\n")
        let result = try lectern(["check", "lesson.md", "--set", "row=5"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("--set:1:1: error: The notebook has no parameter `row`. Did you mean `rows`?"))
    }

    @Test func aNotebookThatIsNotUTF8IsRejectedWithItsPosition() throws {
        folder.write("latin1.md", Array("Text.\n\nna".utf8) + [0xEF, 0x76, 0x65, 0x0A])
        let result = try lectern(["check", "latin1.md"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("latin1.md:3:3: error: The notebook is not UTF-8 text"))
    }

    @Test func tokenizeWritesIdsAndTokensPerLine() throws {
        let checkpoint = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        let input = folder.write("texts.txt", "Stocks rose.\n[SEP] x\n")
        let process = Process()
        process.executableURL = LecternProcess.executable
        process.arguments = ["tokenize", "--model", checkpoint]
        process.standardInput = FileHandle(forReadingAtPath: input)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect((second?["tokens"] as? [String])?.prefix(2) == ["[CLS]", "[SEP]"])
    }

    @Test func anUnwritableOutputFolderExitsTwo() throws {
        folder.write("lesson.md", "```load\ndataset: tiny_news\n```\n")
        let result = try lectern(["run", "lesson.md", "--template", template, "--out", "/proc/lectern-out", "--quiet"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("Cannot write /proc/lectern-out/lesson.html"))
    }
}
