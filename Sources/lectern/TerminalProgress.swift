import Foundation
import LecternRunner

/// Progress on standard error: a redrawn bar with count, rate and ETA on a terminal;
/// plain lines at most every ten seconds otherwise (CI logs, pipes).
final class TerminalProgress: ProgressReporter, @unchecked Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var started = Date()
    private var lastPlainLine = Date.distantPast
    private var barShown = false

    func cellStarted(index: Int, of total: Int, directive: String, line: Int) {
        lock.withLock {
            started = Date()
            lastPlainLine = .distantPast
            emit("[\(index)/\(total)] \(directive) (line \(line))")
        }
    }

    func cellFinished(directive: String, status: String, seconds: Double, summary: String?) {
        lock.withLock {
            clearBar()
            emit("      \(directive): \(status) in \(String(format: "%.2f", seconds)) s")
        }
    }

    func progress(done: Int, total: Int, unit: String, note: String?) {
        lock.withLock {
            let elapsed = Date().timeIntervalSince(started)
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let remaining = rate > 0 ? Double(total - done) / rate : 0
            let status = "\(done)/\(total) \(unit) · \(String(format: "%.1f", rate)) \(unit)/s · ETA \(Self.clock(remaining))" + (note.map { " · \($0)" } ?? "")
            if isTerminal {
                let width = 24
                let filled = total > 0 ? min(width, width * done / total) : 0
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                FileHandle.standardError.write(Data("\r\u{1B}[2K      \(bar) \(status)".utf8))
                barShown = true
            } else if Date().timeIntervalSince(lastPlainLine) >= 10 || done == total {
                lastPlainLine = Date()
                emit("      \(status)")
            }
        }
    }

    private func clearBar() {
        if barShown {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            barShown = false
        }
    }

    private func emit(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
