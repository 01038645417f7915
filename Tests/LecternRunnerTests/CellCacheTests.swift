import Foundation
import LecternEngine
import LecternNotebook
import LecternTestSupport
import Testing
@testable import LecternRunner
@testable import LecternTranscript

/// The cell cache on the tiny model: what is reused, what runs again, and that reused results are
/// the results.
struct CellCacheTests {
    let folder = ScratchFolder()
    let checkpoint = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path

    init() { folder.writeTinyNews() }

    func lesson(prose: String = "Some prose.", rate: String = "1e-3", average: String = "micro") -> String {
        """
        \(prose)

        ```load
        dataset: tiny_news
        ```

        ```tokenize
        model: \(checkpoint)
        ```

        ```train
        max_steps: 4
        learning_rate: \(rate)
        eval_strategy: no
        output_dir: \(folder.path)/results
        ```

        ```evaluate
        average: \(average)
        ```

        ```predict
        text: Stocks rose.
        ```

        """
    }

    func run(_ text: String, refresh: Set<String> = []) throws -> Transcript {
        let path = folder.write("lesson.md", text)
        let notebook = try NotebookParser.parse(contentsOf: path, directives: DirectiveRegistry.standard.names)
        let context = RunContext(notebookPath: path, baseFolder: folder.path, seed: 42, progress: SilentProgress(),
                                 cache: CellCache(besideNotebook: path), refresh: refresh)
        let transcript = NotebookRunner().run(notebook, bindings: ParameterBindings(frontMatter: notebook.frontMatter), context: context, runInfo: [])
        #expect(transcript.status == .ok, "\(transcript.directiveRecords.compactMap(\.error))")
        return transcript
    }

    func cached(_ transcript: Transcript) -> [String] {
        transcript.directiveRecords.filter(\.cached).map(\.directive)
    }

    /// `bf16: true` is a training parameter like any other, and a bf16 result is reused where it was made.
    @Test func bf16CellsAreCachedApartFromFloat32Ones() throws {
        let float32 = lesson()
        let bf16 = float32.replacingOccurrences(of: "```train\n", with: "```train\nbf16: true\n")
        _ = try run(float32)
        let first = try run(bf16)
        #expect(cached(first).isEmpty)
        let again = try run(bf16)
        #expect(cached(again) == ["train", "evaluate", "predict"])
        #expect(again.directiveRecords.map(\.outputs) == first.directiveRecords.map(\.outputs))
        #expect(cached(try run(float32)) == ["train", "evaluate", "predict"])
    }

    @Test func proseEditsReuseEverythingAndChangesRerunWhatDependsOnThem() throws {
        let first = try run(lesson())
        #expect(cached(first).isEmpty)

        let again = try run(lesson(prose: "Edited prose."))
        #expect(cached(again) == ["train", "evaluate", "predict"])
        #expect(again.directiveRecords.map(\.outputs) == first.directiveRecords.map(\.outputs))

        // Evaluation settings: the trained model is reused, and so is the prediction, which does not depend on them.
        let macro = try run(lesson(average: "macro"))
        #expect(cached(macro) == ["train", "predict"])

        // A training parameter: training and everything that uses the model run again.
        let rate = try run(lesson(rate: "2e-3"))
        #expect(cached(rate).isEmpty)

        // The data: everything runs again.
        folder.writeTinyNews(rows: 24)
        #expect(cached(try run(lesson(rate: "2e-3"))).isEmpty)
    }

    @Test func refreshRunsACellAgainAndABrokenEntryIsRecomputed() throws {
        _ = try run(lesson())
        let refreshed = try run(lesson(), refresh: ["train"])
        #expect(cached(refreshed) == ["evaluate", "predict"], "a retrained model with the same seed gives the same results")

        // Remove the stored weights of every entry: the train cell cannot be restored, so it runs.
        let cache = folder.path + "/.lectern/cache"
        for entry in try FileManager.default.contentsOfDirectory(atPath: cache) {
            try? FileManager.default.removeItem(atPath: "\(cache)/\(entry)/model.safetensors")
        }
        let recomputed = try run(lesson())
        #expect(!cached(recomputed).contains("train"))
    }

    /// A restored cell says what it cost when it ran: when, how long and on which machine (JSON, Markdown, HTML).
    @Test func aCachedCellSaysWhatItCostWhenItRan() throws {
        let first = try run(lesson())
        #expect(first.directiveRecords.allSatisfy { $0.computed == nil })
        let second = try run(lesson(prose: "Other prose."))
        let train = try #require(second.directiveRecords.first { $0.directive == "train" })
        let computed = try #require(train.computed)
        #expect(train.cached && computed.seconds > 0 && computed.machine == MachineReport.processor)
        let firstTrain = try #require(first.directiveRecords.first { $0.directive == "train" })
        #expect(computed.seconds <= (firstTrain.seconds ?? 0) && abs(computed.startedAt.timeIntervalSince(firstTrain.startedAt ?? .distantPast)) < 1)
        #expect(train.computeSeconds == computed.seconds)
        guard case let .array(cells)? = second.json["cells"], case let .object(entry)? = cells.first(where: { $0["directive"] == "train" }),
              case let .object(cost)? = entry.first(where: { $0.key == "computed" })?.value else { Issue.record("no computed entry in the JSON"); return }
        #expect(cost.map(\.key) == ["started_at", "seconds", "machine"])
        #expect(train.markdownStatusLine.contains("ok (cached)") && train.markdownStatusLine.contains("; restored from the cache"))
        #expect(train.computedNote?.hasPrefix("computed in ") == true && train.computedNote?.contains(MachineReport.processor) == true)
    }
}
