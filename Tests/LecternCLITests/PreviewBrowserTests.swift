import Foundation
import LecternTestSupport
import Testing

/// `lectern preview` in headless Chromium (Tests/reference/check_preview.py): an edit shows on the page,
/// a training cell's log rows arrive while it runs, Stop and Resume work as Ctrl-C and `--resume` do,
/// the parameters form runs the lesson again, and axe-core finds nothing serious on the live page; a
/// course folder's preview opens on its index and leads to live lesson pages.
struct PreviewBrowserTests {
    @Test(.enabled(if: SiteTests.accessibilityPython != nil, "needs chromium-driver and the accessibility venv (make test-packages)"))
    func theLivePageFollowsEditsTrainingAndItsControls() throws {
        let folder = ScratchFolder()
        folder.writeTinyNews(rows: 24)
        let model = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        folder.write("lesson.md", "---\nparams:\n  rows: 20\n---\n# Preview lesson\n\nA first draft. We take ${rows} rows.\n\n"
                     + "```load\ndataset: data/tiny_news\nsplit: train[:${rows}]\n```\n\n```tokenize\nmodel: \(model)\n```\n")
        // A course of two lessons, previewed after the lesson.
        folder.write("course/course.yaml", "title: Preview course\nlessons:\n  - first.md\n  - second.md\n")
        for (stem, title) in [("first", "First lesson"), ("second", "Second lesson")] {
            folder.write("course/\(stem).md", "# \(title)\n\nThe \(stem) lesson's draft.\n\n```load\ndataset: ../data/tiny_news\nsplit: train[:20]\n```\n")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: SiteTests.accessibilityPython!)
        check.currentDirectoryURL = repositoryRoot.appendingPathComponent("Tests/reference")
        // The tiny model trains in about a millisecond a step: 4,000 steps leave time to stop it half-way.
        check.arguments = ["check_preview.py", LecternProcess.executable.path, LecternProcess.template, folder.path, "4000"]
        let output = Pipe()
        check.standardOutput = output
        check.standardError = output
        try check.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(text)")
        #expect(text.contains("\"rows_before_the_cell_ended\": true") && text.contains("\"axe_serious\": []"), "\(text)")
        #expect(text.contains("\"cell_run_again\": true"), "\(text)")
        #expect(text.contains("\"course_lesson_is_live\": true") && text.contains("\"course_save_to_page_seconds\""), "\(text)")
    }
}
