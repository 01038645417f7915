import Foundation
import LecternFiles
import LecternMarkdown

/// The local files a course's lessons link to (documents, images, data samples), copied into the
/// site so that it travels, as Quarto copies a project's resources: each gets a place under
/// `files/`, named after the link as written (`../docs/performance.md` becomes
/// `files/up/docs/performance.html`), a Markdown file is rendered to an HTML page whose own links
/// are placed the same way, and a link to no file is reported instead of left dangling.
public final class SiteResources: @unchecked Sendable {
    public let siteFolder: String
    /// Only files inside this folder are copied (the course folder's parent: the project, as Quarto
    /// copies a project's files only), so a lesson cannot carry any file of the machine into a site.
    public let projectFolder: String
    /// Files linked from Markdown pages are followed up to this many in all.
    static let limit = 500
    private let lock = NSLock()
    /// Source file → its place, relative to the site folder.
    private var places: [String: String] = [:]
    /// Place → source file, to keep two sources from one place.
    private var sources: [String: String] = [:]
    private var pending: [(source: String, place: String)] = []
    /// Links that lead to no file, or to one outside the project: as written, the folder they were written from, and why.
    public private(set) var missing: [(link: String, folder: String, reason: String)] = []

    public init(siteFolder: String, projectFolder: String) {
        self.siteFolder = siteFolder
        self.projectFolder = URL(fileURLWithPath: projectFolder).standardizedFileURL.path
    }

    /// The place in the site (relative to its folder) of the file `link` names from `folder`; nil
    /// when there is no such file (the link is noted in `missing`).
    public func place(_ link: String, from folder: String, under base: String = "") -> String? {
        let source = URL(fileURLWithPath: link.hasPrefix("/") ? link : (folder as NSString).appendingPathComponent(link)).standardizedFileURL.path
        var isFolder: ObjCBool = false
        lock.lock()
        defer { lock.unlock() }
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder), !isFolder.boolValue else {
            missing.append((link, folder, "leads to no file"))
            return nil
        }
        // Symbolic links resolved, so that none leads out of the project either.
        guard URL(fileURLWithPath: source).resolvingSymlinksInPath().path.hasPrefix(projectFolder + "/") else {
            missing.append((link, folder, "leads out of the course's project folder \(projectFolder)"))
            return nil
        }
        if let known = places[source] { return known }
        guard places.count < Self.limit else {
            missing.append((link, folder, "is beyond the \(Self.limit) files a site copies"))
            return nil
        }
        var place = "files/" + Self.name(base.isEmpty ? link : base + "/" + link)
        if source.hasSuffix(".md") { place = String(place.dropLast(3)) + ".html" }
        var attempt = 2
        let wanted = place
        while let other = sources[place], other != source {
            place = "files/\(attempt)/" + wanted.dropFirst("files/".count)
            attempt += 1
        }
        places[source] = place
        sources[place] = source
        pending.append((source, place))
        return place
    }

    /// A link as written, as a path inside `files/`: `.` dropped, `..` (and a leading `/`) as `up`
    /// or `root`, so that nothing climbs out of the site.
    static func name(_ link: String) -> String {
        var parts: [String] = []
        for component in link.split(separator: "/") where component != "." && !component.isEmpty {
            if component == "..", let last = parts.last, last != "up" { parts.removeLast() } else { parts.append(component == ".." ? "up" : String(component)) }
        }
        return (link.hasPrefix("/") ? ["root"] + parts : parts).joined(separator: "/")
    }

    /// Copies every placed file into the site, rendering Markdown (and placing what it links to).
    /// Returns the places written.
    @discardableResult
    public func write() throws -> [String] {
        var written: [String] = []
        while let (source, place) = nextPending() {
            let target = (siteFolder as NSString).appendingPathComponent(place)
            try AtomicFile.makeFolder((target as NSString).deletingLastPathComponent)
            if source.hasSuffix(".md") {
                let text = (try? String(contentsOfFile: source, encoding: .utf8)) ?? ""
                try AtomicFile.write(page(markdown: text, source: source, place: place), to: target)
            } else if let data = FileManager.default.contents(atPath: source) {
                try AtomicFile.write(data, to: target)
            }
            written.append(place)
        }
        return written
    }

    private func nextPending() -> (String, String)? {
        lock.lock()
        defer { lock.unlock() }
        return pending.isEmpty ? nil : pending.removeFirst()
    }

    /// A Markdown file as a page of the site: its HTML, its title from its first heading, and its
    /// relative links placed in the site too (and written relative to this page).
    func page(markdown: String, source: String, place: String) -> String {
        let document = MarkdownDocument(markdown)
        let title = document.blocks.first.map(\.plainText) ?? (source as NSString).lastPathComponent
        let folder = (source as NSString).deletingLastPathComponent, placeFolder = (place as NSString).deletingLastPathComponent
        let base = String(placeFolder.dropFirst("files".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        // Each block's HTML, headings with the ids the lessons' pages give theirs, so that `page.md#section` links land.
        var anchors = AnchorNames()
        let html = document.blocks.map { block -> String in
            let html = document.html(of: block)
            guard case let .heading(level, text) = block.kind else { return html }
            return html.replacingOccurrences(of: "<h\(level)>", with: "<h\(level) id=\"\(anchors.next(Formatting.slug(text)))\">")
        }.joined()
        let body = Self.relink(html) { link in
            self.place(link, from: folder, under: base).map { SiteNavigation.relativePath(to: "/" + $0, from: "/" + placeFolder) }
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Formatting.escapeHTML(title))</title>
            <style>
            body { margin: 0 auto; max-width: 60rem; padding: 1.5rem 1rem 4rem; font: 16px/1.6 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
            pre, table { display: block; overflow-x: auto; } code { overflow-wrap: anywhere; } img { max-width: 100%; }
            </style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }

    /// Rewrites each relative or absolute-path `href` and `src` of `html` with `place`; a link
    /// `place` cannot place keeps its text but loses its target (`data-missing`).
    static func relink(_ html: String, place: (String) -> String?) -> String {
        let pattern = /(href|src)="([^"#:?]+)((?:[#?][^"]*)?)"/
        return html.replacing(pattern) { match in
            let (attribute, path, rest) = (match.output.1, String(match.output.2), match.output.3)
            guard let placed = place(path) else { return "data-missing-\(attribute)=\"\(path)\(rest)\"" }
            return "\(attribute)=\"\(placed)\(rest)\""
        }
    }
}
