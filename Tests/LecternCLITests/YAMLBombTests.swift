import Foundation
import LecternTestSupport
import Testing

/// The "billion laughs" notebook (381 bytes of nested YAML aliases) and its variants in a
/// directive body and a `--params` file: each a clear error naming the line, within a second of CPU
/// time and 100 MB of memory, as measured by GNU time around the `lectern` process.
struct YAMLBombTests {
    /// Runs `lectern ARGUMENTS` under /usr/bin/time: the exit status, standard error, peak RSS in MB and CPU seconds.
    func measured(_ arguments: [String], in folder: String) throws -> (status: Int32, error: String, megabytes: Double, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "resources %M %U %S", LecternProcess.executable.path] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = text.split(separator: "\n").last { $0.hasPrefix("resources ") }?.split(separator: " ").dropFirst().compactMap { Double($0) } ?? []
        guard fields.count == 3 else { return (process.terminationStatus, text, .infinity, .infinity) }
        return (process.terminationStatus, text, fields[0] / 1024, fields[1] + fields[2])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs GNU time (Debian's time package)"),
          arguments: ["front matter", "directive body", "parameters file"])
    func aliasBombsFailFastInLittleMemory(place: String) throws {
        let folder = ScratchFolder()
        var arguments = ["check", "lesson.md"]
        switch place {
        case "front matter":
            folder.write("lesson.md", "---\ntitle: t\n" + yamlAliasBomb + "---\n\nText.\n")
        case "directive body":
            folder.write("lesson.md", "Text.\n\n```load\ndataset: ag_news\n" + yamlAliasBomb + "```\n")
        default:
            folder.write("lesson.md", "---\nparams:\n  a: 1\n---\n\nText.\n")
            folder.write("bomb.yaml", yamlAliasBomb)
            arguments += ["--params", "bomb.yaml"]
        }
        let result = try measured(arguments, in: folder.path)
        #expect(result.status == 1, "\(result.error)")
        #expect(result.error.contains("uses the YAML anchor `&a`"), "\(result.error)")
        #expect(result.megabytes < 100, "peak RSS \(result.megabytes) MB")
        #expect(result.seconds < 1, "\(result.seconds) s of CPU time")
    }
}
