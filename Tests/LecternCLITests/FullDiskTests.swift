import Foundation
import LecternTestSupport
import Testing

/// A real full disk: a small tmpfs (needs root, as in CI; skipped elsewhere). Checkpoints and
/// transcripts that do not fit fail with a message, leave no partial files, and an older transcript
/// survives whole.
let canMountTmpfs: Bool = {
    guard getuid() == 0 else { return false }
    let probe = ScratchFolder()
    defer { FullDiskTests.run("/bin/umount", [probe.path]) }
    return FullDiskTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]) == 0
}()

@Suite(.enabled(if: canMountTmpfs, "mounting a tmpfs needs root"), .serialized)
struct FullDiskTests {
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    let folder = ScratchFolder()
    var disk: String { folder.path + "/disk" }

    /// Mounts a tmpfs of `kilobytes` at disk/, runs `body`, unmounts.
    func withSmallDisk(kilobytes: Int, _ body: () throws -> Void) throws {
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", disk]) == 0)
        defer { Self.run("/bin/umount", [disk]) }
        try body()
    }

    @Test func aCheckpointThatDoesNotFitStopsTrainingAndLeavesNoPartialFolder() throws {
        folder.writeTinyNews()
        let model = repositoryRoot.appendingPathComponent("Tests/LecternEngineTests/Fixtures/tiny-bert-classifier").path
        folder.write("lesson.md", "```load\ndataset: tiny_news\n```\n\n```tokenize\nmodel: \(model)\n```\n\n```train\nmax_steps: 2\neval_strategy: no\noutput_dir: disk/run\n```\n")
        try withSmallDisk(kilobytes: 160) {
            let result = try LecternProcess.run(["run", "lesson.md", "--template", LecternProcess.template, "--quiet"], in: folder.path)
            #expect(result.exitedNormally && result.status == 1)
            #expect(result.standardError.contains("lesson.md:9:4: error: Training stopped: "))
            #expect(result.standardError.contains("the disk is full (no space left on device)"), "\(result.standardError)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: disk + "/run").isEmpty)
            #expect(folder.read("output/lesson.json")?.contains("\"status\": \"error\"") == true)
        }
    }

    @Test func aTranscriptThatDoesNotFitKeepsTheOldOne() throws {
        folder.writeTinyNews()
        folder.write("lesson.md", "```load\ndataset: tiny_news\n```\n")
        try withSmallDisk(kilobytes: 256) {
            let arguments = ["run", "lesson.md", "--template", LecternProcess.template, "--quiet", "--out", "disk/out"]
            let first = try LecternProcess.run(arguments, in: folder.path)
            #expect(first.status == 0, "\(first.standardError)")
            let before = try #require(folder.read("disk/out/lesson.html"))
            // Fill what is left of the disk.
            let filler = FileHandle(forWritingAtPath: disk + "/filler") ?? {
                FileManager.default.createFile(atPath: disk + "/filler", contents: nil)
                return FileHandle(forWritingAtPath: disk + "/filler")!
            }()
            while (try? filler.write(contentsOf: Data(count: 4096))) != nil {}
            try? filler.close()
            let second = try LecternProcess.run(arguments, in: folder.path)
            #expect(second.exitedNormally && second.status == 2)
            #expect(second.standardError.contains("the disk is full (no space left on device)"), "\(second.standardError)")
            #expect(folder.read("disk/out/lesson.html") == before)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: disk + "/out").filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty)
        }
    }
}
