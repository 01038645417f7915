import ArgumentParser
import Foundation
import LecternRender

/// `lectern watch NOTEBOOK`: render, then render again whenever the notebook (or its parameters
/// file) is saved. With the cell cache, an edit to prose or to a late cell re-renders at once.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render a notebook now and again each time it is saved (Ctrl-C to stop).")

    @OptionGroup var options: NotebookOptions
    @OptionGroup var rendering: RenderOptions

    @Option(help: ArgumentHelp("Seconds between checks for changes.", valueName: "seconds"))
    var interval = 0.5

    func run() throws {
        Interruption.install()
        let watched = [options.notebook] + (options.parametersFile.map { [$0] } ?? [])
        print("Watching \(watched.joined(separator: ", ")); the transcript is file://\(rendering.htmlPath(for: options.notebook)). Ctrl-C stops.")
        var seen = SaveSignature.of(watched)
        renderAndReport()
        while !Interruption.requested {
            Thread.sleep(forTimeInterval: interval)
            let now = SaveSignature.of(watched)
            guard now != seen else { continue }
            seen = now
            print("\(watched[0]) changed; rendering.")
            renderAndReport()
        }
    }

    private func renderAndReport() {
        let clock = ContinuousClock.now
        let status = render(options, rendering)
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(String(format: "%@ in %.2f s. Waiting for changes…", status == 0 ? "Done" : "Finished with problems (above)", seconds))
    }
}
