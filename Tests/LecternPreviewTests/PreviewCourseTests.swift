import Foundation
import LecternNotebook
import LecternPreview
import LecternRender
import LecternTestSupport
import LecternTranscript
import Synchronization
import Testing

/// `lectern preview FOLDER`: a course's site live. Every lesson renders once with the site's navigation;
/// the index is the front page; a save or a control runs only its lesson; the folder holds what
/// `lectern build` writes.
@Suite(.serialized)
struct PreviewCourseTests {
    let folder = ScratchFolder()
    /// The notebook of each rendering, in order.
    let rendered = Recorded()

    init() {
        folder.writeTinyNews(rows: 24)
        folder.write("course/course.yaml", "title: A tiny course\nlessons:\n  - first.md\n  - second.md\n")
        folder.write("course/first.md", Self.lesson("First steps", prose: "The first draft."))
        folder.write("course/second.md", Self.lesson("Second steps", prose: "Then see [the first lesson](first.md)."))
    }

    static func lesson(_ title: String, prose: String) -> String {
        "# \(title)\n\n\(prose)\n\n```load\ndataset: ../data/tiny_news\nsplit: train[:20]\n```\n"
    }

    var renderer: HTMLTranscriptRenderer {
        get throws { try HTMLTranscriptRenderer(templateAt: repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path) }
    }

    func renderedNames() -> [String] { rendered.values.map { URL(fileURLWithPath: $0).lastPathComponent } }

    func until(_ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(20)
        while !condition() {
            guard Date() < deadline else { throw RawHTTP.Failure("timed out; rendered \(renderedNames())") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    @Test func theCourseIsASiteAndEachLessonRendersOnItsOwn() async throws {
        let course = try Course.load(folder: folder.path + "/course")
        let record = rendered
        let session = PreviewSession(.course(course), output: TranscriptOutput(folder: folder.path + "/site", renderer: try renderer),
                                     report: { lesson in record.append(lesson.transcript?.notebook ?? "?") })
        let server = try PreviewServer(session: session)
        _ = try await server.start()
        defer { Task { await server.stop() } }
        session.start(interval: 0.05)
        try await until { renderedNames().count == 2 }
        #expect(renderedNames() == ["first.md", "second.md"], "every lesson once, in the course's order")
        let port = server.access.listeningPort
        let headers = ["Host": "127.0.0.1:\(port)", "Cookie": "lectern-preview-token=\(server.access.token)"]
        let posting = headers.merging(["Origin": "http://127.0.0.1:\(port)"]) { $1 }
        func request(_ method: String, _ path: String, body: String = "") async throws -> RawHTTP.Response {
            try await RawHTTP.request(port: port, method: method, path: path, headers: method == "POST" ? posting : headers, body: body)
        }

        // The front page is the course's index, live; a lesson's page is live and carries the navigation.
        try await until { folder.read("site/index.html")?.contains("Second steps") ?? false }
        let index = try await request("GET", "/")
        #expect(index.status == 200 && index.body.contains("A tiny course") && index.body.contains("id=\"lectern-preview\""))
        #expect(index.body.contains("const pageName = \"index\""))
        let second = try await request("GET", "/second.html")
        #expect(second.status == 200 && second.body.contains("id=\"lectern-preview\"") && second.body.contains("href=\"first.html\""), "\(second.body.prefix(300))")
        #expect(try await request("GET", "/index.html").body.contains("const pageName = \"index\""), "the index, by its file name too")
        #expect(try await request("GET", "/second").body.contains("const pageName = \"second\""), "a lesson's page under its event name")
        #expect(try await request("GET", "/page?name=second").body.contains("Then see"))
        #expect(try await request("GET", "/nothing.html").status == 404)

        // A control names its lesson; a name that is no lesson's is refused and runs nothing.
        #expect(try await request("POST", "/refresh?lesson=third", body: "load").status == 404)
        #expect(try await request("POST", "/refresh?lesson=second", body: "load").status == 200)
        try await until { renderedNames().count == 3 }
        #expect(renderedNames().last == "second.md")

        // A save runs its lesson alone.
        folder.write("course/first.md", Self.lesson("First steps", prose: "The second draft."))
        try await until { folder.read("site/first.md")?.contains("The second draft.") ?? false }
        try await until { !session.isRunning }
        #expect(renderedNames() == ["first.md", "second.md", "second.md", "first.md"])

        // The site holds what `lectern build` writes.
        let built = try CourseSite(outputFolder: folder.path + "/built", renderer: try renderer, execution: Execution())
            .build(try Course.load(folder: folder.path + "/course"))
        #expect(built.lessons.count == 2)
        for stem in ["first", "second"] {
            #expect(withoutTimings(try #require(folder.read("site/\(stem).json"))) == withoutTimings(try #require(folder.read("built/\(stem).json"))), "\(stem).json")
        }
    }
}

/// Values seen, across threads, in order.
final class Recorded: Sendable {
    private let list = Mutex<[String]>([])
    func append(_ value: String) { list.withLock { $0.append(value) } }
    var values: [String] { list.withLock { $0 } }
}
