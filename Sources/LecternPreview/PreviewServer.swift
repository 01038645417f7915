import FlyingFox
import Foundation
import LecternNotebook
import LecternRender
import LecternRunner

/// `lectern preview`'s web server: the lesson's transcript, live, on the loopback address. Every request
/// passes `PreviewAccess` first; the page is the saved transcript with a bar of controls and a script that
/// listens on the event socket and swaps in each new transcript, keeping the reader's place.
public final class PreviewServer: Sendable {
    public let session: PreviewSession
    public let access: PreviewAccess
    let files: PreviewFiles
    let server: HTTPServer

    /// `port` 0 takes a free one.
    public init(session: PreviewSession, port: UInt16 = 0, access: PreviewAccess = PreviewAccess()) throws {
        self.session = session
        self.access = access
        files = PreviewFiles(folders: session.servedFolders)
        server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: port), timeout: 3600, logger: .disabled)
    }

    /// Starts listening; returns the URL to open (with the token).
    public func start() async throws -> String {
        await addRoutes()
        Task { try? await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case let .ip4(_, port)? = await server.listeningAddress else { throw PreviewError("The server did not start listening.") }
        access.listeningPort = port
        return "http://127.0.0.1:\(port)/?token=\(access.token)"
    }

    public func stop() async { await server.stop(timeout: 1) }

    private func addRoutes() async {
        let access = self.access, session = self.session, files = self.files
        func guarded(_ changesState: Bool, _ body: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) -> @Sendable (HTTPRequest) async throws -> HTTPResponse {
            { request in
                if let refusal = access.refusal(request, changesState: changesState) { return refusal }
                return try await body(request)
            }
        }
        await server.appendRoute("GET /events") { request in
            if let refusal = access.refusal(request, changesState: true) { return refusal }
            return try await WebSocketHTTPHandler(handler: MessageFrameWSHandler(handler: EventSocket(events: session.events))).handleRequest(request)
        }
        await server.appendRoute("POST /stop", handler: guarded(true) { _ in
            session.stop()
            return Self.text("Stopping at the next safe point.")
        })
        await server.appendRoute("POST /resume", handler: guarded(true) { request in
            guard let lesson = Self.lesson(of: request, in: session) else { return Self.unknownLesson }
            session.request(.resume, lesson: lesson)
            return Self.text("Resuming.")
        })
        await server.appendRoute("POST /refresh", handler: guarded(true) { request in
            guard let lesson = Self.lesson(of: request, in: session) else { return Self.unknownLesson }
            let cell = String(decoding: try await request.bodyData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            session.request(cell.isEmpty ? .rerun : .refresh(cell), lesson: lesson)
            return Self.text(cell.isEmpty ? "Running." : "Running \(cell) again.")
        })
        await server.appendRoute("POST /run", handler: guarded(true) { request in
            guard let lesson = Self.lesson(of: request, in: session) else { return Self.unknownLesson }
            // The same checks as --set: every problem, at its place, before anything runs.
            let assignments = String(decoding: try await request.bodyData, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
            var source = session.source(lesson)
            source.assignments = assignments
            let problems: [Diagnostic]
            do {
                let parsed = try source.parse()
                problems = NotebookRunner().check(parsed.notebook, bindings: parsed.bindings)
            } catch let error as Diagnostics {
                problems = error.all
            }
            if !problems.isEmpty { return Self.text(problems.map(\.description).joined(separator: "\n"), status: .badRequest) }
            session.request(.parameters(assignments), lesson: lesson)
            return Self.text("Running with " + (assignments.isEmpty ? "the notebook's values." : assignments.joined(separator: ", ")))
        })
        await server.appendRoute("GET /page", handler: guarded(false) { request in
            guard let html = session.page(named: request.query["name"] ?? "") else { return Self.text("Not rendered yet.", status: .notFound) }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8", HTTPHeader("Cache-Control"): "no-store"], body: Data(html.utf8))
        })
        await server.appendRoute("GET /") { request in
            if let refusal = access.refusal(request, changesState: false) { return refusal }
            if request.query.contains(where: { $0.name == "token" }) {
                // As Jupyter does: the token moves from the URL into a cookie for this host only.
                var headers = HTTPHeaders()
                headers[HTTPHeader("Location")] = "/"
                headers[HTTPHeader("Set-Cookie")] = "\(PreviewAccess.cookie)=\(access.token); Path=/; HttpOnly; SameSite=Strict"
                return HTTPResponse(statusCode: .seeOther, headers: headers)
            }
            return Self.livePage(session.pageName("") ?? PreviewSession.indexPage, session: session)
        }
        await server.appendRoute("GET *") { request in
            if let refusal = access.refusal(request, changesState: false) { return refusal }
            // A lesson's page (and a course's index) is the live page; everything else is a file.
            let path = String(request.path.dropFirst())
            if let page = session.pageName(path.removingPercentEncoding ?? path) { return Self.livePage(page, session: session) }
            guard let path = files.file(for: request.path), let data = FileManager.default.contents(atPath: path) else {
                return Self.text("Not found.", status: .notFound)
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: PreviewFiles.contentType(path)], body: data)
        }
    }

    static func livePage(_ name: String, session: PreviewSession) -> HTTPResponse {
        HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8", HTTPHeader("Cache-Control"): "no-store"],
                     body: Data(PreviewPage.html(session: session, page: name).utf8))
    }

    /// The lesson a control names (`?lesson=STEM`); a single lesson's controls may leave it out.
    static func lesson(of request: HTTPRequest, in session: PreviewSession) -> Int? {
        session.lesson(named: request.query["lesson"] ?? "")
    }

    static let unknownLesson = text("No lesson of this preview has that name.", status: .notFound)

    static func text(_ text: String, status: HTTPStatusCode = .ok) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "text/plain; charset=utf-8"], body: Data((text + "\n").utf8))
    }
}

public struct PreviewError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
