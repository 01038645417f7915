import Foundation
import LecternData
import LecternEngine
import LecternFiles

let arguments = CommandLine.arguments

/// Lectern's side of the benchmarks in bench/run_bench.py; prints one JSON object.
///
///     lectern-bench tokenizer AG_NEWS_FOLDER [BBC_FOLDER]
///     lectern-bench inference AG_NEWS_FOLDER MODEL [BATCH] [MAX_LENGTH] [THREADS] [float32|bf16]
///     lectern-bench training AG_NEWS_FOLDER MODEL [SEED] [float32|bf16]
///     lectern-bench evaluation AG_NEWS_FOLDER MODEL [float32|bf16]
///     lectern-bench load PATH SPLIT
///     lectern-bench peak [THREADS]
///     lectern-bench products [THREADS]
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

/// The matrix products' precision from the argument at `index` ("bf16" or "float32", the default).
func precision(argument index: Int) -> MatrixPrecision {
    MatrixPrecision.forRequest(bf16: arguments.count > index && arguments[index] == "bf16").precision
}

func texts(_ folder: String, split: String) throws -> [String] {
    try DatasetLoader.load(at: folder)[split: split]!.texts
}

guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: lectern-bench tokenizer|inference AG_NEWS_FOLDER ...\n".utf8))
    exit(2)
}
BLAS.prepare()
for warning in BLAS.kernels.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
do {
    switch arguments[1] {
    case "load":
        // A `load` cell's reading: only the rows the split expression needs, then the expression's rows.
        let expression = try SplitExpression(arguments[3])
        var rows: DatasetSplit?
        let elapsed = try seconds {
            let loaded = try DatasetLoader.load(at: arguments[2], options: LoadOptions(rowsNeeded: SplitExpression.rowsNeeded([expression])))
            rows = try expression.select(from: loaded)
        }
        let split = rows!
        // The peak of the load itself: the digest below builds its own copy of the rows.
        let peak = peakResidentMegabytes()
        var digest = ""
        let hashing = seconds { digest = ContentHash.sha256(text: zip(split.labels, split.texts).map { "\($0)\t\($1)\n" }.joined()) }
        print("{\"rows\": \(split.count), \"seconds\": \(elapsed), \"sha256\": \"\(digest)\", \"peak_rss_mb\": \(peak), \"hash_seconds\": \(hashing)}")
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
        BLAS.setThreads(arguments.count > 6 ? Int(arguments[6])! : MachineReport.cores)
        let classifier = try TextClassifier(folder: try ModelResolver.resolve(model), labels: ["World", "Sports", "Business", "Sci/Tech"])
        let corpus = try texts(arguments[2], split: "test")
        let products = precision(argument: 7)
        let classifierWithLength = TextClassifier(tokenizer: classifier.tokenizer, model: classifier.model, maxLength: maxLength)
        _ = try classifierWithLength.classify(Array(corpus.prefix(batch)), batchSize: batch, precision: products)
        var predicted: [Int] = []
        let elapsed = try seconds { predicted = try classifierWithLength.classify(corpus, batchSize: batch, precision: products).map(\.label) }
        let histogram = (0..<4).map { label in predicted.filter { $0 == label }.count }
        print("{\"texts\": \(corpus.count), \"seconds\": \(elapsed), \"texts_per_second\": \(Double(corpus.count) / elapsed), \"peak_rss_mb\": \(peakResidentMegabytes()), \"label_counts\": \(histogram)}")
    case "training":
        // The course notebook's training steps alone (no evaluation, no checkpoint): AG News
        // train[:1000] split 0.8/0.2 with seed 42, batches of 8 in order, learning rate 5e-5 decaying
        // linearly, weight decay 0.01, clipping at 1, dropout on. Reports the time spent in steps and
        // the model FLOPs on the real sequence lengths.
        let seed = arguments.count > 4 ? UInt64(arguments[4])! : 42
        BLAS.setThreads(MachineReport.cores)
        let rows = try SplitExpression("train[:1000]").select(from: try DatasetLoader.load(at: arguments[2]))
        let train = rows.select(try TrainTestSplit(testSize: .fraction(0.2), seed: 42).indices(count: rows.count).train)
        let folder = try ModelResolver.resolve(arguments[3])
        let tokenizer = try BertTokenizer(folder: folder)
        let sequences = train.texts.map { tokenizer.encode($0, maxLength: 512).ids }
        let checkpoint = try ModelCheckpoint(folder: folder, labels: ["World", "Sports", "Business", "Sci/Tech"], seed: seed)
        let model = TrainingModel(parameters: checkpoint.parameters, seed: seed, precision: precision(argument: 5))
        let optimizer = AdamW(parameters: checkpoint.parameters, weightDecay: 0.01)
        let config = checkpoint.parameters.config
        let batchSize = 8, steps = sequences.count / batchSize
        let schedule = LearningRateSchedule(peak: 5e-5, warmupSteps: 0, totalSteps: steps)
        var stepSeconds: [Double] = [], flops = 0.0
        for step in 0..<steps {
            let range = (step * batchSize)..<((step + 1) * batchSize)
            let batch = TokenBatch(Array(sequences[range])), labels = Array(train.labels[range])
            stepSeconds.append(try seconds {
                model.zeroGradients()
                _ = try model.forward(batch, labels: labels)
                model.backward()
                _ = optimizer.apply(model, rate: schedule.rate(at: step), maxGradNorm: 1)
            })
            // Forward and backward: 6 FLOPs per weight per token in the dense layers; the attention
            // products (QKᵀ and PV, 2·L²·h each forward) three times over.
            let (h, i) = (Double(config.hiddenSize), Double(config.intermediateSize))
            let dense = Double(config.numHiddenLayers) * (4 * h * h + 2 * h * i)
            for length in zip(batch.sequenceStarts, batch.sequenceStarts.dropFirst()).map({ Double($1 - $0) }) {
                flops += 6 * dense * length + 3 * Double(config.numHiddenLayers) * 4 * length * length * h
            }
        }
        let total = stepSeconds.reduce(0, +)
        print("{\"steps\": \(steps), \"samples\": \(steps * batchSize), \"step_seconds\": \(total), "
              + "\"samples_per_second\": \(Double(steps * batchSize) / total), \"median_step_seconds\": \(stepSeconds.sorted()[steps / 2]), "
              + "\"gflops_per_second\": \(flops / total / 1e9), \"peak_rss_mb\": \(peakResidentMegabytes()), \"precision\": \"\(model.precision.rawValue)\"}")
    case "evaluation":
        // The course notebook's `evaluate` cell alone: the 200 held-out texts of AG News train[:1000]
        // (split 0.8/0.2, seed 42) in batches of 8, with the model as loaded (its head initialised from seed 42).
        BLAS.setThreads(MachineReport.cores)
        let rows = try SplitExpression("train[:1000]").select(from: try DatasetLoader.load(at: arguments[2]))
        let test = rows.select(try TrainTestSplit(testSize: .fraction(0.2), seed: 42).indices(count: rows.count).test)
        let folder = try ModelResolver.resolve(arguments[3])
        let tokenizer = try BertTokenizer(folder: folder)
        let examples = zip(test.texts, test.labels).map { LabelledSequence(ids: tokenizer.encode($0, maxLength: 512).ids, target: .label($1)) }
        let checkpoint = try ModelCheckpoint(folder: folder, labels: ["World", "Sports", "Business", "Sci/Tech"], seed: 42)
        var metrics: [(key: String, value: Double)] = []
        let elapsed = try seconds {
            metrics = try Evaluation.run(parameters: checkpoint.parameters, precision: precision(argument: 4), batchSize: 8, examples: examples,
                                         computeMetrics: { _, _, _ in [] }).metrics
        }
        let loss = metrics.first { $0.key == "eval_loss" }!.value
        print("{\"texts\": \(examples.count), \"seconds\": \(elapsed), \"samples_per_second\": \(Double(examples.count) / elapsed), \"eval_loss\": \(loss)}")
    case "peak":
        // The machine's attainable peak for the engine: OpenBLAS sgemm on large square matrices,
        // the best of five products of 3072 × 3072 × 3072.
        BLAS.setThreads(arguments.count > 2 ? Int(arguments[2])! : MachineReport.cores)
        let size = 3072
        let a = [Float](repeating: 0.5, count: size * size), b = [Float](repeating: 0.25, count: size * size)
        var c = [Float](repeating: 0, count: size * size)
        var best = Double.infinity
        for _ in 0..<5 {
            best = min(best, seconds {
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: false, transposeB: false, m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size, c: c.baseAddress!, ldc: size)
                }
            })
        }
        print("{\"threads\": \(BLAS.threads), \"gflops_per_second\": \(2 * pow(Double(size), 3) / best / 1e9)}")
    case "products":
        // The course model's products (hidden 384, 1,536 between; 2,048 tokens: an evaluation batch of
        // 32 texts of 64; 512 tokens: a training batch of 8), float32 (OpenBLAS) against bfloat16 (Lectern's kernels): best of five, GFLOP/s.
        BLAS.setThreads(arguments.count > 2 ? Int(arguments[2])! : MachineReport.cores)
        let shapes: [(name: String, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int)] = [
            ("qkv forward", false, true, 2048, 1152, 384), ("intermediate forward", false, true, 2048, 1536, 384),
            ("output forward", false, true, 2048, 384, 1536), ("output input gradient", false, false, 2048, 1536, 384),
            ("intermediate weight gradient", true, false, 1536, 384, 2048), ("qkv forward, 512 tokens", false, true, 512, 1152, 384),
            ("output input gradient, 512 tokens", false, false, 512, 1536, 384), ("attention output weight gradient, 512 tokens", true, false, 384, 384, 512),
            ("attention scores (one head)", false, true, 64, 64, 32), ("attention context (one head)", false, false, 64, 32, 64),
            ("square 1024", false, false, 1024, 1024, 1024),
        ]
        var rows: [String] = []
        for shape in shapes {
            let a = [Float](repeating: 0.5, count: shape.m * shape.k), b = [Float](repeating: 0.25, count: shape.k * shape.n)
            var c = [Float](repeating: 0, count: shape.m * shape.n)
            let repeats = max(1, 200_000_000 / (shape.m * shape.n * shape.k))
            var speed: [String: Double] = [:]
            for precision in [MatrixPrecision.float32, .bfloat16] {
                var best = Double.infinity
                for _ in 0..<5 {
                    best = min(best, seconds {
                        c.withUnsafeMutableBufferPointer { c in
                            for _ in 0..<repeats {
                                precision.multiply(transposeA: shape.transposeA, transposeB: shape.transposeB, m: shape.m, n: shape.n, k: shape.k,
                                                   a: a, lda: shape.transposeA ? shape.m : shape.k, b: b, ldb: shape.transposeB ? shape.k : shape.n,
                                                   c: c.baseAddress!, ldc: shape.n)
                            }
                        }
                    })
                }
                speed[precision.rawValue] = 2 * Double(shape.m * shape.n * shape.k * repeats) / best / 1e9
            }
            rows.append("{\"shape\": \"\(shape.name)\", \"m\": \(shape.m), \"n\": \(shape.n), \"k\": \(shape.k), "
                        + "\"float32_gflops\": \(speed["float32"]!), \"bfloat16_gflops\": \(speed["bfloat16"]!)}")
        }
        print("{\"threads\": \(BLAS.threads), \"products\": [\(rows.joined(separator: ", "))]}")
    default:
        FileHandle.standardError.write(Data("unknown benchmark \(arguments[1])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
