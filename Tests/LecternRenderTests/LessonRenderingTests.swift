import Foundation
import LecternNotebook
import LecternRender
import LecternRunner
import LecternTestSupport
import LecternTranscript
import Testing

/// The rendering library's stages driven in-process, as `lectern run` drives them: parse, execute, write.
struct LessonRenderingTests {
    let folder = ScratchFolder()
    let template = repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path

    init() {
        folder.writeTinyNews(rows: 24)
        folder.write("lessons/data.md", """
            ---
            params:
              share: 0.25
            ---
            # The data

            ```load
            #| label: load
            dataset: ../data/tiny_news
            split: train
            test_size: ${share}
            ```

            We hold out ${share} of the articles: ${load.num_rows.test} of them.

            """)
    }

    func rendering(ipynb: Bool = false) throws -> LessonRendering {
        let renderer = try TranscriptTemplate.renderer(explicit: template, notebook: folder.path + "/lessons/data.md", executableFolder: "/")
        return LessonRendering(execution: Execution(), output: TranscriptOutput(folder: folder.path + "/out", renderer: renderer, ipynb: ipynb))
    }

    @Test func aLessonIsParsedRunAndWrittenInEveryFormat() throws {
        let rendered = try rendering(ipynb: true).render(LessonSource(path: folder.path + "/lessons/data.md", assignments: ["share=0.5"]))
        let transcript = try #require(rendered.transcript)
        #expect(transcript.status == .ok)
        #expect(rendered.written.map { ($0 as NSString).lastPathComponent } == ["data.html", "data.md", "data.json", "data.ipynb"])
        for path in rendered.written { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
        // The override reached the cell and the prose; the prose quotes the cell's result.
        let markdown = try #require(folder.read("out/data.md"))
        #expect(markdown.contains("We hold out 0.5 of the articles: 12 of them."), "\(markdown)")
        let ipynb = try #require(folder.read("out/data.ipynb"))
        #expect(ipynb.contains("We hold out 0.5 of the articles: 12 of them."))
        // The machine's facts are in the run header.
        #expect(transcript.runInfo.contains { $0.label == "Machine" && $0.value.contains(RunFacts.operatingSystem) })
    }

    @Test func aNotebookThatCannotBeParsedGetsATranscriptSayingWhy() throws {
        folder.write("lessons/broken.md", "---\nparams: [unclosed\n---\n# Broken\n")
        let rendered = try rendering().render(LessonSource(path: folder.path + "/lessons/broken.md"))
        let transcript = try #require(rendered.transcript)
        #expect(transcript.status != .ok)
        #expect(rendered.lesson == nil)
        #expect(transcript.diagnostics.contains { $0.contains("broken.md:3") }, "\(transcript.diagnostics)")
        #expect(folder.read("out/broken.html") != nil)
    }

    @Test func aMissingNotebookGetsNoTranscriptAndNoFiles() throws {
        let rendered = try rendering().render(LessonSource(path: folder.path + "/lessons/nowhere.md"))
        #expect(rendered.transcript == nil && rendered.written.isEmpty)
        #expect(!rendered.problems.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/out"))
    }

    @Test func aBadParameterIsAProblemAtItsSourceNotARun() throws {
        #expect(throws: Diagnostics.self) { try LessonSource(path: folder.path + "/lessons/data.md", assignments: ["nonsense"]).parse() }
    }

    @Test func aSweepWritesEachVariantAndAComparison() throws {
        var announced: [String] = [], finished = 0
        let outcome = try rendering().sweep(LessonSource(path: folder.path + "/lessons/data.md"), Sweep(assignments: ["share=0.25,0.5"]),
                                            announce: { announced.append($0) }, finished: { _ in finished += 1 })
        #expect(announced == ["Variant 1 of 2: share=0.25", "Variant 2 of 2: share=0.5"])
        #expect(finished == 2 && outcome.outputFailure == nil)
        #expect(outcome.variants.compactMap(\.transcript?.title) == ["The data (share=0.25)", "The data (share=0.5)"])
        #expect(outcome.comparison.first.map { ($0 as NSString).lastPathComponent } == "data-sweep.html")
        #expect(folder.read("out/data-sweep-2.md")?.contains("articles: 12 of them") == true)
    }

    @Test func anUnreadableTemplateIsAnErrorValue() {
        #expect(throws: OutputFailure.self) {
            try TranscriptTemplate.renderer(explicit: folder.path + "/no-such.mustache", notebook: folder.path + "/lessons/data.md", executableFolder: "/")
        }
    }

    /// The cache is consulted through the library as through the command line: a second render restores
    /// nothing for `load` (never cached) but reports the same values.
    /// (The run header names the thread count, which other tests change: held for both renders.)
    @Test func renderingTwiceGivesTheSameJSON() throws {
        let source = LessonSource(path: folder.path + "/lessons/data.md")
        try withBLASThreadsHeld {
            _ = try rendering().render(source)
            let first = try #require(folder.read("out/data.json"))
            _ = try rendering().render(source)
            #expect(withoutTimings(first) == withoutTimings(try #require(folder.read("out/data.json"))))
        }
    }
}

/// `--out` naming the notebook's own folder: `STEM.md` would be the notebook. Refused before anything
/// runs, and the notebook is left as it was.
@Test func aTranscriptNeverReplacesItsNotebook() throws {
    let folder = ScratchFolder()
    folder.writeTinyNews()
    let notebook = folder.write("lesson.md", "# Lesson\n\n```load\ndataset: data/tiny_news\n```\n")
    let renderer = try HTMLTranscriptRenderer(templateAt: repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path)
    let rendered = LessonRendering(execution: Execution(), output: TranscriptOutput(folder: folder.path + "/./", renderer: renderer))
        .render(LessonSource(path: notebook))
    #expect(rendered.transcript == nil && rendered.written.isEmpty)
    #expect(rendered.outputFailure?.description.contains("would replace the notebook") == true, "\(String(describing: rendered.outputFailure))")
    #expect(folder.read("lesson.md") == "# Lesson\n\n```load\ndataset: data/tiny_news\n```\n")
    #expect(folder.read("lesson.html") == nil)
}
