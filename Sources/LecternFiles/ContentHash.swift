import CLibCrypto
import Foundation

/// SHA-256 of files and folders, as the Hugging Face hub names a file's content (its LFS oid),
/// so a transcript can say exactly which weights and data a run read.
public enum ContentHash {
    public struct ReadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "Cannot read \(path) to hash it: \(reason)" }
    }

    /// The hex SHA-256 of a file's bytes, read in 4 MB pieces.
    public static func sha256(file path: String) throws(ReadError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ReadError(path: path, reason: "it cannot be opened") }
        defer { try? handle.close() }
        var digest = Digest()
        while true {
            let piece: Data?
            do { piece = try handle.read(upToCount: 4 << 20) } catch { throw ReadError(path: path, reason: "\(error)") }
            guard let piece, !piece.isEmpty else { break }
            digest.update(piece)
        }
        return digest.finish()
    }

    /// A folder's hash: SHA-256 over `relative path NUL file SHA-256 LF` for every regular file
    /// below it, in path order (hidden files skipped), so renaming or editing any file changes it.
    public static func sha256(folder path: String, fileHash: (String) throws(ReadError) -> String = { path throws(ReadError) in try sha256(file: path) }) throws(ReadError) -> String {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { throw ReadError(path: path, reason: "it cannot be listed") }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isFolder), !isFolder.boolValue { files.append(relative) }
        }
        var digest = Digest()
        for relative in files.sorted() {
            digest.update(Data((relative + "\0" + (try fileHash(path + "/" + relative)) + "\n").utf8))
        }
        return digest.finish()
    }

    /// The hex SHA-256 of a text's UTF-8 bytes.
    public static func sha256(text: String) -> String {
        let digest = Digest()
        digest.update(Data(text.utf8))
        return digest.finish()
    }

    /// The hash of `path`, whether it is a file or a folder.
    public static func sha256(of path: String) throws(ReadError) -> String {
        try sha256(of: path) { file throws(ReadError) in try sha256(file: file) }
    }

    /// The hash of `path`, whether it is a file or a folder, with each file's hash from `fileHash`.
    static func sha256(of path: String, fileHash: (String) throws(ReadError) -> String) throws(ReadError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw ReadError(path: path, reason: "it does not exist") }
        return isFolder.boolValue ? try sha256(folder: path, fileHash: fileHash) : try fileHash(path)
    }

    /// OpenSSL's streaming SHA-256.
    struct Digest: ~Copyable {
        private let context: OpaquePointer

        init() {
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, EVP_sha256(), nil)
        }

        deinit { EVP_MD_CTX_free(context) }

        func update(_ data: Data) {
            data.withUnsafeBytes { buffer in _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) }
        }

        consuming func finish() -> String {
            var bytes = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &bytes, &length)
            return bytes.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
        }
    }
}

/// The hashes a run has computed, so that each file is read once even when the cache key of a
/// cell (the model folder) and the run header (its model.safetensors) both need it.
public final class ContentHashes: @unchecked Sendable {
    private var files: [String: String] = [:]
    private let lock = NSLock()

    public init() {}

    /// The SHA-256 of a file, or of a folder as `ContentHash.sha256(folder:)` defines it.
    public func sha256(of path: String) throws(ContentHash.ReadError) -> String {
        try ContentHash.sha256(of: path) { file throws(ContentHash.ReadError) in
            if let known = lock.withLock({ files[file] }) { return known }
            let hash = try ContentHash.sha256(file: file)
            lock.withLock { files[file] = hash }
            return hash
        }
    }
}
