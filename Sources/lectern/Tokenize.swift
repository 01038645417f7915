import ArgumentParser
import Foundation
import LecternEngine

/// `lectern tokenize --model M`: texts on standard input, one JSON object per line out.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tokenize texts from standard input with a model's tokenizer (WordPiece or byte-level BPE).",
        discussion: """
        Reads one text per line, or JSON Lines with a "text" field, and writes one line per text:
        {"ids": [...], "tokens": [...]}. The ids are those Hugging Face's fast tokenizer gives.
        """)

    @Option(help: "A model name or folder (e.g. sentence-transformers/all-MiniLM-L6-v2).")
    var model: String

    @Option(help: "Truncate to this many tokens, the special tokens included.")
    var maxLength: Int?

    @Flag(help: "Read JSON Lines with a \"text\" field instead of plain lines.")
    var jsonl = false

    func run() throws {
        let tokenizer: any TextTokenizer
        do {
            tokenizer = try ModelTokenizer.load(folder: try ModelResolver.resolve(model))
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        var lineNumber = 0
        // Written in blocks: one write per line would dominate the time on a large corpus.
        var output = ""
        func flush() {
            FileHandle.standardOutput.write(Data(output.utf8))
            output.removeAll(keepingCapacity: true)
        }
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            var text = line
            if jsonl {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], let value = object["text"] as? String else {
                    printError("stdin:\(lineNumber): error: expected a JSON object with a \"text\" field.")
                    throw ExitCode(1)
                }
                text = value
            }
            let ids = tokenizer.encode(text, maxLength: maxLength).ids
            let tokens = tokenizer.tokens(ids).map(Self.jsonString).joined(separator: ",")
            output += "{\"ids\":[\(ids.map(String.init).joined(separator: ","))],\"tokens\":[\(tokens)]}\n"
            if output.utf8.count > 1 << 16 { flush() }
        }
        flush()
    }

    static func jsonString(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
