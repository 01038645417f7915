import Foundation
import LecternFiles

/// CSV files with a header row, and JSON Lines files: one split per file (named by the file's stem;
/// a single file is the "train" split). Class labels are whole numbers (ids; names from `classes.txt`
/// beside the files, else the numbers) or text (names, sorted, as `class_encode_column` does);
/// regression labels are numbers; multi-label labels are lists of either (a JSON array, or a
/// field of labels separated by `labelDelimiter`).
enum TableReader {
    /// A label as written, with where.
    struct RawLabel {
        enum Value { case text(String), list([String]) }
        var value: Value
        var file: String
        var line: Int?
    }

    private struct RawSplit {
        var name: String
        var texts: [String] = []
        var pairs: [String] = []
        var labels: [RawLabel] = []
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
        let (names, targets) = try LabelColumn.encode(raw.map(\.labels), task: options.task, delimiter: options.labelDelimiter,
                                                       classNames: .classesFile(Files.join(folder, "classes.txt")))
        let splits = zip(raw, targets).map { split, labels in
            DatasetSplit(name: split.name, texts: split.texts, targets: labels, pairs: options.textPairColumn == nil ? nil : split.pairs)
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
            split.labels.append(RawLabel(value: .text(record.fields[labelIndex].trimmingCharacters(in: .whitespaces)), file: file, line: record.line))
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
            guard let label = Self.label(object[options.labelColumn], task: options.task) else {
                throw DataError("This line has no " + (options.task == .regression ? "number" : options.task == .multiLabelClassification
                                    ? "list, whole-number or text" : "whole-number or text") + " field `\(options.labelColumn)`.", file: file, line: lineNumber,
                                hint: "Set `label_column` to the field that holds the label" + (options.task == .multiLabelClassification ? "s." : "."))
            }
            split.texts.append(text)
            split.labels.append(RawLabel(value: label, file: file, line: lineNumber))
        }
    }

    /// A JSON value as a label: text, a whole number (or, for regression, any number), or a list of names or ids.
    static func label(_ value: Any?, task: LabelTask) -> RawLabel.Value? {
        func item(_ value: Any) -> String? {
            switch value {
            case let text as String: return text
            case let number as NSNumber:
                if task == .regression { return String(number.doubleValue) }
                return number.doubleValue == number.doubleValue.rounded() && abs(number.doubleValue) < 1e15 ? String(number.intValue) : nil
            default: return nil
            }
        }
        if let items = value as? [Any] {
            guard task == .multiLabelClassification else { return nil }
            let texts = items.compactMap(item)
            return texts.count == items.count ? .list(texts) : nil
        }
        return value.flatMap(item).map(RawLabel.Value.text)
    }
}
