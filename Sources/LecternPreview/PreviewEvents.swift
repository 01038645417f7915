import FlyingFox
import Foundation
import Synchronization

/// What the open pages hear, as JSON over the event socket: a new transcript (`page`, with its version),
/// and the run's progress (`status`) as the terminal shows it. Every open tab gets every event; a tab that
/// closes only leaves the list.
public final class PreviewEvents: Sendable {
    private struct State {
        var version = 0
        var status = "Starting…"
        var listeners: [UUID: AsyncStream<WSMessage>.Continuation] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Page `page` (a lesson's name, or the course's index) is new: the tabs showing it fetch it.
    public func pageChanged(_ page: String) {
        let version = state.withLock { state -> Int in
            state.version += 1
            return state.version
        }
        send(["type": "page", "version": version, "page": page])
    }

    /// The run's state in one line ("train: 37/100 steps · loss 0.5217").
    public func status(_ text: String) {
        state.withLock { $0.status = text }
        send(["type": "status", "text": text])
    }

    /// A row of the training log of page `page`'s lesson, the moment the Trainer makes it: keys and values in the Trainer's order.
    public func logRow(_ row: [(key: String, value: Double)], page: String) {
        // `sent`: when, in milliseconds since 1970, so that a page can tell how late its row arrived.
        send(["type": "log", "page": page, "keys": row.map(\.key), "values": row.map(\.value), "sent": (Date().timeIntervalSince1970 * 1000).rounded()])
    }

    public var version: Int { state.withLock { $0.version } }
    public var currentStatus: String { state.withLock { $0.status } }

    /// A new page's stream of events, starting with where things are.
    func subscribe() -> AsyncStream<WSMessage> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<WSMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.listeners.removeValue(forKey: id) } }
        let (version, status) = state.withLock { state -> (Int, String) in
            state.listeners[id] = continuation
            return (state.version, state.status)
        }
        continuation.yield(.text(Self.json(["type": "status", "text": status])))
        continuation.yield(.text(Self.json(["type": "page", "version": version])))
        return stream
    }

    var listenerCount: Int { state.withLock { $0.listeners.count } }

    private func send(_ event: [String: Any]) {
        let message = WSMessage.text(Self.json(event))
        for listener in state.withLock({ Array($0.listeners.values) }) { listener.yield(message) }
    }

    static func json(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// The event socket: each page gets the events; what a page sends is ignored (controls are POST requests).
struct EventSocket: WSMessageHandler {
    let events: PreviewEvents

    func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
        let stream = events.subscribe()
        Task { for await _ in client {} }
        return stream
    }
}
