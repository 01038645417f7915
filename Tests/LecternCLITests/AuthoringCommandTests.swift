import Foundation
import LecternTestSupport
import Testing

/// `lectern new` and `lectern watch`, run as an author would.
struct AuthoringCommandTests {
    let folder = ScratchFolder()

    init() { folder.writeTinyNews() }

    @Test func newCopiesANotebookUnderANewTitleAndRefusesToOverwrite() throws {
        let course = repositoryRoot.appendingPathComponent("notebooks/fine-tuning-bert.md").path
        folder.write("notebooks/course.md", try String(contentsOfFile: course, encoding: .utf8))
        let made = try LecternProcess.run(["new", "lower-rate", "--from", "notebooks/course.md"], in: folder.path)
        #expect(made.status == 0, "\(made.standardError)")
        let text = try #require(folder.read("notebooks/lower-rate.md"))
        #expect(text.hasPrefix("---\ntitle: \"Fine-tuning BERT for news topic classification — lower-rate\"\n"))
        #expect(text.contains("<!-- Made with `lectern new` from notebooks/course.md on "))
        #expect(text.contains("```train\n"))
        #expect(try LecternProcess.run(["check", "notebooks/lower-rate.md"], in: folder.path).status == 0)

        let again = try LecternProcess.run(["new", "lower-rate", "--from", "notebooks/course.md"], in: folder.path)
        #expect(again.status == 1)
        #expect(again.standardError.contains("already exists"))
        #expect(folder.read("notebooks/lower-rate.md") == text)
    }

    @Test func theStarterLessonIsValid() throws {
        let made = try LecternProcess.run(["new", "first-lesson"], in: folder.path)
        #expect(made.status == 0, "\(made.standardError)")
        #expect(try LecternProcess.run(["check", "first-lesson.md"], in: folder.path).status == 0)
    }

    @Test func watchRendersAgainWhenTheNotebookIsSaved() throws {
        folder.write("lesson.md", "# First version\n\n```load\ndataset: tiny_news\n```\n")
        let (process, output, errors) = try LecternProcess.start(["watch", "lesson.md", "--template", LecternProcess.template, "--quiet",
                                                                  "--interval", "0.1"], in: folder.path)
        func waitFor(_ text: String) -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if folder.read("output/lesson.html")?.contains(text) == true { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
        #expect(waitFor("First version"))
        folder.write("lesson.md", "# Second version\n\n```load\ndataset: tiny_news\n```\n")
        #expect(waitFor("Second version"))
        process.interrupt()
        let result = LecternProcess.finish(process, output, errors)
        #expect(result.exitedNormally && result.status == 0)
        #expect(result.standardOutput.contains("lesson.md changed; rendering."))
    }
}
