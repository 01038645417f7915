import Foundation
import LecternRender
import LecternRunner
import Synchronization

/// The lesson behind a preview: rendered once, then again whenever its file is saved or a page asks
/// (run a cell again, other parameters, resume), always on one thread of its own, one run at a time.
/// Each run writes the transcript exactly as `lectern run` does; the pages then fetch it.
public final class PreviewSession: Sendable {
    public enum Request: Sendable, Equatable {
        /// Run the cells again whose results are not cached (after a save).
        case rerun
        /// Run this cell even if cached (`--refresh`).
        case refresh(String)
        /// Run with these `name=value` assignments in place of the command line's.
        case parameters([String])
        /// Continue an interrupted training from its checkpoint (`--resume`).
        case resume
    }

    private struct State {
        var source: LessonSource
        var pending: [Request] = []
        var running = false
        var finished = false
        /// The transcript so far while a run goes on (HTML, never written to a file).
        var livePage: String?
    }

    public let events: PreviewEvents
    let output: TranscriptOutput
    let options: ExecutionOptions
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let externalStop: @Sendable () -> Bool
    private let terminal: (any ProgressReporter)?
    private let report: @Sendable (RenderedLesson) -> Void

    /// `externalStop`: Ctrl-C in the terminal; `report` hears every rendering (the command line prints it).
    public init(source: LessonSource, output: TranscriptOutput, options: ExecutionOptions = ExecutionOptions(), events: PreviewEvents = PreviewEvents(),
                terminal: (any ProgressReporter)? = nil, externalStop: @escaping @Sendable () -> Bool = { false },
                report: @escaping @Sendable (RenderedLesson) -> Void = { _ in }) {
        self.state = Mutex(State(source: source))
        self.output = output
        self.options = options
        self.events = events
        self.terminal = terminal
        self.externalStop = externalStop
        self.report = report
    }

    /// The notebook and the parameter values of the next run.
    public var source: LessonSource { state.withLock { $0.source } }

    /// The HTML transcript the pages show.
    public var htmlPath: String {
        let stem = URL(fileURLWithPath: source.path).deletingPathExtension().lastPathComponent
        return (output.folder as NSString).appendingPathComponent(stem + ".html")
    }

    public var isRunning: Bool { state.withLock { $0.running } }

    /// The page to show: the transcript so far while a run goes on, else the one written last (nil before the first).
    public var currentPage: String? {
        state.withLock { $0.livePage } ?? (try? String(contentsOfFile: htmlPath, encoding: .utf8))
    }

    /// Starts the thread that runs the lesson, and watches the notebook (and its parameters file) every `interval` seconds.
    public func start(interval: Double = 0.25) {
        let thread = Thread { [self] in self.loop(interval: interval) }
        thread.name = "lectern-preview"
        thread.stackSize = 16 << 20
        thread.start()
    }

    public func request(_ request: Request) {
        state.withLock { state in
            if !state.pending.contains(request) { state.pending.append(request) }
        }
        wake.signal()
    }

    /// Stops the cell running at its next safe point, as Ctrl-C does (training writes a checkpoint first).
    public func stop() { stopRequested.store(true, ordering: .relaxed) }

    /// Ends the thread after the run in progress.
    public func finish() {
        state.withLock { $0.finished = true }
        stop()
        wake.signal()
    }

    private func loop(interval: Double) {
        var seen = signature()
        render(.rerun)
        while !state.withLock({ $0.finished }) {
            _ = wake.wait(timeout: .now() + interval)
            let now = signature()
            if now != seen {
                seen = now
                request(.rerun)
            }
            guard let next = state.withLock({ state -> Request? in state.pending.isEmpty ? nil : state.pending.removeFirst() }) else { continue }
            render(next)
        }
    }

    private func render(_ request: Request) {
        stopRequested.store(false, ordering: .relaxed)
        var options = self.options
        if case let .parameters(assignments) = request { state.withLock { $0.source.assignments = assignments } }
        if case let .refresh(cell) = request { options.refresh.insert(cell) }
        if request == .resume { options.resume = true }
        state.withLock { $0.running = true }
        events.status("Running \(source.path)…")
        let started = Date()
        let renderer = output.renderer
        let execution = Execution(options: options, progress: LiveProgress(events: events, terminal: terminal),
                                  isInterrupted: { [self] in self.stopRequested.load(ordering: .relaxed) || self.externalStop() },
                                  partialTranscript: { [self] partial in
                                      let html = renderer.render(partial)
                                      self.state.withLock { $0.livePage = html }
                                      self.events.pageChanged()
                                  })
        let rendered = LessonRendering(execution: execution, output: output).render(source)
        state.withLock {
            $0.running = false
            $0.livePage = nil
        }
        report(rendered)
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        if let failure = rendered.outputFailure {
            events.status("The transcript could not be written: \(failure)")
        } else if let transcript = rendered.transcript {
            let interrupted = stopRequested.load(ordering: .relaxed)
            events.status(interrupted ? "Stopped after \(seconds) s; the checkpoint is kept (Resume continues from it)."
                          : transcript.status == .ok ? "Rendered in \(seconds) s." : "Finished in \(seconds) s with problems: see the page.")
            events.pageChanged()
        } else {
            events.status(rendered.problems.map(\.description).joined(separator: "\n"))
        }
    }

    /// The notebook's and its parameters file's save signatures.
    private func signature() -> [String] {
        let source = self.source
        return SaveSignature.of([source.path] + (source.parametersFile.map { [$0] } ?? []))
    }
}
