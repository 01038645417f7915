/// The entries of a zip archive whose files are stored uncompressed, as `torch.save` writes them,
/// located through the central directory (zip64 included) so they can be read in place.
///
/// Every offset and size comes from the file, so each is checked against the file's length before
/// it is used; a damaged archive is a `ModelError`, never a read outside the mapping.
struct StoredZip {
    /// Each entry's name and the byte range of its content in the file.
    let entries: [String: Range<Int>]

    /// Long on purpose: the zip's end record, zip64 locator, central directory and local headers,
    /// read in the file's order, each offset checked before it is used.
    init(_ file: MappedFile) throws(ModelError) {
        func damaged(_ what: String) -> ModelError {
            ModelError("The zip archive is damaged: \(what).", file: file.path, hint: "The file is truncated or corrupt: download it again.")
        }
        let length = file.length
        // The end-of-central-directory record: 22 bytes and a comment of at most 65,535.
        guard length >= 22 else { throw damaged("it is too short (\(length) bytes) to hold a zip directory") }
        var end = -1
        for offset in stride(from: length - 22, through: max(0, length - 22 - 65_535), by: -1) where file.uint32(at: offset) == 0x0605_4B50 {
            end = offset
            break
        }
        guard end >= 0 else { throw damaged("it has no end-of-directory record") }
        var count = file.uint16(at: end + 10)
        var directorySize = file.uint32(at: end + 12)
        var directoryOffset = file.uint32(at: end + 16)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // zip64: a locator just before the record points at the 64-bit record.
            guard end >= 20, file.uint32(at: end - 20) == 0x0706_4B50 else { throw damaged("its zip64 locator is missing") }
            let record = file.uint64(at: end - 12)
            guard record <= length - 56, file.uint32(at: record) == 0x0606_4B50 else { throw damaged("its zip64 directory record is outside the file") }
            count = file.uint64(at: record + 32)
            directorySize = file.uint64(at: record + 40)
            directoryOffset = file.uint64(at: record + 48)
        }
        guard directoryOffset <= length, directorySize <= length - directoryOffset, count <= directorySize / 46 else {
            throw damaged("its directory (\(count) entries, \(directorySize) bytes at \(directoryOffset)) does not fit in the file")
        }
        var entries: [String: Range<Int>] = [:]
        var position = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for _ in 0..<count {
            guard position <= directoryEnd - 46, file.uint32(at: position) == 0x0201_4B50 else { throw damaged("a directory entry is cut short") }
            let flags = file.uint16(at: position + 8)
            let method = file.uint16(at: position + 10)
            var compressed = file.uint32(at: position + 20)
            var size = file.uint32(at: position + 24)
            let nameLength = file.uint16(at: position + 28)
            let extraLength = file.uint16(at: position + 30)
            let commentLength = file.uint16(at: position + 32)
            var local = file.uint32(at: position + 42)
            let next = position + 46 + nameLength + extraLength + commentLength
            guard next <= directoryEnd else { throw damaged("a directory entry runs past the directory") }
            let name = String(decoding: file.bytes((position + 46)..<(position + 46 + nameLength)), as: UTF8.self)
            // zip64 sizes and offsets follow in the extra field, in this order, for each field saturated above.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = file.uint16(at: extra)
                let fieldEnd = extra + 4 + file.uint16(at: extra + 2)
                guard fieldEnd <= extraEnd else { throw damaged("entry `\(name)` has an extra field past its end") }
                if id == 0x0001 {
                    var field = extra + 4
                    func widen(_ value: inout Int) throws(ModelError) {
                        guard value == 0xFFFF_FFFF else { return }
                        guard field + 8 <= fieldEnd else { throw damaged("entry `\(name)` has a short zip64 field") }
                        value = file.uint64(at: field)
                        field += 8
                    }
                    try widen(&size)
                    try widen(&compressed)
                    try widen(&local)
                }
                extra = fieldEnd
            }
            guard flags & 1 == 0 else { throw damaged("entry `\(name)` is encrypted") }
            guard method == 0, compressed == size else {
                throw ModelError("Entry `\(name)` is compressed; PyTorch stores its entries uncompressed, so this archive was not written by torch.save.",
                                 file: file.path, hint: "Save the weights again with torch.save, or as model.safetensors.")
            }
            guard local <= length - 30, file.uint32(at: local) == 0x0403_4B50 else { throw damaged("entry `\(name)` has no local header where the directory says") }
            let start = local + 30 + file.uint16(at: local + 26) + file.uint16(at: local + 28)
            guard start <= length, size <= length - start else { throw damaged("entry `\(name)` (\(size) bytes) runs past the end of the file") }
            entries[name] = start..<(start + size)
            position = next
        }
        self.entries = entries
    }
}
