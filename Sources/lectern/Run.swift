import ArgumentParser
import Foundation
import LecternRunner
import LecternTranscript

/// `lectern run NOTEBOOK`: run every cell and write the transcript. With `--set name=a,b` it runs
/// every combination of the swept values and writes a page comparing them (`STEM-sweep.html`).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a notebook and write its transcript (HTML, Markdown, JSON).")

    @OptionGroup var options: NotebookOptions
    @OptionGroup var rendering: RenderOptions

    @Flag(help: "Continue interrupted training: `train` cells start from the newest checkpoint in their output_dir.")
    var resume = false

    func run() throws {
        let sweep = Sweep(assignments: options.assignments)
        let status = sweep.isSweep ? runSweep(sweep) : render(options, rendering, resume: resume).status
        if status != 0 { throw ExitCode(status) }
    }

    /// Each variant as `STEM-sweep-N`, then the comparison page `STEM-sweep`; returns the worst status.
    func runSweep(_ sweep: Sweep) -> Int32 {
        let stem = URL(fileURLWithPath: options.notebook).deletingPathExtension().lastPathComponent
        let started = Date(), clock = ContinuousClock.now
        let combinations = sweep.variants
        var variants: [SweepReport.Variant] = []
        var worst: Int32 = 0
        for (number, settings) in combinations.enumerated() {
            let label = settings.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            if !rendering.quiet { print("Variant \(number + 1) of \(combinations.count): \(label)") }
            var variantOptions = options
            variantOptions.assignments = sweep.fixed + settings.map { "\($0.name)=\($0.value)" }
            let variantStem = "\(stem)-sweep-\(number + 1)"
            let (status, transcript) = render(variantOptions, rendering, resume: resume, stem: variantStem, titleSuffix: " (\(label))")
            worst = max(worst, status)
            if let transcript { variants.append(SweepReport.Variant(settings: settings, transcript: transcript, link: variantStem + ".html")) }
            if Interruption.requested { break }
        }
        guard let renderer = transcriptRenderer(for: options.notebook, template: rendering.template) else { return 2 }
        let title = ((try? options.load().0.title) ?? stem) + ": sweep"
        let elapsed = ContinuousClock.now - clock
        let comparison = SweepReport.transcript(title: title, notebook: options.notebook, variants: variants,
                                                runInfo: RunInfo.current(notebook: options.notebook), startedAt: started,
                                                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        do {
            let paths = try TranscriptWriter(folder: rendering.outputFolder, renderer: renderer).write(comparison, stem: "\(stem)-sweep")
            if !rendering.quiet { print("Compared \(variants.count) variants: \(paths[0])") }
        } catch {
            printError("error: \(error)")
            return 2
        }
        return worst
    }
}
