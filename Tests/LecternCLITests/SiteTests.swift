import Foundation
import LecternTestSupport
import Testing

/// `lectern build`: a folder of lessons as one site (index, navigation, search, execution report)
/// and `--frozen`, run as a course author would.
struct SiteTests {
    let folder = ScratchFolder()
    let checkpoint = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path

    init() {
        folder.writeTinyNews(rows: 24)
        folder.write("lessons/course.yaml", "title: Tiny course\nlessons:\n  - start.md\n  - data.md\n  - model.md\n")
        folder.write("lessons/start.md", "# Welcome\n\nThis course begins with a narwhal.\n\nNext: [the data](data.md#the-data), and [the notes](../notes.txt).\n\n"
                     + "See [the guide](../docs/guide.md#setup), ![a plot](figures/plot.png) and [a lost page](gone.md).\n")
        folder.write("notes.txt", "Notes beside the lessons.\n")
        folder.write("docs/guide.md", "# The guide\n\n## Setup\n\nA [screenshot](shots/screen.png), [the notes](../notes.txt), [the web](https://example.org/).\n")
        folder.write("docs/shots/screen.png", "not really a PNG")
        folder.write("lessons/figures/plot.png", "not really a PNG either")
        folder.write("lessons/data.md", "# The data\n\nWe load the zebrafish articles.\n\n```load\ndataset: ../data/tiny_news\nsplit: train\ntest_size: 0.25\n```\n")
        folder.write("lessons/model.md", modelLesson(rate: "1e-3", prose: "A quokka trains a model."))
    }

    func modelLesson(rate: String, prose: String) -> String {
        """
        # Training

        \(prose)

        ```load
        dataset: ../data/tiny_news
        split: train
        test_size: 0.25
        ```

        ```tokenize
        model: \(checkpoint)
        ```

        ```train
        num_train_epochs: 1
        learning_rate: \(rate)
        output_dir: results
        ```

        ```evaluate
        ```

        ```predict
        text: Body of train article number 3.
        ```

        """
    }

    func build(_ extra: [String] = []) throws -> LecternProcess.Result {
        try LecternProcess.run(["build", "lessons", "--out", "site", "--template", LecternProcess.template] + extra, in: folder.path)
    }

    @Test func aFolderBecomesALinkedSearchableSite() throws {
        let result = try build()
        #expect(result.status == 0, "\(result.standardError)")
        let pages = ["index.html", "report.html", "start.html", "data.html", "model.html"]
        var contents: [String: String] = [:]
        for page in pages {
            let html = folder.read("site/" + page)
            #expect(html != nil, "\(page) is missing")
            contents[page] = html
        }

        // Every link between the pages resolves, anchors included.
        let link = try Regex(##"\shref="([^"#:]+)(?:#([^"]+))?""##)
        for (page, html) in contents {
            for match in html.matches(of: link) {
                let target = String(match.output[1].substring!), anchor = match.output[2].substring.map(String.init)
                let linked = try #require(contents[target] ?? folder.read("site/" + target), "\(page) links to \(target), which is missing")
                if let anchor { #expect(linked.contains("id=\"\(anchor)\""), "\(page) links to \(target)#\(anchor)") }
            }
        }
        // Prose links written beside the notebook lead to the same places from the site.
        #expect(contents["start.html"]!.contains("<a href=\"data.html#the-data\">the data</a>"))
        #expect(contents["start.html"]!.contains("<a href=\"files/up/notes.txt\">the notes</a>"))
        #expect(contents["start.html"]!.contains("<a href=\"files/up/docs/guide.html#setup\">the guide</a>"))
        #expect(contents["start.html"]!.contains("<a data-missing-href=\"gone.md\">a lost page</a>"))
        #expect(result.standardError.contains("warning: lessons/start.md:7: the link to gone.md leads to no file"), "\(result.standardError)")
        // The index lists the lessons in course.yaml's order, with their titles and first paragraphs.
        let index = contents["index.html"]!
        let positions = ["Welcome", "The data", "Training"].map { index.range(of: "\($0)</a></h2>")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions == positions.sorted { $0! < $1! })
        #expect(index.contains("This course begins with a narwhal."))
        #expect(index.contains("eval_accuracy "), "the training lesson's headline metric")
        // The search index finds a word from each lesson's prose and one from an output, on the right page.
        let json = try #require(index.firstMatch(of: try Regex(##"<script id="search-index" type="application/json">((?s).*?)</script>"##))?.output[1].substring)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]])
        for (word, page) in [("narwhal", "start.html"), ("zebrafish", "data.html"), ("quokka", "model.html"), ("sci/tech", "model.html")] {
            #expect(entries.contains { $0["href"]!.hasPrefix(page) && $0["text"]!.lowercased().contains(word) }, "\(word)")
        }
        // Lesson pages carry the course navigation, with the previous and next lessons.
        let data = contents["data.html"]!
        #expect(data.contains("<a href=\"start.html\" rel=\"prev\">") && data.contains("<a href=\"model.html\" rel=\"next\">"))
        #expect(data.contains("aria-current=\"page\">The data</a>"))
        // The report says, per cell, what ran and why.
        #expect(contents["report.html"]!.contains("computed: no stored result for its inputs"))
    }

    /// The site travels: copied elsewhere with its sources gone, every local link and image in every page,
    /// the copied documents' included, still leads to a file inside it.
    @Test func aSiteCopiedElsewhereKeepsEveryLink() throws {
        #expect(try build().status == 0)
        let moved = ScratchFolder()
        try FileManager.default.copyItem(atPath: folder.path + "/site", toPath: moved.path + "/site")
        for source in ["lessons", "docs", "notes.txt"] { try FileManager.default.removeItem(atPath: folder.path + "/" + source) }
        let root = URL(fileURLWithPath: moved.path + "/site").standardizedFileURL
        let pages = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".html") }
        #expect(pages.contains("files/up/docs/guide.html"))
        let link = try Regex(##"\s(?:href|src)="([^"#?]+)"##)
        var checked = 0
        for page in pages {
            let html = try String(contentsOfFile: root.path + "/" + page, encoding: .utf8)
            for match in html.matches(of: link) {
                let target = String(match.output[1].substring!)
                if target.contains("://") || target.hasPrefix("mailto:") { continue }
                let resolved = root.appendingPathComponent(page).deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
                #expect(resolved.path.hasPrefix(root.path + "/"), "\(page) links out of the site: \(target)")
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(page) links to \(target), which is missing")
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    /// Only the course's project (the lessons folder's parent) is copied: a link to a file elsewhere, by
    /// an absolute path or through a symbolic link, is refused with a warning, and nothing of it is in the site.
    @Test func filesOutsideTheProjectStayOutOfTheSite() throws {
        let elsewhere = ScratchFolder()
        let secret = elsewhere.write("secret.txt", "not for the site")
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/lessons/escape.txt", withDestinationPath: secret)
        folder.write("lessons/start.md", "# Welcome\n\nSee [this](\(secret)) and [that](escape.txt).\n")
        let result = try build()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("warning: lessons/start.md:3: the link to \(secret) leads out of the course's project folder"))
        #expect(result.standardError.contains("the link to escape.txt leads out of the course's project folder"))
        let start = try #require(folder.read("site/start.html"))
        #expect(start.contains("data-missing-href=\"\(secret)\"") && start.contains("data-missing-href=\"escape.txt\""))
        let copied = FileManager.default.enumerator(atPath: folder.path + "/site")!.compactMap { $0 as? String }
        #expect(!copied.contains { $0.hasSuffix("secret.txt") || $0.hasSuffix("escape.txt") })
    }

    @Test func frozenRendersFromTheCacheAndRefusesChangedInputs() throws {
        #expect(try build().status == 0)
        folder.write("lessons/model.md", modelLesson(rate: "1e-3", prose: "A quokka trains a model, said better."))
        let frozen = try build(["--frozen"])
        #expect(frozen.status == 0, "\(frozen.standardError)")
        #expect(frozen.standardOutput.contains(", 3 cells from the cache, 3 run"), "\(frozen.standardOutput)")
        let json = try #require(folder.read("site/model.json"))
        let cells = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["cells"] as? [[String: Any]])
        #expect(cells.filter { $0["cached"] as? Bool == true }.compactMap { $0["directive"] as? String } == ["train", "evaluate", "predict"])
        #expect(folder.read("site/model.html")?.contains("said better") == true)

        folder.write("lessons/model.md", modelLesson(rate: "2e-3", prose: "A quokka trains a model, said better."))
        let changed = try build(["--frozen"])
        #expect(changed.status == 1)
        #expect(changed.standardError.contains("lessons/model.md:15:4: error: --frozen: this cell's result is not in the cache"), "\(changed.standardError)")
        #expect(changed.standardOutput.contains("failed: lessons/model.md"))
    }

    /// Where Chromium and poppler-utils are installed (CI installs them: `make test-packages`).
    static let canPrint = ["chromium", "pdfunite", "pdfinfo"].allSatisfy { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    static func pages(_ pdf: String) throws -> Int {
        let info = Process()
        info.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        info.arguments = ["pdfinfo", pdf]
        let output = Pipe()
        info.standardOutput = output
        try info.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        info.waitUntilExit()
        return Int(text.firstMatch(of: /Pages:\s+(\d+)/)?.output.1 ?? "") ?? 0
    }

    @Test(.enabled(if: canPrint, "needs chromium and poppler-utils"))
    func pdfHandoutsForEachLessonAndTheCourse() throws {
        let result = try build(["--pdf"])
        #expect(result.status == 0, "\(result.standardError)")
        var total = 0
        // A page of prose and run details; the data table and chart; and the whole lesson with its plots.
        for (lesson, expected) in [("start", 1...2), ("data", 1...4), ("model", 4...10)] {
            let pages = try Self.pages(folder.path + "/site/\(lesson).pdf")
            #expect(expected.contains(pages), "\(lesson).pdf has \(pages) pages")
            total += pages
        }
        #expect(try Self.pages(folder.path + "/site/course.pdf") == total)
        #expect(folder.read("site/index.html")?.contains("<a href=\"course.pdf\">") == true)
    }

    /// The Python with Selenium and axe-core that `make test-packages` sets up.
    static let accessibilityPython: String? = {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["LECTERN_A11Y_PYTHON"] ?? (environment["HOME"] ?? "") + "/.cache/lectern-a11y/bin/python"
        return FileManager.default.isExecutableFile(atPath: path) && canPrint && FileManager.default.fileExists(atPath: "/usr/bin/chromedriver") ? path : nil
    }()

    /// axe-core in headless Chromium finds no serious or critical violation on any page, at 1280 px
    /// and at 360 px, and no page is wider than a 360 px phone.
    @Test(.enabled(if: accessibilityPython != nil, "needs chromium-driver and the accessibility venv (make test-packages)"))
    func theSitePassesAnAccessibilityCheckInTheBrowser() throws {
        #expect(try build().status == 0)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: Self.accessibilityPython!)
        check.arguments = [repositoryRoot.appendingPathComponent("Tests/reference/check_accessibility.py").path, folder.path + "/site"]
        let output = Pipe()
        check.standardOutput = output
        check.standardError = FileHandle.nullDevice
        try check.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(text)")
        #expect(text.contains("{\"pages\": 5, \"problems\": 0}"), "\(text)")
    }

    @Test func aCourseFileThatNamesAMissingLessonIsAnError() throws {
        folder.write("lessons/course.yaml", "title: Tiny course\nlessons:\n  - start.md\n  - missing.md\n")
        let result = try build()
        #expect(result.status == 1)
        #expect(result.standardError.contains("course.yaml:4:5: error: There is no notebook `missing.md` in this folder."), "\(result.standardError)")
    }
}
