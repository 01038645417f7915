import ArgumentParser

/// `lectern run NOTEBOOK`: run every cell and write the transcript.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a notebook and write its transcript (HTML, Markdown, JSON).")

    @OptionGroup var options: NotebookOptions
    @OptionGroup var rendering: RenderOptions

    @Flag(help: "Continue interrupted training: `train` cells start from the newest checkpoint in their output_dir.")
    var resume = false

    func run() throws {
        let status = render(options, rendering, resume: resume)
        if status != 0 { throw ExitCode(status) }
    }
}
