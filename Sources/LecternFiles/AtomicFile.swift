import Foundation

/// Writes files so that a crash or a kill at any moment leaves either the old file or the new one:
/// write a temporary file beside it, flush it to disk, rename it over the old one.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "Cannot write \(path): \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(Data(text.utf8), to: path)
    }

    public static func write(_ data: Data, to path: String) throws(WriteError) {
        try write(to: path) { append throws(WriteError) in
            try data.withUnsafeBytes { bytes in Result { () throws(WriteError) in try append(bytes) } }.get()
        }
    }

    /// Writes the file from pieces that `produce` hands to its argument in order, each written as it
    /// comes: a large file (a checkpoint's weights and moments) is never assembled in memory first.
    public static func write(to path: String,
                             _ produce: (_ append: (UnsafeRawBufferPointer) throws(WriteError) -> Void) throws(WriteError) -> Void) throws(WriteError) {
        let folder = parentFolder(of: path)
        let folderPath = folder.isEmpty ? "." : folder
        do { try makeFolder(folderPath) } catch {
            throw WriteError(path: path, reason: "cannot create the folder \(error.path) (\(error.reason))")
        }
        let temporary = (folderPath as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: explain(errno)) }
        do throws(WriteError) {
            try produce { (buffer: UnsafeRawBufferPointer) throws(WriteError) in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw WriteError(path: path, reason: explain(errno))
                    }
                    offset += written
                }
            }
            if fsync(descriptor) != 0 { throw WriteError(path: path, reason: explain(errno)) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = explain(errno)
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        // Make the rename itself durable.
        syncFolder(containing: path)
    }

    /// `mkdir -p`, with an error that says which part of the path is in the way.
    public static func makeFolder(_ path: String) throws(WriteError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw WriteError(path: path, reason: "a file of that name is in the way") }
            return
        }
        let parent = parentFolder(of: path)
        if !parent.isEmpty && parent != path { try makeFolder(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw WriteError(path: path, reason: explain(errno)) }
    }

    /// A system error in words a student can act on.
    static func explain(_ code: Int32) -> String {
        switch code {
        case ENOSPC, EDQUOT: return "the disk is full (no space left on device)"
        case EFBIG: return "the file is larger than this system allows (file size limit)"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case ENOTDIR: return "part of the path is a file, not a folder"
        default: return String(cString: strerror(code))
        }
    }

    /// Moves a completely written folder into place (replacing an older one of that name) and makes
    /// the rename durable, so readers see either the old folder, no folder, or the whole new one.
    public static func replaceFolder(at path: String, with written: String) throws(WriteError) {
        if FileManager.default.fileExists(atPath: path) {
            // Renaming over a non-empty folder is not allowed: move the old one aside first.
            let aside = path + ".\(getpid()).old"
            guard rename(path, aside) == 0 else { throw WriteError(path: path, reason: explain(errno)) }
            try? FileManager.default.removeItem(atPath: aside)
        }
        guard rename(written, path) == 0 else { throw WriteError(path: path, reason: explain(errno)) }
        syncFolder(containing: path)
    }

    private static func syncFolder(containing path: String) {
        let folder = parentFolder(of: path)
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }
}
