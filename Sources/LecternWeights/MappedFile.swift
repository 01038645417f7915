import Foundation

/// A file mapped read-only into memory, for weight files that are read in place (safetensors,
/// PyTorch's zip checkpoints). Errors name the file.
final class MappedFile: @unchecked Sendable {
    let path: String
    let base: UnsafeRawPointer
    let length: Int

    init(path: String) throws(ModelError) {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ModelError("Cannot open this file: \(String(cString: strerror(errno))).", file: path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ModelError("Cannot read this file's size.", file: path) }
        length = Int(status.st_size)
        guard length > 0 else {
            throw ModelError("The file is empty.", file: path, hint: "It may be truncated: download it again.")
        }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ModelError("Cannot map this file into memory.", file: path)
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// The bytes at `range`, which the caller has checked lie inside the file.
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= length)
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Lets the system drop the pages of `range` from this process (they are read again from the file if
    /// touched): a weights file read once into the model then does not count twice in its memory.
    func release(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page, end = min((range.upperBound + page - 1) / page * page, length)
        guard start < end else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    func uint16(at offset: Int) -> Int { Int(base.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian) }
    func uint32(at offset: Int) -> Int { Int(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian) }
    func uint64(at offset: Int) -> Int { Int(clamping: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian) }
}
