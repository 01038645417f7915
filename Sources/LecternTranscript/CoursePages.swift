import Foundation
import LecternMarkdown

/// The pages a course site adds to its lessons' transcripts: the index (every lesson with its
/// status, time and headline metric, and a search over the lessons that works from `file://`) and
/// the execution report (per lesson and cell: status, time, from the cache or computed and why,
/// and the data and model hashes).
public enum CoursePages {
    public struct Lesson: Sendable {
        public var transcript: Transcript
        /// The lesson's page, relative to the site folder.
        public var page: String
        /// Its printed handout, when the site has them.
        public var pdf: String?

        public init(transcript: Transcript, page: String, pdf: String? = nil) {
            self.transcript = transcript
            self.page = page
            self.pdf = pdf
        }
    }

    public static func index(title: String, lessons: [Lesson], coursePDF: String? = nil) -> String {
        let escape = Formatting.escapeHTML
        var rows = ""
        for (number, lesson) in lessons.enumerated() {
            let transcript = lesson.transcript
            rows += "<li><h2><a href=\"\(escape(lesson.page))\">\(number + 1). \(InlineMarkdown.html(transcript.title))</a></h2>"
                + "<p class=\"meta\"><span class=\"badge \(transcript.status.rawValue)\">\(escape(transcript.statusLabel))</span> · "
                + "\(escape(Formatting.duration(transcript.seconds)))" + cacheNote(transcript) + computeNote(transcript) + (headline(transcript).map { " · \(escape($0))" } ?? "")
                + (lesson.pdf.map { " · <a href=\"\(escape($0))\">PDF</a>" } ?? "") + "</p>"
                + (firstParagraph(transcript).map { "<p>\(escape($0))</p>" } ?? "") + "</li>\n"
        }
        let entries = lessons.flatMap { $0.transcript.searchEntries(page: $0.page) }
        let index = Formatting.scriptJSON(.array(entries.map { entry in
            .object([("href", .string(entry.href)), ("lesson", .string(entry.lesson)), ("title", .string(entry.title)), ("text", .string(entry.text))])
        }))
        return page(title: InlineMarkdown.plainText(title), body: """
            <h1>\(InlineMarkdown.html(title))</h1>
            <p class="meta">\(lessons.count) lesson\(lessons.count == 1 ? "" : "s") · <a href="report.html">Execution report</a>\(coursePDF.map { " · <a href=\"\(escape($0))\">The whole course as PDF</a>" } ?? "")</p>
            <section class="search" role="search">
            <label for="search">Search the lessons</label>
            <input id="search" type="search" placeholder="a word from the text or the results">
            <p id="search-status" role="status"></p>
            <ol id="results"></ol>
            </section>
            <ol class="lessons">
            \(rows)</ol>
            <script id="search-index" type="application/json">\(index)</script>
            <script>\(searchScript)</script>
            """)
    }

    public static func report(title: String, lessons: [Lesson], frozen: Bool) -> String {
        let escape = Formatting.escapeHTML
        var body = "<h1>Execution report</h1>\n<p class=\"meta\"><a href=\"index.html\">\(InlineMarkdown.html(title))</a> · "
            + (frozen ? "built with --frozen: no cell that the cache stores was run" : "built by running every lesson, reusing cached cells") + "</p>\n"
        for lesson in lessons {
            let transcript = lesson.transcript
            let records = transcript.directiveRecords
            let cached = records.filter(\.cached).count
            body += "<h2><a href=\"\(escape(lesson.page))\">\(InlineMarkdown.html(transcript.title))</a></h2>\n"
                + "<p class=\"meta\"><span class=\"badge \(transcript.status.rawValue)\">\(escape(transcript.statusLabel))</span> · "
                + "\(escape(Formatting.duration(transcript.seconds)))\(computeNote(transcript)) · <code>\(escape(transcript.notebook))</code> · "
                + "\(cached) of \(records.count) cells from the cache</p>\n"
            let inputs = transcript.runInfo.filter { $0.label.hasPrefix("Data") || $0.label.hasPrefix("Model") }
            if !inputs.isEmpty {
                body += "<ul class=\"inputs\">" + inputs.map { "<li>\(escape($0.label)): <code>\(escape($0.value))</code></li>" }.joined() + "</ul>\n"
            }
            for problem in transcript.diagnostics { body += "<pre class=\"error\">\(escape(problem))</pre>\n" }
            body += "<table><thead><tr><th>Cell</th><th>Status</th><th class=\"num\">Time</th><th>Result</th></tr></thead><tbody>\n"
            for record in records {
                let result = record.cached ? (record.computedNote ?? "from the cache") : record.status == .skipped ? (record.skipReason ?? "not run")
                    : "computed: " + (record.computedBecause ?? "")
                body += "<tr><td><a href=\"\(escape(lesson.page))#\(record.anchor)\"><code>\(escape(record.directive))</code> line \(record.line)</a></td>"
                    + "<td><span class=\"badge \(record.status.rawValue)\">\(escape(record.statusLabel))</span></td>"
                    + "<td class=\"num\">\(record.seconds.map { escape(Formatting.duration($0)) } ?? "")</td>"
                    + "<td>\(escape(result))\(record.error.map { "<pre class=\"error\">\(escape($0))</pre>" } ?? "")</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        return page(title: "Execution report · " + InlineMarkdown.plainText(title), body: body)
    }

    /// " (2 of 3 cells from the cache)": the time above is then mostly rendering, not computing.
    static func cacheNote(_ transcript: Transcript) -> String {
        let records = transcript.directiveRecords
        let cached = records.filter(\.cached).count
        return cached == 0 ? "" : " (\(cached) of \(records.count) cells from the cache)"
    }

    /// " · computed in 15.5 s": what the lesson's cells cost when they ran, beside this build's time,
    /// when some came from the cache (and each of those knows).
    static func computeNote(_ transcript: Transcript) -> String {
        let records = transcript.directiveRecords
        guard records.contains(where: \.cached) else { return "" }
        let costs = records.filter { $0.status != .skipped }.map(\.computeSeconds)
        guard !costs.contains(where: { $0 == nil }) else { return "" }
        return " · computed in " + Formatting.escapeHTML(Formatting.duration(costs.reduce(0) { $0 + ($1 ?? 0) }))
    }

    /// The last reported metric with "accuracy" in its name, else the last cell's first metric: "eval_accuracy 0.8250".
    static func headline(_ transcript: Transcript) -> String? {
        for record in transcript.directiveRecords.reversed() {
            guard case let .object(metrics)? = record.outputs["metrics"] else { continue }
            let numbers = metrics.compactMap { entry -> (String, Double)? in
                if case let .double(value) = entry.value, !entry.key.contains("runtime"), !entry.key.contains("per_second") { return (entry.key, value) }
                return nil
            }
            guard let chosen = numbers.first(where: { $0.0.contains("accuracy") }) ?? numbers.first else { continue }
            return "\(chosen.0) \(String(format: "%.4f", chosen.1))"
        }
        return nil
    }

    /// The text of the lesson's first paragraph.
    static func firstParagraph(_ transcript: Transcript) -> String? {
        for cell in transcript.cells {
            guard case let .prose(_, html, _) = cell, let start = html.range(of: "<p>"),
                  let end = html.range(of: "</p>", range: start.upperBound..<html.endIndex) else { continue }
            let inner = String(html[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
            let text = inner.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
            return Formatting.excerpt(text.split(whereSeparator: \.isNewline).joined(separator: " "), limit: 400)
        }
        return nil
    }

    private static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="Lectern">
        <title>\(Formatting.escapeHTML(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        <main class="page">
        \(body)
        </main>
        </body>
        </html>

        """
    }

    static let style = """
        :root { --bg: #fff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --accent: #0969da;
          --ok: #1a7f37; --error: #cf222e; --skipped: #9a6700; color-scheme: light dark; }
        @media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d;
          --panel: #151b23; --accent: #4493f8; --ok: #3fb950; --error: #f85149; --skipped: #d29922; } }
        body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.6 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
        .page { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
        a { color: var(--accent); }
        h1 { font-size: 2rem; margin: 0 0 .5rem; } h2 { font-size: 1.25rem; margin: 1.5rem 0 .25rem; }
        .meta { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
        ol.lessons { list-style: none; padding: 0; } ol.lessons li { border-bottom: 1px solid var(--border); padding-bottom: .5rem; }
        .badge { display: inline-block; border-radius: 2rem; padding: 0 .6rem; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
        .badge.ok { color: var(--ok); } .badge.error, .badge.invalid { color: var(--error); } .badge.skipped, .badge.interrupted { color: var(--skipped); }
        .search { margin: 1rem 0; padding: .75rem 1rem; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; }
        .search label { display: block; font-weight: 600; }
        input[type=search] { width: 100%; font: inherit; padding: .4rem .6rem; border: 1px solid var(--border); border-radius: 4px; background: var(--bg); color: var(--fg); }
        #results .snippet { color: var(--muted); font-size: .9rem; }
        table { border-collapse: collapse; display: block; overflow-x: auto; font-size: .925rem; }
        th, td { border: 1px solid var(--border); padding: .3rem .6rem; text-align: left; vertical-align: top; }
        th { background: var(--panel); } .num { text-align: right; font-variant-numeric: tabular-nums; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
        pre.error { white-space: pre-wrap; color: var(--error); margin: .25rem 0; }
        ul.inputs { font-size: .85rem; word-break: break-all; }
        """

    /// Finds entries holding every word typed, in the index embedded in the page (no server, no request).
    static let searchScript = """
        (function () {
          var entries = JSON.parse(document.getElementById("search-index").textContent);
          var box = document.getElementById("search"), list = document.getElementById("results"), status = document.getElementById("search-status");
          box.addEventListener("input", function () {
            var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
            list.textContent = "";
            if (!words.length) { status.textContent = ""; return; }
            var hits = entries.filter(function (e) {
              var text = (e.title + " " + e.text).toLowerCase();
              return words.every(function (w) { return text.indexOf(w) >= 0; });
            });
            status.textContent = hits.length + (hits.length === 1 ? " place" : " places") + " found";
            hits.slice(0, 50).forEach(function (e) {
              var item = document.createElement("li"), link = document.createElement("a"), snippet = document.createElement("div");
              link.href = e.href; link.textContent = e.lesson + " · " + e.title;
              var at = e.text.toLowerCase().indexOf(words[0]);
              snippet.className = "snippet";
              snippet.textContent = (at > 60 ? "… " : "") + e.text.slice(Math.max(0, at - 60), Math.max(0, at) + 140) + " …";
              item.appendChild(link); item.appendChild(snippet); list.appendChild(item);
            });
          });
        })();
        """
}
