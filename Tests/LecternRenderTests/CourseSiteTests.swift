import Foundation
import LecternNotebook
import LecternRender
import LecternTestSupport
import LecternTranscript
import Testing

/// The site stage in-process: a course folder becomes pages, copied files, an index and a report, and
/// the problems come back as values rather than printed lines.
struct CourseSiteTests {
    let folder = ScratchFolder()

    init() {
        folder.writeTinyNews(rows: 24)
        folder.write("lessons/course.yaml", "title: Tiny course\nlessons:\n  - start.md\n  - data.md\n")
        folder.write("lessons/start.md", "# Welcome\n\nRead [the notes](../notes.txt), not [a lost page](gone.md).\n")
        folder.write("notes.txt", "Notes.\n")
        folder.write("lessons/data.md", "# The data\n\n```load\ndataset: ../data/tiny_news\nsplit: train\ntest_size: 0.25\n```\n")
    }

    func site() throws -> CourseSite {
        let template = repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path
        return CourseSite(outputFolder: folder.path + "/site", renderer: try HTMLTranscriptRenderer(templateAt: template), execution: Execution())
    }

    @Test func aCourseBecomesASiteWithItsWarningsAsValues() throws {
        let course = try Course.load(folder: folder.path + "/lessons")
        var announced: [String] = []
        let built = try site().build(course, announce: { announced.append($0) })
        #expect(announced.count == 2 && announced[0].hasPrefix("[1/2] ") && announced[1].hasSuffix("data.md"))
        #expect(built.lessons.map(\.page) == ["start.html", "data.html"])
        #expect(built.failed.isEmpty && built.computedCells == 1 && built.cachedCells == 0)
        #expect(built.warnings.count == 1)
        #expect(built.warnings.first?.hasSuffix("start.md:3: the link to gone.md leads to no file; the site shows its text without the link.") == true,
                "\(built.warnings)")
        for page in ["index.html", "report.html", "start.html", "data.html", "files/up/notes.txt"] {
            #expect(FileManager.default.fileExists(atPath: folder.path + "/site/" + page), "\(page)")
        }
        #expect(built.index == folder.path + "/site/index.html")
    }

    @Test func anInterruptedBuildWritesTheLessonsThatRan() throws {
        let course = try Course.load(folder: folder.path + "/lessons")
        var site = try site()
        site.execution = Execution(isInterrupted: { true })
        let built = try site.build(course)
        #expect(built.lessons.isEmpty)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/site/index.html"))
    }
}
