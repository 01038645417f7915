import Foundation
import LecternFiles
import LecternTranscript

/// Results of earlier runs, reused when nothing that determines them has changed (like knitr's
/// cache and Quarto's freeze). A cell's key is the SHA-256 of: Lectern's version, the directive,
/// its parameters after substitution (defaults included), the notebook seed, the content hashes
/// of the files it reads, and the keys of the cells that made what it needs. So editing prose
/// reuses everything; changing a training parameter, the seed, the data or the model re-runs the
/// cells that depend on it, and only those.
///
/// Entries live in `.lectern/cache/KEY/` beside the notebook: `cell.json` (the outputs and what
/// the transcript shows) and whatever state the cell leaves for later cells (a `train` cell's
/// weights). An entry is written into a hidden folder and renamed into place, so concurrent or
/// interrupted runs leave whole entries or none.
public struct CellCache: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// The cache beside a notebook: `NOTEBOOK_FOLDER/.lectern/cache`.
    public init(besideNotebook path: String) {
        folder = (URL(fileURLWithPath: path).deletingLastPathComponent().path as NSString).appendingPathComponent(".lectern/cache")
    }

    /// What a cell produced, as stored.
    struct Entry: Codable {
        var directive: String
        var outputs: JSONValue
        var blocks: [OutputBlock]
        /// When, how long and where it was computed (absent in entries older than this field).
        var computed: Computation?
    }

    func entryFolder(_ key: String) -> String { (folder as NSString).appendingPathComponent(key) }

    /// The stored result for `key`, if a complete entry exists.
    func load(_ key: String) -> Entry? {
        let path = (entryFolder(key) as NSString).appendingPathComponent("cell.json")
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Entry.self, from: data)
    }

    /// Stores a result; `state` writes extra files into the entry's folder before it is renamed into place.
    func store(_ entry: Entry, key: String, state: (String) throws -> Void) throws {
        let partial = (folder as NSString).appendingPathComponent(".\(key).\(getpid()).partial")
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try AtomicFile.makeFolder(partial)
            try state(partial)
            try AtomicFile.write(JSONEncoder().encode(entry), to: (partial as NSString).appendingPathComponent("cell.json"))
            try AtomicFile.replaceFolder(at: entryFolder(key), with: partial)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// The key of a cell (hex SHA-256) from the parts listed in the type's description.
    static func key(directive: String, parameters: JSONValue, seed: Int, inputHashes: [String], upstream: [String]) -> String {
        let text = ["lectern \(LecternVersion.current)", directive, parameters.serialized(), "seed \(seed)",
                    "inputs " + inputHashes.joined(separator: " "), "upstream " + upstream.joined(separator: " ")].joined(separator: "\n")
        return ContentHash.sha256(text: text)
    }
}
