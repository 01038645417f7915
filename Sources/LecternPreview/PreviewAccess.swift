import FlyingFox
import Foundation
import Synchronization

/// Who may use the preview, as Jupyter's server decides it: only this machine (the server listens on the
/// loopback address), only a browser that has the random token (from the printed URL, then a cookie),
/// only under the server's own host name (against DNS rebinding), and state changes (running, stopping,
/// the event socket) only from the server's own pages (the Origin header).
public final class PreviewAccess: Sendable {
    public let token: String
    private let port = Mutex<UInt16>(0)
    static let cookie = "lectern-preview-token"

    public init(token: String = PreviewAccess.randomToken()) {
        self.token = token
    }

    /// 32 random bytes as hexadecimal.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The port, once the server listens.
    public var listeningPort: UInt16 {
        get { port.withLock { $0 } }
        set { port.withLock { $0 = newValue } }
    }

    /// The host names a request may carry: the loopback address and `localhost`, with the server's port.
    var hosts: Set<String> { ["127.0.0.1:\(listeningPort)", "localhost:\(listeningPort)"] }

    /// Why the request is refused (403), or nil when it may go on. `changesState`: it runs or stops
    /// something, or opens the event socket.
    func refusal(_ request: HTTPRequest, changesState: Bool) -> HTTPResponse? {
        guard let host = request.headers[.host], hosts.contains(host.lowercased()) else {
            return Self.forbidden("This preview answers only at 127.0.0.1:\(listeningPort) or localhost:\(listeningPort).")
        }
        guard let given = Self.token(in: request), Self.equal(given, token) else {
            return Self.forbidden("Open the preview with the URL `lectern preview` printed: it carries the access token.")
        }
        if changesState {
            guard let origin = request.headers[HTTPHeader("Origin")], hosts.contains(where: { "http://" + $0 == origin.lowercased() }) else {
                return Self.forbidden("Only the preview's own page may run or stop the lesson.")
            }
        }
        return nil
    }

    /// The token from the query (`?token=`), the `X-Lectern-Token` header or the cookie.
    static func token(in request: HTTPRequest) -> String? {
        if let query = request.query.first(where: { $0.name == "token" })?.value { return query }
        if let header = request.headers[HTTPHeader("X-Lectern-Token")] { return header }
        for part in (request.headers[HTTPHeader("Cookie")] ?? "").split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == cookie { return String(pair[1]) }
        }
        return nil
    }

    /// Compares in time independent of where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func forbidden(_ message: String) -> HTTPResponse {
        HTTPResponse(statusCode: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"], body: Data((message + "\n").utf8))
    }
}
