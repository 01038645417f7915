import Foundation
import LecternRunner

/// Progress for the open pages as well as the terminal: each cell's start and end, and a long cell's
/// steps, sent as one status line at most every 0.2 s (the terminal keeps its own pace).
public final class LiveProgress: ProgressReporter, @unchecked Sendable {
    private let events: PreviewEvents
    /// The page of the lesson running, so that only its tabs draw its log.
    private let page: String
    private let terminal: (any ProgressReporter)?
    private let lock = NSLock()
    private var cell = ""
    private var lastSent = Date.distantPast

    public init(events: PreviewEvents, page: String, terminal: (any ProgressReporter)?) {
        self.events = events
        self.page = page
        self.terminal = terminal
    }

    public func cellStarted(index: Int, of total: Int, directive: String, line: Int) {
        terminal?.cellStarted(index: index, of: total, directive: directive, line: line)
        let text = "[\(index)/\(total)] \(directive) (line \(line)) running…"
        lock.withLock { cell = "[\(index)/\(total)] \(directive)" }
        events.status(text)
    }

    public func cellFinished(directive: String, status: String, seconds: Double, summary: String?) {
        terminal?.cellFinished(directive: directive, status: status, seconds: seconds, summary: summary)
        events.status("\(directive): \(status) in \(String(format: "%.2f", seconds)) s")
    }

    public func logged(_ row: [(key: String, value: Double)]) {
        events.logRow(row, page: page)
    }

    public func progress(done: Int, total: Int, unit: String, note: String?) {
        terminal?.progress(done: done, total: total, unit: unit, note: note)
        let text: String? = lock.withLock {
            guard Date().timeIntervalSince(lastSent) >= 0.2 || done == total else { return nil }
            lastSent = Date()
            return "\(cell): \(done)/\(total) \(unit)" + (note.map { " · \($0)" } ?? "")
        }
        if let text { events.status(text) }
    }
}
