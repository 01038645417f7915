import Foundation
import LecternTestSupport

/// The built `lectern` executable, run in a folder as a student would run it.
enum LecternProcess {
    struct Result {
        var status: Int32
        /// False when a signal ended the process (a trap or a crash).
        var exitedNormally: Bool
        var standardOutput: String
        var standardError: String
    }

    static let executable: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lectern")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return repositoryRoot.appendingPathComponent(".build/debug/lectern")
    }()

    static var template: String { repositoryRoot.appendingPathComponent("templates/transcript.html.mustache").path }

    /// A started process; `LECTERN_DATA` is cleared so only the folder's data is found.
    static func start(_ arguments: [String], in folder: String, environment extra: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        environment["LECTERN_DATA"] = ""
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    static func finish(_ process: Process, _ output: Pipe, _ errors: Pipe) -> Result {
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
                      standardOutput: String(decoding: outData, as: UTF8.self), standardError: String(decoding: errData, as: UTF8.self))
    }

    static func run(_ arguments: [String], in folder: String, environment: [String: String] = [:]) throws -> Result {
        let (process, output, errors) = try start(arguments, in: folder, environment: environment)
        return finish(process, output, errors)
    }
}
