import Foundation
import LecternTranscript

/// Why a transcript could not be written at all: no template, or a file that could not be written.
public struct OutputFailure: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// The HTML template a lesson's transcripts are rendered with.
public enum TranscriptTemplate {
    /// `explicit` (`--template`), else the project's `templates/transcript.html.mustache` found from the
    /// notebook's folder, the current folder or lectern's own folder, or one of their parents.
    public static func renderer(explicit: String?, notebook: String, executableFolder: String) throws(OutputFailure) -> HTMLTranscriptRenderer {
        let notebookFolder = URL(fileURLWithPath: notebook).deletingLastPathComponent().path
        guard let path = explicit ?? TranscriptWriter.findTemplate(from: [notebookFolder, FileManager.default.currentDirectoryPath, executableFolder]) else {
            throw OutputFailure("cannot find templates/transcript.html.mustache near the notebook, the current folder or lectern itself; pass --template FILE.")
        }
        do { return try HTMLTranscriptRenderer(templateAt: path) } catch { throw OutputFailure("\(error)") }
    }
}
