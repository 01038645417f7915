import Foundation

/// A temporary folder that tests write real files into.
public struct ScratchFolder {
    public let path: String

    public init() {
        path = NSTemporaryDirectory() + "lectern-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try! FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    public func read(_ name: String) -> String? {
        try? String(contentsOfFile: (path as NSString).appendingPathComponent(name), encoding: .utf8)
    }

    /// A small AG News-style release (classes.txt + headerless train.csv/test.csv) of `rows` rows per split.
    @discardableResult
    public func writeTinyNews(_ folder: String = "data/tiny_news", rows: Int = 20) -> String {
        write("\(folder)/classes.txt", "World\nSports\nBusiness\nSci/Tech\n")
        for split in ["train", "test"] {
            let lines = (0..<rows).map { "\"\($0 % 4 + 1)\",\"\(split) title \($0)\",\"Body of \(split) article number \($0).\"" }
            write("\(folder)/\(split).csv", lines.joined(separator: "\n") + "\n")
        }
        return (path as NSString).appendingPathComponent(folder)
    }
}

/// The repository's root folder (for templates and notebooks).
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The AG News release, when this machine has it (CI does): `$LECTERN_DATA/ag_news` or `../shared/data/ag_news`.
public let agNewsFolder: String? = {
    let environment = ProcessInfo.processInfo.environment
    var candidates = (environment["LECTERN_DATA"] ?? "").split(separator: ":").map { "\($0)/ag_news" }
    candidates.append(repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/ag_news").path)
    return candidates.first { FileManager.default.fileExists(atPath: "\($0)/classes.txt") }
}()

/// A JSON transcript without the lines that hold timings (`started_at`, `seconds`, `*runtime*`,
/// `*per_second*`), which are the only parts allowed to change between identical runs.
public func withoutTimings(_ json: String) -> [Substring] {
    let timing = ["\"started_at\"", "\"seconds\"", "runtime\"", "per_second\""]
    return json.split(separator: "\n").filter { line in !timing.contains { line.contains($0) } }
}

/// The "billion laughs" YAML of issue 15 (381 bytes in a front matter): ten lines of anchors, each
/// but the first nine aliases of the line above, 9¹⁰ values if expanded.
public let yamlAliasBomb: String = {
    var lines = ["a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]"]
    for (previous, name) in zip("abcdefghi", "bcdefghij") {
        lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
    }
    return lines.joined(separator: "\n") + "\n"
}()

/// Held by the tests that change OpenBLAS's thread count and by those that compare two float32 runs
/// bit for bit: all tests share one process, and a thread count changed in the middle of a comparison
/// splits its sums differently, which moves float32 results in their last bits.
public func withBLASThreadsHeld<T>(_ body: () throws -> T) rethrows -> T {
    blasThreadsLock.lock()
    defer { blasThreadsLock.unlock() }
    return try body()
}

private let blasThreadsLock = NSRecursiveLock()
