/// What to do with bytes that are not valid UTF-8 (legacy files, like one BBC News article
/// saved in Windows-1252 where "£" is the single byte 0xA3).
public enum InvalidUTF8Policy: String, Sendable, CaseIterable {
    /// Decode that file or row as Windows-1252 instead, which is what such files almost always are
    /// ("£15.8m" stays "£15.8m"), and report it.
    case windows1252 = "windows-1252"
    /// Replace each invalid sequence with U+FFFD, as Python's `errors="replace"`, and report it.
    case replace
    /// Stop with an error naming the file and line.
    case error
}

enum TextDecoding {
    /// Decodes `bytes`; the flag tells whether they were not valid UTF-8 (and the policy applied).
    static func decode<Bytes: Collection>(_ bytes: Bytes, policy: InvalidUTF8Policy) -> (text: String, wasInvalid: Bool)
    where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, false) }
        switch policy {
        case .windows1252:
            var text = ""
            text.unicodeScalars.reserveCapacity(bytes.count)
            for byte in bytes { text.unicodeScalars.append(windows1252Scalar(byte)) }
            return (text, true)
        case .replace, .error:
            return (String(decoding: bytes, as: UTF8.self), true)
        }
    }

    /// Windows-1252 as the WHATWG Encoding Standard maps it (the five unassigned bytes to C1 controls).
    private static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard byte >= 0x80, byte < 0xA0 else { return Unicode.Scalar(byte) }
        let table: [UInt32] = [
            0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
            0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
        ]
        return Unicode.Scalar(table[Int(byte - 0x80)])!
    }
}
