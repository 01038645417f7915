/// The folder part of a path, as NSString's `deletingLastPathComponent` gives it: "a/b" → "a",
/// "b" → "", "/b" → "/", "a/b/" → "a", "/" → "/".
///
/// Foundation's own traps on every one-character path ("o", ".", "a/") in swift-corelibs-foundation
/// (Swift 6.3.1), which made `lectern run lesson.md --out o` crash; Lectern splits paths here.
public func parentFolder(of path: String) -> String {
    let bytes = Array(path.utf8)
    var end = bytes.count
    while end > 1, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
    guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else { return "" }
    var folderEnd = slash
    while folderEnd > 1, bytes[folderEnd - 1] == UInt8(ascii: "/") { folderEnd -= 1 }
    return folderEnd == 0 ? "/" : String(decoding: bytes[..<folderEnd], as: UTF8.self)
}
