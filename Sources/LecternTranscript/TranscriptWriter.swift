import Foundation
import LecternFiles

/// Writes a transcript's three renderings (`STEM.html`, `STEM.md`, `STEM.json`) into a folder,
/// each atomically.
public struct TranscriptWriter {
    public var folder: String
    public var renderer: HTMLTranscriptRenderer

    public init(folder: String, renderer: HTMLTranscriptRenderer) {
        self.folder = folder
        self.renderer = renderer
    }

    /// Writes the files and returns their paths (HTML, Markdown, JSON); the Markdown's charts go
    /// into `STEM_files/` beside it, before the Markdown that links them. `site` adds a course
    /// site's navigation to the HTML.
    @discardableResult
    public func write(_ transcript: Transcript, stem: String, site: SiteNavigation? = nil) throws(AtomicFile.WriteError) -> [String] {
        let paths = ["html", "md", "json"].map { (folder as NSString).appendingPathComponent("\(stem).\($0)") }
        try AtomicFile.write(renderer.render(transcript, site: site), to: paths[0])
        let markdown = transcript.markdown(stem: stem)
        for file in markdown.files {
            try AtomicFile.write(file.contents, to: (folder as NSString).appendingPathComponent(file.path))
        }
        try AtomicFile.write(markdown.text, to: paths[1])
        try AtomicFile.write(transcript.json.serialized(), to: paths[2])
        return paths
    }

    /// The template the project ships: `templates/transcript.html.mustache` in the first of
    /// `startFolders` or their parents that has one.
    public static func findTemplate(from startFolders: [String]) -> String? {
        for start in startFolders {
            var folder = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("templates/transcript.html.mustache").path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }
}
