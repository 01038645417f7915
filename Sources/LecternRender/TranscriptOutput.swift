import Foundation
import LecternExport
import LecternFiles
import LecternRunner
import LecternTranscript

/// Stage 3, the writers: a transcript as `STEM.html`, `STEM.md` and `STEM.json`, and on request as a
/// Jupyter notebook of the equivalent Hugging Face code with Lectern's outputs (`STEM.ipynb`). Each
/// file is written whole or not at all.
public struct TranscriptOutput: Sendable {
    public var folder: String
    public var renderer: HTMLTranscriptRenderer
    /// Also write `STEM.ipynb` (`--to ipynb`).
    public var ipynb: Bool

    public init(folder: String, renderer: HTMLTranscriptRenderer, ipynb: Bool = false) {
        self.folder = folder
        self.renderer = renderer
        self.ipynb = ipynb
    }

    /// Writes the files and returns their paths. The ipynb needs the parsed lesson (a notebook that could
    /// not be parsed or planned has none); `site` adds a course site's navigation to the HTML.
    public func write(_ transcript: Transcript, stem: String, lesson: ParsedLesson?, site: SiteNavigation? = nil) throws(OutputFailure) -> [String] {
        if let clash = clash(stem: stem, notebook: transcript.notebook) { throw clash }
        do {
            var paths = try TranscriptWriter(folder: folder, renderer: renderer).write(transcript, stem: stem, site: site)
            if ipynb, let lesson, case let .success(arguments) = NotebookRunner().resolvedArguments(lesson.notebook, bindings: lesson.bindings) {
                let path = (folder as NSString).appendingPathComponent(stem + ".ipynb")
                let notebook = NotebookExport.ipynb(lesson.notebook, arguments: arguments, transcript: transcript, seed: lesson.seed,
                                                    version: LecternVersion.current)
                try AtomicFile.write(notebook.serialized(), to: path)
                paths.append(path)
            }
            return paths
        } catch {
            throw OutputFailure("\(error)")
        }
    }

    /// The Markdown transcript `STEM.md` would replace the notebook itself when the output folder is the
    /// notebook's own (`--out .` beside `lesson.md`): refused before anything runs or is written.
    public func clash(stem: String, notebook: String) -> OutputFailure? {
        let transcript = URL(fileURLWithPath: (folder as NSString).appendingPathComponent(stem + ".md")).resolvingSymlinksInPath().path
        guard transcript == URL(fileURLWithPath: notebook).resolvingSymlinksInPath().path else { return nil }
        return OutputFailure("the Markdown transcript \(stem).md would replace the notebook \(notebook) itself; choose another folder with --out.")
    }
}
