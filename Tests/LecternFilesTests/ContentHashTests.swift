import Foundation
import LecternFiles
import LecternTestSupport
import Testing

struct ContentHashTests {
    @Test func aFileHashesToItsSHA256() throws {
        let folder = ScratchFolder()
        // FIPS 180-2's example, and a file longer than one 4 MB read.
        let abc = folder.write("abc.txt", "abc")
        #expect(try ContentHash.sha256(file: abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let large = folder.write("large.bin", [UInt8](repeating: 0x61, count: 5_000_000))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        shell.arguments = [large]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let expected = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        shell.waitUntilExit()
        #expect(try ContentHash.sha256(file: large) == String(expected))
    }

    @Test func aFolderHashChangesWithAnyFileOrName() throws {
        let folder = ScratchFolder()
        folder.write("data/business/001.txt", "Stocks rose.")
        folder.write("data/sport/001.txt", "The team won.")
        folder.write("data/.DS_Store", "ignored")
        let root = folder.path + "/data"
        let first = try ContentHash.sha256(of: root)
        #expect(try ContentHash.sha256(of: root) == first)
        folder.write("data/.DS_Store", "still ignored")
        #expect(try ContentHash.sha256(of: root) == first)
        folder.write("data/sport/001.txt", "The team lost.")
        let edited = try ContentHash.sha256(of: root)
        #expect(edited != first)
        try FileManager.default.moveItem(atPath: root + "/sport/001.txt", toPath: root + "/sport/002.txt")
        #expect(try ContentHash.sha256(of: root) != edited)
        #expect(throws: ContentHash.ReadError.self) { try ContentHash.sha256(of: root + "/missing") }
    }
}

/// `parentFolder(of:)` against what NSString's `deletingLastPathComponent` gives where it works,
/// and on the one-character paths where Foundation's traps.
struct ParentFolderTests {
    @Test(arguments: [
        ("a/b", "a"), ("b", ""), ("/b", "/"), ("a/b/", "a"), ("/", "/"), ("", ""), ("ab/", ""), ("a//b", "a"),
        ("/tmp/x/lesson.html", "/tmp/x"), ("o", ""), (".", ""), ("a/", ""), ("o/lesson.html", "o"), ("//", "/"),
    ])
    func theFolderOfAPath(path: String, folder: String) {
        #expect(parentFolder(of: path) == folder)
    }

    @Test func agreesWithFoundationOnLongerPaths() {
        for path in ["a/b", "/b", "a/b/", "/", "ab/", "a//b", "/tmp/x/lesson.html", "../up/file", "./here"] {
            #expect(parentFolder(of: path) == (path as NSString).deletingLastPathComponent, "\(path)")
        }
    }
}
