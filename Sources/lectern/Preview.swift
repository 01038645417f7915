import ArgumentParser
import Foundation
import Synchronization
import LecternNotebook
import LecternPreview
import LecternRender
import LecternRunner
import LecternTranscript

/// `lectern preview LESSON.md` (or a course folder): the transcript live in the browser while the lesson
/// runs and while it is written, as `quarto preview` and Jupyter show a notebook.
struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a notebook's transcript, or a course folder's site, on this machine and update it live: on every save, and while cells run (Ctrl-C to stop).",
        discussion: "Only this machine can reach it (127.0.0.1), and only with the printed URL's token. The page has controls to stop a run (as Ctrl-C: training keeps a checkpoint), resume it, run a cell again and change the notebook's parameters. A notebook's output folder gets exactly what `lectern run` writes; a course folder's (default: site) what `lectern build` writes.")

    @OptionGroup var options: NotebookOptions
    @OptionGroup var rendering: RenderOptions

    @Option(help: ArgumentHelp("The port to listen on (default: a free one).", valueName: "port"))
    var port: UInt16 = 0

    func run() throws {
        var isFolder: ObjCBool = false
        let subject: PreviewSession.Subject
        let firstLesson: String
        if FileManager.default.fileExists(atPath: options.notebook, isDirectory: &isFolder), isFolder.boolValue {
            guard options.assignments.isEmpty, options.parametersFile == nil else {
                printError("error: --set and --params give one notebook's parameters; preview that notebook, or change them in the page's form.")
                throw ExitCode(2)
            }
            let course: Course
            do { course = try Course.load(folder: options.notebook) } catch {
                report(error.all)
                throw ExitCode(1)
            }
            (subject, firstLesson) = (.course(course), course.lessons[0])
        } else {
            (subject, firstLesson) = (.lesson(options.source), options.notebook)
        }
        let isCourse = if case .course = subject { true } else { false }
        guard let lesson = rendering.rendering(for: firstLesson, course: isCourse) else { throw ExitCode(2) }
        let quiet = rendering.quiet
        let session = PreviewSession(subject, output: lesson.output, options: lesson.execution.options,
                                     terminal: quiet ? nil : TerminalProgress(), externalStop: { Interruption.requested },
                                     report: { _ = report($0, quiet: quiet) })
        let server = try PreviewServer(session: session, port: port)
        let started = DispatchSemaphore(value: 0)
        let address = Mutex<Result<String, any Error>?>(nil)
        Task {
            do {
                let url = try await server.start()
                address.withLock { $0 = .success(url) }
            } catch {
                address.withLock { $0 = .failure(error) }
            }
            started.signal()
        }
        started.wait()
        switch address.withLock({ $0 }) {
        case let .success(url)?:
            // Written at once (not buffered), so that a script or an editor reading the output gets the address.
            FileHandle.standardOutput.write(Data("Previewing \(options.notebook) at \(url)\nOpen that address in a browser on this machine; Ctrl-C stops.\n".utf8))
        case let .failure(error)?:
            printError("error: the preview server cannot start: \(error)")
            throw ExitCode(2)
        case nil:
            throw ExitCode(2)
        }
        session.start()
        while !Interruption.requested { Thread.sleep(forTimeInterval: 0.2) }
        // The first Ctrl-C stops the run at its next safe point; wait for it, then close the server.
        session.finish()
        while session.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        let closed = DispatchSemaphore(value: 0)
        Task {
            await server.stop()
            closed.signal()
        }
        closed.wait()
        if let status = Interruption.exitStatus { throw ExitCode(status) }
    }
}
