import Foundation
import LecternFiles

/// CSV files with a header row, and JSON Lines files: one split per file (named by the file's stem;
/// a single file is the "train" split). Labels are whole numbers (ids; names from `classes.txt`
/// beside the files, else the numbers) or text (names, sorted, as `class_encode_column` does).
enum TableReader {
    private struct RawSplit {
        var name: String
        var texts: [String] = []
        var pairs: [String] = []
        var labels: [(value: String, file: String, line: Int)] = []
    }

    static func read(at path: String, format: DatasetFormat, options: LoadOptions) throws(DataError) -> Dataset {
        let suffixes = format == .csv ? [".csv"] : [".jsonl", ".json", ".ndjson"]
        let files: [String]
        let folder: String
        if Files.isFolder(path) {
            folder = path
            files = Files.list(path).filter { name in suffixes.contains { name.hasSuffix($0) } }.map { Files.join(path, $0) }
            guard !files.isEmpty else { throw DataError("This folder has no \(suffixes[0]) files.", file: path) }
        } else {
            folder = parentFolder(of: path)
            files = [path]
        }
        var raw: [RawSplit] = []
        var notices: [DataNotice] = []
        for file in files {
            var split = RawSplit(name: files.count == 1 && !Files.isFolder(path) ? "train" : Files.stem(file))
            if format == .csv {
                try readCSV(file, into: &split, notices: &notices, options: options)
            } else {
                try readJSONLines(file, into: &split, notices: &notices, options: options)
            }
            raw.append(split)
        }
        let (names, encode) = try labelEncoding(raw, classesFile: Files.join(folder, "classes.txt"))
        let splits = raw.map { split in
            DatasetSplit(name: split.name, texts: split.texts, labels: split.labels.map { encode[$0.value]! },
                         pairs: options.textPairColumn == nil ? nil : split.pairs)
        }.sorted { DatasetLoader.splitOrder($0.name, $1.name) }
        return Dataset(labelNames: names, splits: splits, source: path, format: format, notices: notices)
    }

    private static func readCSV(_ file: String, into split: inout RawSplit, notices: inout [DataNotice], options: LoadOptions) throws(DataError) {
        let (records, fileNotices) = try CSVReader.read(file: file, policy: options.invalidUTF8)
        notices += fileNotices
        guard let header = records.first else { throw DataError("This CSV file is empty.", file: file) }
        func column(_ name: String, _ role: String) throws(DataError) -> Int {
            guard let index = header.fields.firstIndex(of: name) else {
                throw DataError("The header has no column `\(name)`.", file: file, line: header.line,
                                hint: "Its columns are " + header.fields.map { "`\($0)`" }.joined(separator: ", ") + "; set `\(role)` to choose one.")
            }
            return index
        }
        let textIndex = try column(options.textColumn, "text_column")
        let labelIndex = try column(options.labelColumn, "label_column")
        let pairIndex: Int?
        if let pair = options.textPairColumn { pairIndex = try column(pair, "text_pair_column") } else { pairIndex = nil }
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                throw DataError("This row has \(record.fields.count) fields but the header names \(header.fields.count).",
                                file: file, line: record.line, hint: "A field that contains a comma must be in double quotes.")
            }
            split.texts.append(record.fields[textIndex])
            if let pairIndex { split.pairs.append(record.fields[pairIndex]) }
            split.labels.append((record.fields[labelIndex].trimmingCharacters(in: .whitespaces), file, record.line))
        }
    }

    private static func readJSONLines(_ file: String, into split: inout RawSplit, notices: inout [DataNotice], options: LoadOptions) throws(DataError) {
        let bytes = try FileBytes.read(file)
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let decoded = TextDecoding.decode(line, policy: options.invalidUTF8)
            if decoded.wasInvalid {
                if options.invalidUTF8 == .error {
                    throw DataError("This line is not valid UTF-8 text.", file: file, line: lineNumber)
                }
                notices.append(DataNotice(file: file, line: lineNumber, message: "not valid UTF-8; " + options.invalidUTF8.noticeText))
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(decoded.text.utf8))) as? [String: Any] else {
                throw DataError("This line is not a JSON object.", file: file, line: lineNumber,
                                hint: "JSON Lines files hold one `{...}` object per line.")
            }
            guard let text = object[options.textColumn] as? String else {
                throw DataError("This line has no text field `\(options.textColumn)`.", file: file, line: lineNumber,
                                hint: "Its fields are " + object.keys.sorted().map { "`\($0)`" }.joined(separator: ", ") + "; set `text_column` to choose one.")
            }
            if let pair = options.textPairColumn {
                guard let second = object[pair] as? String else {
                    throw DataError("This line has no text field `\(pair)`.", file: file, line: lineNumber,
                                    hint: "Its fields are " + object.keys.sorted().map { "`\($0)`" }.joined(separator: ", ") + "; set `text_pair_column` to choose one.")
                }
                split.pairs.append(second)
            }
            let label: String
            switch object[options.labelColumn] {
            case let value as String: label = value
            case let value as NSNumber where value.doubleValue == value.doubleValue.rounded(): label = String(value.intValue)
            default:
                throw DataError("This line has no whole-number or text field `\(options.labelColumn)`.", file: file, line: lineNumber,
                                hint: "Set `label_column` to the field that holds the class.")
            }
            split.texts.append(text)
            split.labels.append((label, file, lineNumber))
        }
    }

    /// More classes than any text-classification lesson has; beyond it integer labels are not class ids.
    static let maximumClassCount = 10_000

    private static func labelEncoding(_ splits: [RawSplit], classesFile: String) throws(DataError) -> (names: [String], encode: [String: Int]) {
        let values = splits.flatMap { $0.labels }
        let classNames = FileManager.default.contents(atPath: classesFile).map {
            String(decoding: $0, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if !values.isEmpty, values.allSatisfy({ Int($0.value) != nil }) {
            let ids = values.map { Int($0.value)! }
            // Whole numbers are class ids 0, 1, …; a column of large numbers (an id column, found by fuzzing)
            // would otherwise ask for millions of classes.
            if classNames == nil, let largest = values.max(by: { Int($0.value)! < Int($1.value)! }), Int(largest.value)! >= maximumClassCount {
                throw DataError("The label \(largest.value) would make \(largest.value) + 1 classes; labels written as whole numbers are class ids 0, 1, 2, ….",
                                file: largest.file, line: largest.line,
                                hint: "Check that `label_column` names the label column, or write the class names in classes.txt beside the file.")
            }
            let count = classNames?.count ?? (ids.max()! + 1)
            if let bad = values.first(where: { Int($0.value)! < 0 || Int($0.value)! >= count }) {
                throw DataError("The label \(bad.value) is outside the classes 0 to \(count - 1)\(classNames != nil ? " listed in classes.txt" : "").",
                                file: bad.file, line: bad.line)
            }
            let names = classNames ?? (0..<count).map(String.init)
            return (names, Dictionary(uniqueKeysWithValues: (0..<count).map { (String($0), $0) }).merging(
                values.map { ($0.value, Int($0.value)!) }, uniquingKeysWith: { a, _ in a }))
        }
        let names = classNames ?? Array(Set(values.map(\.value))).sorted()
        let encode = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        if let bad = values.first(where: { encode[$0.value] == nil }) {
            throw DataError("The label `\(bad.value)` is not one of the classes in classes.txt.", file: bad.file, line: bad.line)
        }
        return (names, encode)
    }
}
