import Foundation
import LecternNotebook
import LecternRunner
import LecternTranscript

/// How cells run: the choices `lectern run` and `lectern build` give on the command line.
public struct ExecutionOptions: Sendable {
    /// Reuse and store results in `.lectern/cache` beside the notebook (false: `--no-cache`).
    public var cache: Bool
    /// Cells to run even when cached (`--refresh`): directive names or the line of a cell's fence.
    public var refresh: Set<String>
    /// Every cell the cache stores must come from it (`--frozen`).
    public var frozen: Bool
    /// After a failure, still run the cells that do not depend on the failed one.
    public var keepGoing: Bool
    /// `train` cells continue from the newest checkpoint in their `output_dir` (`--resume`).
    public var resume: Bool

    public init(cache: Bool = true, refresh: Set<String> = [], frozen: Bool = false, keepGoing: Bool = false, resume: Bool = false) {
        self.cache = cache
        self.refresh = refresh
        self.frozen = frozen
        self.keepGoing = keepGoing
        self.resume = resume
    }
}

/// Stage 2, execute: a parsed lesson's cells run in order, with the cell cache, into a transcript.
public struct Execution: Sendable {
    public var options: ExecutionOptions
    public var progress: any ProgressReporter
    /// Whether the user asked the run to stop (Ctrl-C): cells stop at their next safe point.
    public var isInterrupted: @Sendable () -> Bool
    /// Hears the transcript so far as each cell starts (a live view); nil: nobody listens.
    public var partialTranscript: (@Sendable (Transcript) -> Void)?

    public init(options: ExecutionOptions = ExecutionOptions(), progress: any ProgressReporter = SilentProgress(),
                isInterrupted: @escaping @Sendable () -> Bool = { false }, partialTranscript: (@Sendable (Transcript) -> Void)? = nil) {
        self.options = options
        self.progress = progress
        self.isInterrupted = isInterrupted
        self.partialTranscript = partialTranscript
    }

    /// The lesson's transcript, with the facts of this machine and run.
    public func run(_ lesson: ParsedLesson) -> Transcript {
        let path = lesson.notebook.path
        var context = RunContext(notebookPath: path, baseFolder: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                 seed: lesson.seed, progress: progress, isInterrupted: isInterrupted, resume: options.resume,
                                 cache: options.cache ? CellCache(besideNotebook: path) : nil, refresh: options.refresh,
                                 frozen: options.frozen)
        if let hear = partialTranscript {
            context.partialTranscript = { @Sendable (partial: Transcript) in
                var annotated = partial
                RunFacts.annotate(&annotated)
                hear(annotated)
            }
        }
        var transcript = NotebookRunner(keepGoing: options.keepGoing).run(lesson.notebook, bindings: lesson.bindings, context: context,
                                                                          runInfo: RunFacts.current(notebook: path))
        RunFacts.annotate(&transcript)
        return transcript
    }

    /// The transcript of a notebook that could not be parsed: it says why, and nothing ran.
    public static func rejected(_ path: String, problems: [Diagnostic]) -> Transcript {
        var transcript = NotebookRunner.rejected(notebookPath: path, problems: problems, runInfo: RunFacts.current(notebook: path))
        RunFacts.annotate(&transcript)
        return transcript
    }
}
