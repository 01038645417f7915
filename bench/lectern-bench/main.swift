import Foundation
import LecternData
import LecternEngine

/// Lectern's side of the benchmarks in bench/run_bench.py; prints one JSON object.
///
///     lectern-bench tokenizer AG_NEWS_FOLDER [BBC_FOLDER]
///     lectern-bench inference AG_NEWS_FOLDER MODEL [BATCH] [MAX_LENGTH] [THREADS]
func seconds(_ work: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try work()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func texts(_ folder: String, split: String) throws -> [String] {
    try DatasetLoader.load(at: folder)[split: split]!.texts
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: lectern-bench tokenizer|inference AG_NEWS_FOLDER ...\n".utf8))
    exit(2)
}
do {
    switch arguments[1] {
    case "tokenizer":
        let tokenizer = try BertTokenizer(folder: try ModelResolver.resolve("sentence-transformers/all-MiniLM-L6-v2"))
        var corpus = try texts(arguments[2], split: "test")
        if arguments.count > 3 { corpus += try DatasetLoader.load(at: arguments[3])[split: "train"]!.texts }
        var tokens = 0
        let elapsed = seconds { for text in corpus { tokens += tokenizer.encode(text).ids.count } }
        print("{\"texts\": \(corpus.count), \"tokens\": \(tokens), \"seconds\": \(elapsed), \"texts_per_second\": \(Double(corpus.count) / elapsed)}")
    case "inference":
        let model = arguments[3]
        let batch = arguments.count > 4 ? Int(arguments[4])! : 32
        let maxLength = arguments.count > 5 ? Int(arguments[5])! : 128
        BLAS.setThreads(arguments.count > 6 ? Int(arguments[6])! : 2)
        let classifier = try TextClassifier(folder: try ModelResolver.resolve(model), labels: ["World", "Sports", "Business", "Sci/Tech"])
        let corpus = try texts(arguments[2], split: "test")
        let classifierWithLength = TextClassifier(tokenizer: classifier.tokenizer, model: classifier.model, maxLength: maxLength)
        _ = try classifierWithLength.classify(Array(corpus.prefix(batch)), batchSize: batch)
        var predicted: [Int] = []
        let elapsed = try seconds { predicted = try classifierWithLength.classify(corpus, batchSize: batch).map(\.label) }
        let histogram = (0..<4).map { label in predicted.filter { $0 == label }.count }
        print("{\"texts\": \(corpus.count), \"seconds\": \(elapsed), \"texts_per_second\": \(Double(corpus.count) / elapsed), \"peak_rss_mb\": \(peakResidentMegabytes()), \"label_counts\": \(histogram)}")
    default:
        FileHandle.standardError.write(Data("unknown benchmark \(arguments[1])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
