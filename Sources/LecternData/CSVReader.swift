import Foundation

/// One CSV record: its fields and the line it starts on.
struct CSVRecord {
    var line: Int
    var fields: [String]
}

/// Reads CSV as RFC 4180 writes it (quoted fields, `""` for a quote, line breaks inside quotes),
/// strictly: unbalanced quotes are an error naming the line, never a silently merged row. Works on bytes, so that
/// undecodable text is found per row and handled by the `InvalidUTF8Policy`.
enum CSVReader {
    static func read(file path: String, policy: InvalidUTF8Policy) throws(DataError) -> (records: [CSVRecord], notices: [DataNotice]) {
        try parse(try FileBytes.read(path), file: path, policy: policy)
    }

    static func parse(_ bytes: [UInt8], file: String, policy: InvalidUTF8Policy) throws(DataError) -> (records: [CSVRecord], notices: [DataNotice]) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records: [CSVRecord] = []
        var notices: [DataNotice] = []
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        let end = bytes.count

        while index < end {
            let recordLine = line
            var fields: [String] = []
            var invalid = false
            var field: [UInt8] = []
            var atRecordEnd = false
            // Blank lines hold no record.
            if bytes[index] == newline || (bytes[index] == cr && index + 1 < end && bytes[index + 1] == newline) {
                index += bytes[index] == cr ? 2 : 1
                line += 1
                continue
            }
            while !atRecordEnd {
                field.removeAll(keepingCapacity: true)
                if index < end, bytes[index] == quote {
                    let fieldLine = line
                    index += 1
                    var closed = false
                    while index < end {
                        let byte = bytes[index]
                        if byte == quote {
                            if index + 1 < end, bytes[index + 1] == quote {
                                field.append(quote)
                                index += 2
                                continue
                            }
                            index += 1
                            closed = true
                            break
                        }
                        if byte == newline { line += 1 }
                        field.append(byte)
                        index += 1
                    }
                    if !closed {
                        throw DataError("A quoted field that starts on this line never ends: a closing `\"` is missing.",
                                        file: file, line: fieldLine, hint: "Check the quotes on this line; a quote inside a field is written `\"\"`.")
                    }
                    // Text between a closing quote and the next comma means the quotes are unbalanced.
                    if index < end, bytes[index] != comma, bytes[index] != newline, bytes[index] != cr {
                        throw DataError("A quoted field is followed by more text before the next comma: the quotes on this row are unbalanced.",
                                        file: file, line: line, hint: "A quote inside a field is written `\"\"`.")
                    }
                }
                while index < end, bytes[index] != comma, bytes[index] != newline {
                    if bytes[index] == cr, index + 1 < end, bytes[index + 1] == newline { index += 1; break }
                    field.append(bytes[index])
                    index += 1
                }
                let decoded = TextDecoding.decode(field, policy: policy)
                if decoded.wasInvalid {
                    if policy == .error {
                        throw DataError("This row is not valid UTF-8 text.", file: file, line: recordLine,
                                        hint: "Set `invalid_utf8: windows-1252` or `replace` to read it anyway.")
                    }
                    invalid = true
                }
                fields.append(decoded.text)
                if index < end, bytes[index] == comma {
                    index += 1
                } else {
                    if index < end { index += 1; line += 1 }
                    atRecordEnd = true
                }
            }
            if invalid {
                notices.append(DataNotice(file: file, line: recordLine, message: "not valid UTF-8; " + policy.noticeText))
            }
            records.append(CSVRecord(line: recordLine, fields: fields))
        }
        return (records, notices)
    }
}

extension InvalidUTF8Policy {
    var noticeText: String {
        switch self {
        case .windows1252: return "decoded as Windows-1252"
        case .replace: return "invalid bytes replaced with U+FFFD"
        case .error: return "rejected"
        }
    }
}

enum FileBytes {
    static func read(_ path: String) throws(DataError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError("Cannot read this file.", file: path)
        }
        return [UInt8](data)
    }
}
