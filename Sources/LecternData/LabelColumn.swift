import Foundation

/// A table's label column as written (per split) turned into `Labels` for the task, with the
/// label names: classes as `class_encode_column` names them, numbers for regression, lists of
/// classes for multi-label data. Every problem names the file and line.
enum LabelColumn {
    /// More classes than any text-classification lesson has; beyond it integer labels are not class ids.
    static let maximumClassCount = 10_000

    typealias Written = (value: String, file: String, line: Int?)

    /// `classNames`: the classes in id order when the data names them (classes.txt, `datasets`' ClassLabel).
    static func encode(_ splits: [[TableReader.RawLabel]], task: LabelTask, delimiter: String,
                       classNames: ClassNames?) throws(DataError) -> (names: [String], labels: [Labels]) {
        switch task {
        case .singleLabelClassification:
            var written: [[Written]] = []
            for split in splits {
                var values: [Written] = []
                for label in split {
                    guard case let .text(text) = label.value else {
                        throw DataError("This label is a list; a text has one class here.", file: label.file, line: label.line,
                                        hint: "Set `problem_type: multi_label_classification` for several labels per text.")
                    }
                    values.append((text, label.file, label.line))
                }
                written.append(values)
            }
            let (names, encode) = try classEncoding(written.flatMap { $0 }, classNames: classNames)
            return (names, written.map { .classes($0.map { encode[$0.value] ?? 0 }) })
        case .regression:
            var labels: [Labels] = []
            for split in splits {
                var scores: [Double] = []
                for label in split {
                    // The model computes in float32: a score beyond its range would be infinite there.
                    guard case let .text(text) = label.value, let score = Double(text), abs(score) <= Double(Float.greatestFiniteMagnitude) else {
                        throw DataError("The label `\(label.shown)` is not a number; regression needs a number per text.", file: label.file, line: label.line,
                                        hint: "Check `label_column`, or drop `problem_type: regression` for class labels.")
                    }
                    scores.append(score)
                }
                labels.append(.scores(scores))
            }
            // One output, named as transformers names a single label.
            return (["LABEL_0"], labels)
        case .multiLabelClassification:
            let rows = splits.map { split in split.map { label in (items: label.items(delimiter: delimiter), file: label.file, line: label.line) } }
            let (names, encode) = try classEncoding(rows.flatMap { $0.flatMap { row in row.items.map { ($0, row.file, row.line) } } },
                                                    classNames: classNames)
            return (names, rows.map { split in .sets(split.map { row in Array(Set(row.items.compactMap { encode[$0] })).sorted() }) })
        }
    }

    /// Class ids read as numbers (Parquet and Arrow integer columns), with the rules of `classEncoding`'s whole
    /// numbers: names from `given`, else the ids 0, 1, …; an id outside them is an error naming its split and row.
    static func encode(ids splits: [[Int]], classNames given: ClassNames?, source: String) throws(DataError) -> (names: [String], labels: [Labels]) {
        let largest = splits.lazy.compactMap { $0.max() }.max() ?? -1
        guard let count = idClassCount(largest: largest, given: given) else {
            throw DataError("The label \(largest) would make \(largest) + 1 classes; labels written as whole numbers are class ids 0, 1, 2, ….", file: source,
                            hint: "Check that `label_column` names the label column, or give the class names (a ClassLabel feature, or classes.txt beside the files).")
        }
        for split in splits {
            if let row = split.firstIndex(where: { $0 < 0 || $0 >= count }) {
                throw DataError("Row \(row + 1) has the label \(split[row]), outside the classes 0 to \(count - 1)\(given.map { " listed in \($0.source)" } ?? "").",
                                file: source)
            }
        }
        return (given?.names ?? (0..<count).map(String.init), splits.map { .classes($0) })
    }

    /// How many classes whole-number labels stand for: the given names', else the largest id + 1; nil when that
    /// is more than any lesson has (a column of large numbers, an id column found by fuzzing, would otherwise
    /// ask for millions of classes).
    static func idClassCount(largest: Int, given: ClassNames?) -> Int? {
        if let given { return given.names.count }
        return largest >= maximumClassCount ? nil : largest + 1
    }

    /// Class names the data gives, and where they come from (for messages).
    struct ClassNames {
        var names: [String]
        var source: String

        /// classes.txt beside a table, one name a line, when there is one.
        static func classesFile(_ path: String) -> ClassNames? {
            FileManager.default.contents(atPath: path).map {
                ClassNames(names: String(decoding: $0, as: UTF8.self).split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }, source: "classes.txt")
            }
        }
    }

    /// Class names and the id of each written value: whole numbers are ids 0, 1, … (names from
    /// `given`, else the numbers); text is names (`given`'s order, else sorted).
    static func classEncoding(_ values: [Written], classNames given: ClassNames?) throws(DataError) -> (names: [String], encode: [String: Int]) {
        let classNames = given?.names
        let source = given?.source ?? "classes.txt"
        if !values.isEmpty, values.allSatisfy({ Int($0.value) != nil }) {
            // Whole numbers are class ids 0, 1, ….
            let largest = values.max { Int($0.value)! < Int($1.value)! }!
            guard let count = idClassCount(largest: Int(largest.value)!, given: given) else {
                throw DataError("The label \(largest.value) would make \(largest.value) + 1 classes; labels written as whole numbers are class ids 0, 1, 2, ….",
                                file: largest.file, line: largest.line,
                                hint: "Check that `label_column` names the label column, or write the class names in classes.txt beside the file.")
            }
            if let bad = values.first(where: { Int($0.value)! < 0 || Int($0.value)! >= count }) {
                throw DataError("The label \(bad.value) is outside the classes 0 to \(count - 1)\(classNames != nil ? " listed in \(source)" : "").",
                                file: bad.file, line: bad.line)
            }
            let names = classNames ?? (0..<count).map(String.init)
            return (names, Dictionary(uniqueKeysWithValues: (0..<count).map { (String($0), $0) }).merging(
                values.map { ($0.value, Int($0.value)!) }, uniquingKeysWith: { a, _ in a }))
        }
        let names = classNames ?? Array(Set(values.map(\.value))).sorted()
        let encode = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        if let bad = values.first(where: { encode[$0.value] == nil }) {
            throw DataError("The label `\(bad.value)` is not one of the classes in \(source).", file: bad.file, line: bad.line)
        }
        return (names, encode)
    }
}

extension TableReader.RawLabel {
    /// A multi-label row's labels: a JSON array's items, or a field split at `delimiter` (an empty field: none).
    func items(delimiter: String) -> [String] {
        switch value {
        case let .list(items): return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case let .text(text):
            return text.components(separatedBy: delimiter).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// The label as the data wrote it, for messages.
    var shown: String {
        switch value {
        case let .text(text): return text
        case let .list(items): return "[" + items.joined(separator: ", ") + "]"
        }
    }
}
