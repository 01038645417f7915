/// A split as `datasets` writes it: `train`, `train[:1000]`, `train[10:20]`, `train[:10%]`,
/// `test[-200:]`, and several joined with `+`. Bounds are clamped to the split as `datasets`
/// clamps them; percentages are rounded to the closest row (ties to even, as Python's `round`).
public struct SplitExpression: Sendable, Equatable, CustomStringConvertible {
    public struct Part: Sendable, Equatable {
        public var split: String
        public var from: Int?
        public var to: Int?
        public var percent: Bool
    }

    public var parts: [Part]
    public let text: String

    public init(_ text: String) throws(DataError) {
        self.text = text
        var parts: [Part] = []
        for piece in text.split(separator: "+", omittingEmptySubsequences: false) {
            parts.append(try Self.parsePart(piece.trimmingCharacters(in: .whitespaces), whole: text))
        }
        self.parts = parts
    }

    public var description: String { text }

    /// The name of the (first) split it reads.
    public var splitName: String { parts[0].split }

    private static func parsePart(_ text: String, whole: String) throws(DataError) -> Part {
        let invalid = DataError("`\(whole)` is not a split expression.", file: "split",
                                hint: "Write a split name with an optional slice, such as `train`, `train[:1000]`, `train[:10%]` or `test[-200:]`.")
        guard let open = text.firstIndex(of: "[") else {
            guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { throw invalid }
            return Part(split: text, from: nil, to: nil, percent: false)
        }
        let name = String(text[..<open])
        guard !name.isEmpty, text.hasSuffix("]"), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { throw invalid }
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let bounds = inside.split(separator: ":", omittingEmptySubsequences: false)
        guard bounds.count == 2 else { throw invalid }
        func bound(_ text: Substring) throws(DataError) -> (value: Int?, percent: Bool) {
            var digits = text.replacingOccurrences(of: "_", with: "")
            guard !digits.isEmpty else { return (nil, false) }
            let percent = digits.hasSuffix("%")
            if percent { digits.removeLast() }
            guard let value = Int(digits) else { throw invalid }
            if percent, abs(value) > 100 {
                throw DataError("`\(whole)` asks for more than 100%.", file: "split", hint: "Percentages go from -100% to 100%.")
            }
            return (value, percent)
        }
        let from = try bound(bounds[0]), to = try bound(bounds[1])
        if from.value != nil, to.value != nil, from.percent != to.percent {
            throw DataError("`\(whole)` mixes a row number and a percentage.", file: "split", hint: "Use both as rows or both as percentages.")
        }
        return Part(split: name, from: from.value, to: to.value, percent: from.percent || to.percent)
    }

    /// The rows these expressions need from the start of each split they name (nil: all of its rows, as a
    /// percentage, a bound from the end or an open end needs the split's size); splits they do not name
    /// are not needed. `train[:1000]` needs 1,000 rows of `train`, whatever its size.
    public static func rowsNeeded(_ expressions: [SplitExpression]) -> [String: Int?] {
        var needed: [String: Int?] = [:]
        for part in expressions.flatMap(\.parts) {
            let prefix: Int? = !part.percent && (part.from ?? 0) >= 0 ? part.to.flatMap { $0 >= 0 ? $0 : nil } : nil
            switch (needed[part.split], prefix) {
            case (nil, _): needed[part.split] = .some(prefix)
            case let (.some(earlier?), now?): needed[part.split] = .some(max(earlier, now))
            default: needed[part.split] = .some(nil)
            }
        }
        return needed
    }

    /// The row range a part selects in a split of `count` rows.
    public static func range(of part: Part, count: Int) -> Range<Int> {
        func absolute(_ bound: Int?, default value: Int) -> Int {
            guard let bound else { return value }
            if part.percent { return Int((Double(bound * count) / 100.0).rounded(.toNearestOrEven)) }
            return bound
        }
        var from = absolute(part.from, default: 0)
        var to = absolute(part.to, default: count)
        if from < 0 { from = max(count + from, 0) }
        if to < 0 { to = max(count + to, 0) }
        from = min(from, count)
        to = min(to, count)
        return from..<max(from, to)
    }

    /// The rows this expression selects from `dataset`, as one split named after the first part.
    public func select(from dataset: Dataset) throws(DataError) -> DatasetSplit {
        var result = DatasetSplit(name: splitName, texts: [], targets: dataset.splits.first?.targets.emptied ?? .classes([]),
                                  pairs: dataset.splits.first?.pairs.map { _ in [] })
        for part in parts {
            guard let split = dataset[split: part.split] else {
                throw DataError("The dataset has no split `\(part.split)`.", file: dataset.source,
                                hint: "Its splits are " + dataset.splits.map { "`\($0.name)`" }.joined(separator: ", ") + ".")
            }
            let rows = Self.range(of: part, count: split.count)
            result.texts += split.texts[rows]
            result.targets = result.targets.appending(split.targets.rows(rows))
            if let pairs = split.pairs { result.pairs? += pairs[rows] }
        }
        return result
    }
}
