import Foundation
import LecternTestSupport
import Testing

/// Ctrl-C during training, then `lectern run --resume`: the resumed run must end with the same
/// weights, bit for bit, as a run that was never interrupted.
struct InterruptResumeTests {
    static let tinyModel = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
    static let steps = 3000

    let folder = ScratchFolder()

    init() {
        folder.writeTinyNews()
        folder.write("lesson.md", """
            ---
            params:
              run: results/a
            ---

            ```load
            dataset: tiny_news
            ```

            ```tokenize
            model: \(Self.tinyModel)
            ```

            ```train
            max_steps: \(Self.steps)
            per_device_train_batch_size: 2
            logging_steps: 100
            eval_strategy: no
            save_steps: 500
            output_dir: ${run}
            ```

            ```evaluate
            ```

            """)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: folder.path + "/" + path) }

    @Test func anInterruptedRunResumesToTheSameWeights() throws {
        let arguments = ["run", "lesson.md", "--template", LecternProcess.template, "--quiet"]
        let straight = try LecternProcess.run(arguments + ["--set", "run=results/a", "--out", "straight"], in: folder.path)
        #expect(straight.status == 0, "\(straight.standardError)")

        // Interrupt as soon as the first checkpoint exists, long before the last step.
        let (process, output, errors) = try LecternProcess.start(arguments + ["--set", "run=results/b"], in: folder.path)
        let deadline = Date().addingTimeInterval(120)
        while bytes("results/b/checkpoint-500/trainer_state.json") == nil && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        process.interrupt()
        let interrupted = LecternProcess.finish(process, output, errors)
        #expect(interrupted.exitedNormally)
        #expect(interrupted.status == 130, "\(interrupted.standardError)")
        #expect(interrupted.standardError.contains("lesson.md:14:4: stopped: Interrupted at step "))
        #expect(interrupted.standardError.contains("Run `lectern run lesson.md --resume` to continue from it."))
        let json = try #require(folder.read("output/lesson.json"))
        #expect(json.contains("\"status\": \"interrupted\""))
        let markdown = try #require(folder.read("output/lesson.md"))
        #expect(markdown.contains("The run was interrupted in the `train` cell on line 14"))
        #expect(markdown.contains("not run: the run was interrupted"))
        #expect(bytes("results/b/checkpoint-\(Self.steps)/model.safetensors") == nil, "the run finished before the interrupt")

        let resumed = try LecternProcess.run(arguments + ["--set", "run=results/b", "--resume"], in: folder.path)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(folder.read("output/lesson.md")?.contains("Resumed from ") == true)
        let final = "checkpoint-\(Self.steps)"
        let weights = try #require(bytes("results/a/\(final)/model.safetensors"))
        #expect(bytes("results/b/\(final)/model.safetensors") == weights)
        #expect(bytes("results/b/\(final)/optimizer.safetensors") == bytes("results/a/\(final)/optimizer.safetensors"))
        // The same log history, metrics and evaluation: the transcripts differ only in timings and the folder name.
        let resumedJSON = try #require(folder.read("output/lesson.json")).replacingOccurrences(of: "results/b", with: "results/a")
        let straightJSON = try #require(folder.read("straight/lesson.json"))
        #expect(withoutTimings(resumedJSON) == withoutTimings(straightJSON))
        #expect(resumedJSON.contains("\"train_loss\""))
        // No half-written checkpoint folders are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/results/b").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func aKillMinusNineLeavesOnlyCompleteCheckpointsAndResumeWorks() throws {
        // A checkpoint every 10 steps, so the kill is likely to land in the middle of writing one.
        let arguments = ["run", "lesson.md", "--template", LecternProcess.template, "--quiet", "--set", "run=results/k"]
        folder.write("lesson.md", try #require(folder.read("lesson.md")).replacingOccurrences(of: "save_steps: 500", with: "save_steps: 10"))
        let (process, output, errors) = try LecternProcess.start(arguments, in: folder.path)
        let deadline = Date().addingTimeInterval(120)
        while bytes("results/k/checkpoint-200/trainer_state.json") == nil && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.002)
        }
        kill(process.processIdentifier, SIGKILL)
        _ = LecternProcess.finish(process, output, errors)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/results/k")
        let checkpoints = names.filter { $0.hasPrefix("checkpoint-") }
        #expect(checkpoints.count >= 20)
        for name in checkpoints {
            for file in ["model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json"] {
                #expect(bytes("results/k/\(name)/\(file)") != nil, "\(name) lacks \(file)")
            }
        }
        let resumed = try LecternProcess.run(arguments + ["--resume"], in: folder.path)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(bytes("results/k/checkpoint-\(Self.steps)/model.safetensors") != nil)
    }

    /// A checkpoint whose optimizer.safetensors lost its end: `--resume` skips it for the newest complete one and
    /// says so; naming it directly is an error that says Lectern wrote it (not "download it again").
    @Test func aDamagedCheckpointIsSkippedWithTheReason() throws {
        let lesson = try #require(folder.read("lesson.md"))
        folder.write("lesson.md", lesson.replacingOccurrences(of: "max_steps: \(Self.steps)", with: "max_steps: 20")
            .replacingOccurrences(of: "save_steps: 500", with: "save_steps: 10"))
        let arguments = ["run", "lesson.md", "--template", LecternProcess.template, "--quiet", "--no-cache", "--set", "run=results/d"]
        #expect(try LecternProcess.run(arguments, in: folder.path).status == 0)
        let damaged = folder.path + "/results/d/checkpoint-20/optimizer.safetensors"
        let whole = try #require(FileManager.default.contents(atPath: damaged))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: damaged))

        let resumed = try LecternProcess.run(arguments + ["--resume"], in: folder.path)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let transcript = try #require(folder.read("output/lesson.md"))
        #expect(transcript.contains("Skipped checkpoint-20: its optimizer.safetensors is damaged"), "\(transcript)")
        #expect(transcript.contains("Resumed from \(folder.path)/results/d/checkpoint-10"))

        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: damaged))
        folder.write("lesson.md", try #require(folder.read("lesson.md")).replacingOccurrences(of: "output_dir: ${run}", with: "output_dir: ${run}\nresume_from_checkpoint: results/d/checkpoint-20"))
        let named = try LecternProcess.run(arguments, in: folder.path)
        #expect(named.status == 1)
        #expect(named.standardError.contains("its optimizer.safetensors is damaged"), "\(named.standardError)")
        #expect(named.standardError.contains("Lectern wrote this checkpoint"))
        #expect(!named.standardError.contains("download it again"))
    }

    @Test func sigtermStopsLikeCtrlCWithTheShellsStatus() throws {
        let (process, output, errors) = try LecternProcess.start(["run", "lesson.md", "--template", LecternProcess.template, "--quiet",
                                                                  "--set", "run=results/t"], in: folder.path)
        let deadline = Date().addingTimeInterval(120)
        while bytes("results/t/checkpoint-500/trainer_state.json") == nil && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        process.terminate()
        let result = LecternProcess.finish(process, output, errors)
        #expect(result.exitedNormally && result.status == 143, "\(result.standardError)")
        #expect(folder.read("output/lesson.json")?.contains("\"status\": \"interrupted\"") == true)
    }
}
