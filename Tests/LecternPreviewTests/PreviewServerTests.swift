import Foundation
import LecternPreview
import LecternRender
import LecternTestSupport
import LecternTranscript
import Synchronization
import Testing

/// `lectern preview`'s server, started in-process on a free loopback port and spoken to over raw HTTP
/// (so that any Host and Origin can be sent): each security rule refuses and runs nothing; saving the
/// notebook, changing a parameter and the transcript it writes.
@Suite(.serialized)
struct PreviewServerTests {
    let folder = ScratchFolder()
    let renders = Counter()

    init() {
        folder.writeTinyNews(rows: 24)
        folder.write("lesson/data/.keep", "")
        try? FileManager.default.createSymbolicLink(atPath: folder.path + "/lesson/data/news", withDestinationPath: folder.path + "/data/tiny_news")
        folder.write("lesson/lesson.md", Self.lesson(prose: "A first draft."))
        folder.write("secret.txt", "outside the lesson")
        try? FileManager.default.createSymbolicLink(atPath: folder.path + "/lesson/escape.txt", withDestinationPath: folder.path + "/secret.txt")
    }

    static func lesson(prose: String) -> String {
        "---\nparams:\n  rows: 20\n---\n# Preview\n\n\(prose) We take ${rows} rows.\n\n```load\ndataset: data/news\nsplit: train[:${rows}]\n```\n"
    }

    /// A started server and its address; the session's renders are counted.
    func start() async throws -> (PreviewServer, UInt16, String) {
        let renderer = try HTMLTranscriptRenderer(templateAt: repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path)
        let counter = renders
        let session = PreviewSession(.lesson(LessonSource(path: folder.path + "/lesson/lesson.md")),
                                     output: TranscriptOutput(folder: folder.path + "/out", renderer: renderer),
                                     report: { _ in counter.add() })
        let server = try PreviewServer(session: session)
        _ = try await server.start()
        session.start(interval: 0.05)
        let port = server.access.listeningPort
        try await until { counter.value == 1 }
        return (server, port, server.access.token)
    }

    /// Waits, 20 s at most, for a condition.
    func until(_ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(20)
        while !condition() {
            guard Date() < deadline else { throw RawHTTP.Failure("timed out") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    @Test func everySecurityRuleRefusesAndRunsNothing() async throws {
        let (server, port, token) = try await start()
        defer { Task { await server.stop() } }
        let host = "127.0.0.1:\(port)", cookie = "lectern-preview-token=\(token)", origin = "http://127.0.0.1:\(port)"
        func request(_ method: String, _ path: String, headers: [String: String], body: String = "") async throws -> RawHTTP.Response {
            try await RawHTTP.request(port: port, method: method, path: path, headers: headers, body: body)
        }
        #expect(try await request("GET", "/", headers: ["Host": host]).status == 403, "no token")
        #expect(try await request("GET", "/", headers: ["Host": host, "Cookie": "lectern-preview-token=\(String(token.reversed()))"]).status == 403, "a wrong token")
        #expect(try await request("GET", "/?token=nope", headers: ["Host": host]).status == 403, "a wrong token in the URL")
        #expect(try await request("GET", "/", headers: ["Host": "evil.example:\(port)", "Cookie": cookie]).status == 403, "a foreign Host (DNS rebinding)")
        #expect(try await request("POST", "/run", headers: ["Host": host, "Cookie": cookie], body: "rows=10").status == 403, "no Origin")
        #expect(try await request("POST", "/run", headers: ["Host": host, "Cookie": cookie, "Origin": "http://evil.example"], body: "rows=10").status == 403, "a foreign Origin")
        #expect(try await request("POST", "/stop", headers: ["Host": host, "Cookie": cookie, "Origin": "http://evil.example"]).status == 403)
        let upgrade = ["Host": host, "Cookie": cookie, "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                       "Sec-WebSocket-Version": "13", "Origin": "http://evil.example"]
        #expect(try await request("GET", "/events", headers: upgrade).status == 403, "a socket opened from a foreign Origin")
        #expect(try await request("GET", "/..%2F..%2Fsecret.txt", headers: ["Host": host, "Cookie": cookie]).status == 404, "`..`")
        #expect(try await request("GET", "/escape.txt", headers: ["Host": host, "Cookie": cookie]).status == 404, "a symbolic link that leaves the folder")
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(renders.value == 1, "nothing ran")
        // The right token in the URL becomes a cookie; with it the page, its controls and the lesson's files.
        let entry = try await request("GET", "/?token=\(token)", headers: ["Host": "localhost:\(port)"])
        #expect(entry.status == 303 && entry.headers["set-cookie"]?.contains("lectern-preview-token=\(token)") == true)
        let page = try await request("GET", "/", headers: ["Host": host, "Cookie": cookie])
        #expect(page.status == 200 && page.body.contains("id=\"lectern-preview\"") && page.body.contains("We take 20 rows."))
        #expect(try await request("GET", "/lesson.md", headers: ["Host": host, "Cookie": cookie]).status == 200)
        let opened = try await request("GET", "/events", headers: upgrade.merging(["Origin": origin]) { $1 })
        #expect(opened.status == 101, "the page's own socket")
    }

    @Test func savingAndParametersRenderAgainAsLecternRunWould() async throws {
        let (server, port, token) = try await start()
        defer { Task { await server.stop() } }
        let headers = ["Host": "127.0.0.1:\(port)", "Cookie": "lectern-preview-token=\(token)", "Origin": "http://127.0.0.1:\(port)"]
        // A save: the lesson runs again and the transcript changes.
        folder.write("lesson/lesson.md", Self.lesson(prose: "A second draft."))
        try await until { renders.value >= 2 && (folder.read("out/lesson.md")?.contains("A second draft.") ?? false) }
        #expect(server.session.events.version >= 2)
        // A parameter of the wrong kind is refused as --set refuses it; a good one runs.
        let bad = try await RawHTTP.request(port: port, method: "POST", path: "/run", headers: headers, body: "rows=abc")
        #expect(bad.status == 400 && bad.body.contains("train[:abc]"), "\(bad.body)")
        let good = try await RawHTTP.request(port: port, method: "POST", path: "/run", headers: headers, body: "rows=12")
        #expect(good.status == 200)
        try await until { folder.read("out/lesson.md")?.contains("We take 12 rows.") ?? false }
        // What the preview wrote is what `lectern run --set rows=12` writes.
        let renderer = try HTMLTranscriptRenderer(templateAt: repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path)
        let direct = LessonRendering(execution: Execution(), output: TranscriptOutput(folder: folder.path + "/direct", renderer: renderer))
            .render(LessonSource(path: folder.path + "/lesson/lesson.md", assignments: ["rows=12"]))
        #expect(direct.transcript != nil)
        #expect(withoutTimings(try #require(folder.read("out/lesson.json"))) == withoutTimings(try #require(folder.read("direct/lesson.json"))))
    }
}

/// Renders seen, across threads.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// HTTP/1.1 over a plain socket, with any headers (Foundation's client sets Host itself).
enum RawHTTP {
    struct Failure: Error { let message: String; init(_ message: String) { self.message = message } }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// The request on a thread of its own: a blocking read on one of Swift concurrency's few threads would
    /// keep the server, whose tasks need those threads, from answering (on 2 cores, with other tests running).
    static func request(port: UInt16, method: String, path: String, headers: [String: String], body: String = "") async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try send(port: port, method: method, path: path, headers: headers, body: body) })
            }
        }
    }

    static func send(port: UInt16, method: String, path: String, headers: [String: String], body: String = "") throws -> Response {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("no socket") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure("cannot connect") }
        var text = "\(method) \(path) HTTP/1.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if headers["Upgrade"] == nil { text += "Connection: close\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
            // An upgraded socket stays open: its status line is all there is to read.
            if headers["Upgrade"] != nil, String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let response = String(decoding: received, as: UTF8.self)
        let parts = response.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { throw Failure("no response: \(response)") }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") { fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return Response(status: status, headers: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
