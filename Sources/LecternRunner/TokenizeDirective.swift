import Foundation
import LecternData
import LecternEngine
import LecternNotebook
import LecternTranscript

/// ```tokenize```: turns the loaded texts into token ids with the model's tokenizer (WordPiece or byte-level BPE)
/// tokenizer, like `dataset.map(lambda e: tokenizer(e["text"], padding=..., truncation=...))`.
public struct TokenizeDirective: DirectiveHandler {
    public init() {}

    public static let name = DirectiveName.tokenize
    public static let provides: [SessionResource] = [.tokenizer]
    public static func needs(_ arguments: DirectiveArguments) -> [SessionResource] { [.dataset] }

    public func inputs(_ settings: Settings, context: RunContext) -> [String] {
        (try? ModelResolver.resolve(settings.model, relativeTo: context.baseFolder)).map { [$0] } ?? []
    }

    public func run(_ settings: Settings, session: inout Session, context: RunContext) throws(Diagnostic) -> CellResult {
        let arguments = settings.arguments
        guard let loaded = session.dataset else { throw arguments.problem("There is no dataset to tokenize.", with: ModelChoice.required) }
        let folder: String
        let tokenizer: any TextTokenizer
        let config: ModelConfig
        do {
            folder = try ModelResolver.resolve(settings.model, relativeTo: context.baseFolder)
            tokenizer = try ModelTokenizer.load(folder: folder)
            config = try ModelConfig(contentsOf: (folder as NSString).appendingPathComponent("config.json"))
        } catch {
            throw arguments.problem(error.statement, with: ModelChoice.required, hint: error.hint)
        }
        let modelMaximum = config.maxSequenceLength
        let maxLength = settings.maxLength ?? ModelTokenizer.defaultMaxLength(folder: folder, positions: modelMaximum)
        if maxLength > modelMaximum {
            throw arguments.problem("`max_length` \(maxLength) is more than the model's \(modelMaximum) positions.", with: TokenLimit.maxLength)
        }
        let strategy = settings.truncation.strategy, truncation = settings.truncation.cuts
        if strategy != .longestFirst, loaded.dataset.splits.first?.pairs == nil {
            throw arguments.problem("`truncation: \(strategy.rawValue)` cuts one text of a sentence pair, but the dataset has single texts.", with: Settings.truncation,
                                    hint: "Use `truncation: true`, or load pairs with `text_pair_column`.")
        }
        if truncation, loaded.dataset.splits.first?.pairs != nil, maxLength < tokenizer.pairSpecialTokenCount + 1 {
            throw arguments.problem("`max_length` \(maxLength) leaves no room for a sentence pair's pieces beside its \(tokenizer.pairSpecialTokenCount) special tokens.",
                                    with: TokenLimit.maxLength)
        }

        var splits: [String: [[Int32]]] = [:], typeIDs: [String: [[Int32]?]] = [:]
        var statistics: [TokenStatistics] = []
        let total = loaded.dataset.splits.reduce(0) { $0 + $1.count }
        var done = 0
        for split in loaded.dataset.splits {
            let encoded = try Self.encode(split, tokenizer: tokenizer, maxLength: truncation ? maxLength : nil, strategy: strategy, arguments) {
                done += 1
                if done % 2000 == 0 { context.progress.progress(done: done, total: total, unit: "texts", note: nil) }
            }
            splits[split.name] = encoded.ids
            if split.pairs != nil { typeIDs[split.name] = encoded.types }
            statistics.append(TokenStatistics(split: split.name, lengths: encoded.ids.map(\.count), fullLengths: encoded.fullLengths,
                                              truncated: encoded.truncated, overLimit: encoded.ids.filter { $0.count > modelMaximum }.count))
        }
        if let worst = statistics.first(where: { $0.overLimit > 0 }) {
            throw arguments.problem("\(worst.overLimit) \(worst.split) texts have more tokens than the model's \(modelMaximum) positions.", with: ModelChoice.required,
                                    hint: "Add `truncation: true` to cut them at `max_length`.")
        }
        session.recordInput(kind: .model, name: settings.model, path: folder, hashes: context.hashes)
        session.tokenized = TokenizedDataset(modelName: settings.model, modelFolder: folder, tokenizer: tokenizer,
                                             maxLength: truncation ? maxLength : nil, truncation: strategy, padding: settings.padding.rawValue, splits: splits,
                                             typeIDs: typeIDs)
        return Self.report(statistics: statistics, session: session, maxLength: maxLength, padding: settings.padding.rawValue, truncation: truncation, folder: folder)
    }

    /// One split's texts (or sentence pairs) as ids and token types, with each text's length before
    /// truncation and how many were cut; `encoded` is called after each text.
    static func encode(_ split: DatasetSplit, tokenizer: any TextTokenizer, maxLength: Int?, strategy: TruncationStrategy,
                       _ arguments: DirectiveArguments, encoded: () -> Void) throws(Diagnostic)
        -> (ids: [[Int32]], types: [[Int32]?], fullLengths: [Int], truncated: Int) {
        var ids: [[Int32]] = [], types: [[Int32]?] = [], fullLengths: [Int] = [], truncated = 0
        ids.reserveCapacity(split.count)
        for (row, text) in split.texts.enumerated() {
            let encoding: Encoding
            if let pair = split.pairs?[row] {
                do {
                    encoding = try tokenizer.encode(text, pair: pair, maxLength: maxLength, strategy: strategy)
                } catch {
                    throw arguments.problem("Row \(row + 1) of the \(split.name) split: \(error.message)", with: Settings.truncation,
                                            hint: "Use `truncation: longest_first`, which cuts whichever text is longer.")
                }
            } else {
                encoding = tokenizer.encode(text, maxLength: maxLength)
            }
            fullLengths.append(encoding.ids.count + encoding.truncatedTokens)
            if encoding.truncatedTokens > 0 { truncated += 1 }
            ids.append(encoding.ids)
            types.append(encoding.typeIDs)
            encoded()
        }
        return (ids, types, fullLengths, truncated)
    }

    /// Token counts of one split: as kept (`lengths`) and before truncation (`fullLengths`).
    struct TokenStatistics {
        var split: String
        var lengths: [Int]
        var fullLengths: [Int]
        var truncated: Int
        var overLimit: Int
    }

    static func report(statistics: [TokenStatistics], session: Session,
                       maxLength: Int, padding: String, truncation: Bool, folder: String) -> CellResult {
        let specials = session.tokenized.map { wrappingTokens($0.tokenizer) } ?? "[CLS] and [SEP]"
        var rows: [[String]] = []
        var perSplit: [(key: String, value: JSONValue)] = []
        for item in statistics {
            let sorted = item.lengths.sorted()
            let mean = Double(sorted.reduce(0, +)) / Double(max(sorted.count, 1))
            let median = sorted.isEmpty ? 0 : (sorted.count % 2 == 1 ? Double(sorted[sorted.count / 2]) : Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
            let p95 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((0.95 * Double(sorted.count - 1)).rounded()))]
            let longest = sorted.last ?? 0
            rows.append([item.split, item.lengths.count.grouped, String(format: "%.1f", mean), String(format: "%g", median), String(p95), String(longest), item.truncated.grouped])
            perSplit.append((key: item.split, value: .object([("num_texts", .int(item.lengths.count)), ("mean_tokens", .double((mean * 100).rounded() / 100)),
                                                               ("median_tokens", .double(median)), ("p95_tokens", .int(p95)),
                                                               ("max_tokens", .int(longest)), ("truncated", .int(item.truncated))])))
        }
        var blocks: [OutputBlock] = [
            .table(OutputTable(title: "Tokens per text (\(specials) included)", columns: ["Split", "Texts", "Mean", "Median", "95th pct", "Max", "Truncated"],
                               rows: rows, numericColumns: Set(1...6))),
        ]
        if let training = statistics.first(where: { $0.split == session.dataset?.dataset.trainingSplit?.name }) ?? statistics.first {
            blocks.append(.chart(lengthHistogram(training.fullLengths, split: training.split, maxLength: maxLength, truncation: truncation, specials: specials)))
        }
        if padding == "max_length" {
            blocks.append(.text("Padding to \(maxLength) tokens is recorded, not computed: Lectern runs each text at its real length, which gives the same numbers as padded batches with an attention mask."))
        }
        var outputs: [(key: String, value: JSONValue)] = [("model_folder", .string(folder)), ("max_length", .int(maxLength)),
                                                          ("truncation", .bool(truncation)), ("padding", .string(padding)), ("splits", .object(perSplit))]
        if let tokenized = session.tokenized, !tokenized.typeIDs.isEmpty {
            outputs.insert(("truncation_strategy", .string(tokenized.truncation.rawValue)), at: 3)
        }
        if let tokenized = session.tokenized, let dataset = session.dataset?.dataset, let first = dataset.trainingSplit,
           let ids = tokenized.splits[first.name]?.first {
            let tokens = tokenized.tokenizer.tokens(ids)
            for (index, text) in first.texts.prefix(3).enumerated() {
                blocks.append(.tokens(tokenView(text, pair: first.pairs?[index], number: index + 1, split: first.name, tokenizer: tokenized.tokenizer,
                                                maxLength: truncation ? maxLength : nil, strategy: tokenized.truncation)))
            }
            var example: [(key: String, value: JSONValue)] = [("tokens", .array(tokens.map { .string($0) })), ("input_ids", .array(ids.map { .int(Int($0)) }))]
            if let types = tokenized.typeIDs[first.name]?.first {
                example.append(("token_type_ids", .array((types ?? ids.map { _ in 0 }).map { .int(Int($0)) })))
            }
            outputs.append(("first_example", .object(example)))
        }
        return CellResult(outputs: .object(outputs), blocks: blocks)
    }

    /// Tokens per text before truncation, with `max_length` marked; a long tail is gathered in the last bin.
    static func lengthHistogram(_ lengths: [Int], split: String, maxLength: Int, truncation: Bool, specials: String) -> Chart {
        let sorted = lengths.sorted()
        let p99 = sorted.isEmpty ? maxLength : sorted[min(sorted.count - 1, Int(0.99 * Double(sorted.count - 1)))]
        let upper = Double(max(p99, maxLength) + 1)
        let width = max(1, (upper / 30).rounded(.up))
        let binCount = Int((upper / width).rounded(.up))
        var counts = [Int](repeating: 0, count: binCount)
        for length in lengths { counts[min(Int(Double(length) / width), binCount - 1)] += 1 }
        let edges = (0...binCount).map { Double($0) * width }
        return Chart(title: "Tokens per \(split) text" + (sorted.last.map { $0 > Int(upper) ? " (longer ones in the last bar)" : "" } ?? ""),
                     kind: .histogram(edges: edges, counts: counts,
                                      marker: Chart.Marker(x: Double(maxLength), label: "max_length \(maxLength)" + (truncation ? ": cut here" : ""))),
                     xLabel: "tokens per text (\(specials) included)", yLabel: "texts")
    }

    /// The tokens the tokenizer wraps every text in, for titles: "[CLS] and [SEP]", "<s> and </s>".
    static func wrappingTokens(_ tokenizer: any TextTokenizer) -> String {
        tokenizer.tokens(tokenizer.encode("").ids).joined(separator: " and ")
    }

    /// A text's (or sentence pair's) word pieces as the model sees them, with what truncation would
    /// cut, up to 200 pieces.
    static func tokenView(_ text: String, pair: String? = nil, number: Int, split: String, tokenizer: any TextTokenizer, maxLength: Int?,
                          strategy: TruncationStrategy = .longestFirst) -> TokenView {
        let first = tokenizer.pieceIDs(text)
        let ids: [Int32], cutRanges: [Range<Int>]
        if let pair {
            // Each text keeps its first pieces, as many as the strategy leaves it.
            let second = tokenizer.pieceIDs(pair)
            ids = tokenizer.wrapPair(first, second).ids
            let secondStart = ids.count - 1 - second.count
            let room = maxLength.map { max(0, $0 - tokenizer.pairSpecialTokenCount) }
            let (keepFirst, keepSecond) = room.flatMap { room in
                first.count + second.count > room ? try? strategy.kept(first.count, second.count, room: room) : nil
            } ?? (first.count, second.count)
            cutRanges = [(1 + keepFirst)..<(1 + first.count), (secondStart + keepSecond)..<(secondStart + second.count)]
        } else {
            // Truncation keeps the first special token, the first pieces, and the last: the cut pieces end the text.
            ids = [tokenizer.clsID] + first + [tokenizer.sepID]
            let cut = tokenizer.encode(text, maxLength: maxLength).truncatedTokens
            cutRanges = [(1 + first.count - cut)..<(1 + first.count)]
        }
        let tokens = tokenizer.tokens(ids)
        let special = tokenizer.specialIDs
        let shown = min(ids.count, 200)
        let pieces = (0..<shown).map { index in
            let id = ids[index], (text, joins) = tokenizer.readable(tokens[index])
            let kind: TokenView.Kind = special.contains(id) ? .special : id == tokenizer.unknownID ? .unknown
                : joins && index > 0 && !special.contains(ids[index - 1]) ? .continuation : .word
            return TokenView.Piece(text: special.contains(id) ? tokens[index] : text, id: Int(id), kind: kind,
                                   cut: cutRanges.contains { $0.contains(index) })
        }
        let cut = cutRanges.reduce(0) { $0 + $1.count }
        return TokenView(title: "\(split.capitalized) example \(number) as word pieces: \(ids.count) tokens"
                            + (cut > 0 ? ", \(cut) cut by truncation" : ""),
                         pieces: pieces, omitted: ids.count - shown)
    }
}
