import Foundation
import LecternNotebook
import LecternRunner
import LecternTranscript

/// One lesson through the stages: parse, execute, write. What `lectern run` and `lectern watch` do for
/// a notebook; the command line only maps its options onto this and prints the outcome.
public struct LessonRendering {
    public var execution: Execution
    public var output: TranscriptOutput

    public init(execution: Execution, output: TranscriptOutput) {
        self.execution = execution
        self.output = output
    }

    /// Runs the lesson once and writes its transcript as `STEM.*` (the notebook's name unless `stem` is
    /// given; `titleSuffix` tells variants apart; `site` gives a course page its navigation). A notebook
    /// that cannot be parsed still gets a transcript saying why; only a missing file gets none.
    public func render(_ source: LessonSource, stem: String? = nil, titleSuffix: String = "", site: SiteNavigation? = nil) -> RenderedLesson {
        var result = RenderedLesson()
        let stem = stem ?? URL(fileURLWithPath: source.path).deletingPathExtension().lastPathComponent
        if let clash = output.clash(stem: stem, notebook: source.path) {
            result.outputFailure = clash
            return result
        }
        var transcript: Transcript
        do {
            let lesson = try source.parse()
            result.lesson = lesson
            transcript = execution.run(lesson)
        } catch {
            guard FileManager.default.fileExists(atPath: source.path) else {
                result.problems = error.all
                return result
            }
            transcript = Execution.rejected(source.path, problems: error.all)
        }
        transcript.title += titleSuffix
        result.transcript = transcript
        do { result.written = try output.write(transcript, stem: stem, lesson: result.lesson, site: site) } catch { result.outputFailure = error }
        return result
    }

    /// Every combination of the swept values (`--set name=a,b`) as `STEM-sweep-N`, then the page comparing
    /// them, `STEM-sweep`. `announce` hears each variant as it starts, `finished` each rendering as it ends. An interruption ends the sweep after
    /// the variant it stopped; the page compares the variants that ran.
    public func sweep(_ source: LessonSource, _ sweep: Sweep, announce: (String) -> Void = { _ in },
                      finished: (RenderedLesson) -> Void = { _ in }) -> SweepOutcome {
        let stem = URL(fileURLWithPath: source.path).deletingPathExtension().lastPathComponent
        let started = Date(), clock = ContinuousClock.now
        let combinations = sweep.variants
        var outcome = SweepOutcome()
        var compared: [SweepReport.Variant] = []
        for (number, settings) in combinations.enumerated() {
            let label = settings.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            announce("Variant \(number + 1) of \(combinations.count): \(label)")
            var variant = source
            variant.assignments = sweep.fixed + settings.map { "\($0.name)=\($0.value)" }
            let variantStem = "\(stem)-sweep-\(number + 1)"
            let rendered = render(variant, stem: variantStem, titleSuffix: " (\(label))")
            outcome.variants.append(rendered)
            finished(rendered)
            if let transcript = rendered.transcript {
                compared.append(SweepReport.Variant(settings: settings, transcript: transcript, link: variantStem + ".html"))
            }
            if execution.isInterrupted() { break }
        }
        let title = (outcome.variants.lazy.compactMap { $0.lesson?.notebook.title }.first ?? stem) + ": sweep"
        let elapsed = ContinuousClock.now - clock
        let comparison = SweepReport.transcript(title: title, notebook: source.path, variants: compared,
                                                runInfo: RunFacts.current(notebook: source.path), startedAt: started,
                                                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        do {
            outcome.comparison = try TranscriptWriter(folder: output.folder, renderer: output.renderer).write(comparison, stem: "\(stem)-sweep")
        } catch {
            outcome.outputFailure = OutputFailure("\(error)")
        }
        return outcome
    }
}

/// What rendering one lesson gave.
public struct RenderedLesson {
    /// The parsed lesson, when it could be parsed (the ipynb export and the sweep page use it).
    public var lesson: ParsedLesson?
    /// The transcript; nil when the notebook file does not exist (`problems` says so) or its transcript would
    /// replace it (`outputFailure`).
    public var transcript: Transcript?
    /// Why there is no transcript.
    public var problems: [Diagnostic] = []
    /// The files written: HTML, Markdown, JSON, then the ipynb if asked for.
    public var written: [String] = []
    /// Why the transcript's files could not be written (nothing ran when there is no transcript).
    public var outputFailure: OutputFailure?

    public init() {}
}

/// What a sweep gave: each variant's rendering, and the comparison page's files.
public struct SweepOutcome {
    public var variants: [RenderedLesson] = []
    public var comparison: [String] = []
    public var outputFailure: OutputFailure?

    public init() {}
}
