import ArgumentParser
import Foundation
import LecternRender

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
        let status = sweep.isSweep ? runSweep(sweep) : render(options, rendering, resume: resume)
        if status != 0 { throw ExitCode(status) }
    }

    /// Each variant as `STEM-sweep-N`, then the comparison page `STEM-sweep`; returns the worst status.
    func runSweep(_ sweep: Sweep) -> Int32 {
        guard let lessonRendering = rendering.rendering(for: options.notebook, resume: resume) else { return 2 }
        var worst: Int32 = 0
        let outcome = lessonRendering.sweep(options.source, sweep, announce: { if !rendering.quiet { print($0) } },
                                            finished: { worst = max(worst, report($0, quiet: rendering.quiet)) })
        if let failure = outcome.outputFailure {
            printError("error: \(failure)")
            return 2
        }
        if !rendering.quiet { print("Compared \(outcome.variants.filter { $0.transcript != nil }.count) variants: \(outcome.comparison[0])") }
        return worst
    }
}
