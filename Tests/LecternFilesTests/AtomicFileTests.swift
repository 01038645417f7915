import Foundation
import LecternFiles
import LecternTestSupport
import Testing

/// Files written piece by piece (a checkpoint's tensors) are whole or absent: the pieces in order, or,
/// when producing them fails half-way, no file and no temporary file left behind.
struct AtomicFileTests {
    let folder = ScratchFolder()

    @Test func piecesArriveInOrderAndTheFileAppearsWhole() throws {
        let path = folder.path + "/pieces.bin"
        let pieces: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 9, count: 100_000), [4]]
        try AtomicFile.write(to: path) { append throws(AtomicFile.WriteError) in
            for piece in pieces {
                try piece.withUnsafeBytes { bytes in Result { () throws(AtomicFile.WriteError) in try append(bytes) } }.get()
            }
        }
        #expect(FileManager.default.contents(atPath: path) == Data(pieces.flatMap { $0 }))
    }

    @Test func aProducerThatFailsLeavesTheOldFileAndNoTemporaryFile() throws {
        let path = folder.path + "/kept.bin"
        try AtomicFile.write(Data("old".utf8), to: path)
        #expect(throws: AtomicFile.WriteError.self) {
            try AtomicFile.write(to: path) { append throws(AtomicFile.WriteError) in
                try Data("new, half".utf8).withUnsafeBytes { bytes in Result { () throws(AtomicFile.WriteError) in try append(bytes) } }.get()
                throw AtomicFile.WriteError(path: path, reason: "the producer stopped")
            }
        }
        #expect(FileManager.default.contents(atPath: path) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["kept.bin"])
    }
}
