import Foundation
import LecternNotebook
import LecternRender
import LecternRunner
import LecternTranscript
import Synchronization

/// The lesson, or the course's lessons, behind a preview: rendered once, then again whenever a file is
/// saved or a page asks (run a cell again, other parameters, resume), always on one thread of its own,
/// one run at a time. Each run writes what `lectern run` (a lesson) or `lectern build` (a course: with the
/// site's navigation, index and report) writes; the pages then fetch it.
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

    /// What is previewed: one notebook, or a course folder as `lectern build` makes its site.
    public enum Subject: Sendable {
        case lesson(LessonSource)
        case course(Course)
    }

    /// The name of the course's front page among the pages (`page(named:)`).
    public static let indexPage = "index"

    private struct State {
        var sources: [LessonSource]
        /// The course's site, or nil for a single lesson.
        var layout: CourseLayout?
        var pending: [(lesson: Int, request: Request)] = []
        var running: Int?
        var finished = false
        /// The transcript so far of the lesson running (HTML, never written to a file).
        var livePage: (lesson: Int, html: String)?
        /// Each lesson's latest transcript, for the course's index and report.
        var transcripts: [Int: Transcript] = [:]
    }

    public let events: PreviewEvents
    let output: TranscriptOutput
    let options: ExecutionOptions
    /// The course folder, when the subject is one.
    let courseFolder: String?
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let externalStop: @Sendable () -> Bool
    private let terminal: (any ProgressReporter)?
    private let report: @Sendable (RenderedLesson) -> Void

    /// `externalStop`: Ctrl-C in the terminal; `report` hears every rendering (the command line prints it).
    public init(_ subject: Subject, output: TranscriptOutput, options: ExecutionOptions = ExecutionOptions(), events: PreviewEvents = PreviewEvents(),
                terminal: (any ProgressReporter)? = nil, externalStop: @escaping @Sendable () -> Bool = { false },
                report: @escaping @Sendable (RenderedLesson) -> Void = { _ in }) {
        switch subject {
        case let .lesson(source):
            state = Mutex(State(sources: [source]))
            courseFolder = nil
        case let .course(course):
            state = Mutex(State(sources: course.lessons.map { LessonSource(path: $0) }, layout: CourseLayout(course: course, siteFolder: output.folder)))
            courseFolder = course.folder
        }
        self.output = output
        self.options = options
        self.events = events
        self.terminal = terminal
        self.externalStop = externalStop
        self.report = report
    }

    /// Lesson `lesson`'s notebook and the parameter values of its next run.
    public func source(_ lesson: Int = 0) -> LessonSource { state.withLock { $0.sources[lesson] } }

    /// The folders whose files the pages may load: the lessons' folders and the output folder.
    public var servedFolders: [String] {
        let lessons = state.withLock { $0.sources.map { URL(fileURLWithPath: $0.path).deletingLastPathComponent().path } }
        return Array(Set(lessons)).sorted() + [output.folder]
    }

    /// Each lesson's page name (its notebook's name without `.md`), in order.
    public var pageNames: [String] { state.withLock { $0.sources.map { Self.stem($0.path) } } }

    public var isCourse: Bool { courseFolder != nil }

    /// The page a request path names, by its name in the events: a lesson's `STEM` (also as `STEM.html`),
    /// a course's `indexPage` (also `index.html`); the empty path is the first page (the index, or the
    /// lesson). Nil when it names no page.
    public func pageName(_ path: String) -> String? {
        let name = path.hasSuffix(".html") ? String(path.dropLast(5)) : path
        if isCourse, name.isEmpty || name == Self.indexPage { return Self.indexPage }
        if name.isEmpty { return pageNames.first }
        return pageNames.contains(name) ? name : nil
    }

    /// The lesson of a page name (`STEM`; the empty name, for a single lesson, is its lesson).
    public func lesson(named name: String) -> Int? {
        guard let page = pageName(name), page != Self.indexPage || !isCourse else { return nil }
        return pageNames.firstIndex(of: page)
    }

    public var isRunning: Bool { state.withLock { $0.running != nil } }

    /// The HTML of page `name` (`pageName`): a lesson's transcript so far while it runs, else the one
    /// written last; a course's index. Nil before the first rendering.
    public func page(named name: String) -> String? {
        guard let page = pageName(name) else { return nil }
        if isCourse, page == Self.indexPage { return try? String(contentsOfFile: (output.folder as NSString).appendingPathComponent("index.html"), encoding: .utf8) }
        guard let lesson = pageNames.firstIndex(of: page) else { return nil }
        if let live = state.withLock({ $0.livePage }), live.lesson == lesson { return live.html }
        return try? String(contentsOfFile: htmlPath(lesson), encoding: .utf8)
    }

    /// Starts the thread that runs the lessons, and watches their files every `interval` seconds.
    public func start(interval: Double = 0.25) {
        let thread = Thread { [self] in self.loop(interval: interval) }
        thread.name = "lectern-preview"
        thread.stackSize = 16 << 20
        thread.start()
    }

    public func request(_ request: Request, lesson: Int = 0) {
        state.withLock { state in
            if !state.pending.contains(where: { $0 == (lesson, request) }) { state.pending.append((lesson, request)) }
        }
        wake.signal()
    }

    /// Stops the cell running at its next safe point, as Ctrl-C does (training writes a checkpoint first);
    /// lessons waiting their turn do not start.
    public func stop() {
        state.withLock { $0.pending.removeAll() }
        stopRequested.store(true, ordering: .relaxed)
    }

    /// Ends the thread after the run in progress.
    public func finish() {
        state.withLock { $0.finished = true }
        stop()
        wake.signal()
    }

    private func loop(interval: Double) {
        var seen = signatures()
        for lesson in pageNames.indices { request(.rerun, lesson: lesson) }
        while !state.withLock({ $0.finished }) {
            let next = state.withLock { state -> (lesson: Int, request: Request)? in state.pending.isEmpty ? nil : state.pending.removeFirst() }
            if let next { render(next.request, lesson: next.lesson) } else { _ = wake.wait(timeout: .now() + interval) }
            let now = signatures()
            guard now != seen else { continue }
            if now.course != seen.course { reloadCourse() }
            for (lesson, signature) in now.lessons.enumerated() where lesson >= seen.lessons.count || seen.lessons[lesson] != signature {
                request(.rerun, lesson: lesson)
            }
            seen = now
        }
    }

    /// course.yaml or the folder's notebooks changed: the course is read again and every lesson renders again
    /// (the cache keeps that cheap). A course that no longer reads keeps the old one, saying why.
    private func reloadCourse() {
        guard let folder = courseFolder else { return }
        let course: Course
        do { course = try Course.load(folder: folder) } catch {
            events.status(error.all.map(\.description).joined(separator: "\n"))
            return
        }
        state.withLock { state in
            let kept = Dictionary(state.sources.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            state.sources = course.lessons.map { kept[$0] ?? LessonSource(path: $0) }
            state.layout = CourseLayout(course: course, siteFolder: output.folder)
            state.transcripts = [:]
            state.pending = course.lessons.indices.map { ($0, .rerun) }
        }
    }

    private func render(_ request: Request, lesson: Int) {
        stopRequested.store(false, ordering: .relaxed)
        var options = self.options
        if case let .refresh(cell) = request { options.refresh.insert(cell) }
        if request == .resume { options.resume = true }
        let (source, layout) = state.withLock { state -> (LessonSource, CourseLayout?) in
            if case let .parameters(assignments) = request { state.sources[lesson].assignments = assignments }
            state.running = lesson
            return (state.sources[lesson], state.layout)
        }
        let page = Self.stem(source.path)
        events.status("Running \(source.path)…")
        let started = Date()
        let renderer = output.renderer
        let navigation = layout?.navigation(at: lesson)
        let execution = Execution(options: options, progress: LiveProgress(events: events, page: page, terminal: terminal),
                                  isInterrupted: { [self] in self.stopRequested.load(ordering: .relaxed) || self.externalStop() },
                                  partialTranscript: { [self] partial in
                                      let html = renderer.render(partial, site: navigation)
                                      self.state.withLock { $0.livePage = (lesson, html) }
                                      self.events.pageChanged(page)
                                  })
        let rendered = LessonRendering(execution: execution, output: output).render(source, site: navigation)
        let frontPages = state.withLock { state -> [CoursePages.Lesson]? in
            state.running = nil
            state.livePage = nil
            guard let layout = state.layout, let transcript = rendered.transcript else { return nil }
            state.transcripts[lesson] = transcript
            return state.transcripts.keys.sorted().map { CoursePages.Lesson(transcript: state.transcripts[$0]!, page: layout.page($0)) }
        }
        report(rendered)
        var failure = rendered.outputFailure.map { "\($0)" }
        if let frontPages, let layout {
            do { try layout.writeFrontPages(frontPages) } catch { failure = "\(error)" }
            events.pageChanged(Self.indexPage)
        }
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        let name = isCourse ? page + ": " : ""
        if let failure {
            events.status("\(name)The transcript could not be written: \(failure)")
        } else if let transcript = rendered.transcript {
            let interrupted = stopRequested.load(ordering: .relaxed)
            events.status(name + (interrupted ? "Stopped after \(seconds) s; the checkpoint is kept (Resume continues from it)."
                                  : transcript.status == .ok ? "Rendered in \(seconds) s." : "Finished in \(seconds) s with problems: see the page."))
            events.pageChanged(page)
        } else {
            events.status(name + rendered.problems.map(\.description).joined(separator: "\n"))
        }
    }

    private func htmlPath(_ lesson: Int) -> String {
        (output.folder as NSString).appendingPathComponent(pageNames[lesson] + ".html")
    }

    private static func stem(_ path: String) -> String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    /// The save signatures of each lesson's files (notebook and parameters file) and, for a course, of
    /// course.yaml and the folder's list of notebooks.
    private func signatures() -> (course: [String], lessons: [[String]]) {
        let sources = state.withLock { $0.sources }
        let lessons = sources.map { SaveSignature.of([$0.path] + ($0.parametersFile.map { [$0] } ?? [])) }
        guard let folder = courseFolder else { return ([], lessons) }
        let notebooks = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
        return (SaveSignature.of([(folder as NSString).appendingPathComponent(Course.fileName)]) + notebooks, lessons)
    }
}
