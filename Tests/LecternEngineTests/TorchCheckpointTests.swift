import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// `pytorch_model.bin` as transformers wrote it before safetensors, and hostile ones
/// (Tests/reference/make_torch_checkpoint_fixtures.py; the rest are built here byte by byte).
struct TorchCheckpointTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures/torch-checkpoints", withExtension: nil)!.path
    static let tinyModel = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path
    /// Written by the hostile pickles' payloads if anything ran them.
    static let sideEffect = "/tmp/lectern-pickle-side-effect"

    static func values(_ file: any WeightsFile, _ name: String) throws -> [Float] {
        let count = file.shapes[name]!.reduce(1, *)
        var values = [Float](repeating: .nan, count: count)
        try values.withUnsafeMutableBufferPointer { try file.read(name, into: $0) }
        return values
    }

    /// The tiny classifier's folder with `weights` in place of model.safetensors.
    static func binFolder(_ weights: String) throws -> String {
        let scratch = ScratchFolder()
        for file in ["config.json", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: tinyModel + "/" + file, toPath: scratch.path + "/" + file)
        }
        try FileManager.default.copyItem(atPath: fixtures + "/" + weights, toPath: scratch.path + "/pytorch_model.bin")
        return scratch.path
    }

    @Test func aTransformersBinHoldsTheSafetensorsWeightsExactly() throws {
        let bin = try TorchCheckpointFile(path: Self.fixtures + "/tiny-f32.bin")
        let safetensors = try SafetensorsFile(path: Self.tinyModel + "/model.safetensors")
        #expect(Set(safetensors.shapes.keys).subtracting(bin.shapes.keys).isEmpty)
        for name in safetensors.shapes.keys {
            #expect(bin.shapes[name] == safetensors.shapes[name])
            #expect(try Self.values(bin, name) == Self.values(safetensors, name), "\(name)")
        }
        // The int64 position_ids buffer of transformers < 4.31 is in the file but is not a weight.
        #expect(bin.shapes["bert.embeddings.position_ids"] == [1, 128])
        #expect(throws: ModelError.self) { try Self.values(bin, "bert.embeddings.position_ids") }
    }

    @Test func predictionsFromABinAreThoseFromSafetensors() throws {
        let texts = try JSONDecoder().decode([String: [String]].self,
                                             from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json")).prefixJSONObject(key: "texts"))["texts"]!
        let fromSafetensors = try TextClassifier(folder: Self.tinyModel).classify(texts)
        let fromBin = try TextClassifier(folder: try Self.binFolder("tiny-f32.bin")).classify(texts)
        // The same weights (tested bit for bit above); other tests may change OpenBLAS's thread count meanwhile,
        // which moves float32 sums in their last bits, hence a tolerance.
        for (bin, safetensors) in zip(fromBin, fromSafetensors) {
            #expect(zip(bin.logits, safetensors.logits).allSatisfy { abs($0 - $1) <= 1e-5 })
        }
    }

    @Test func aHalfPrecisionStateDictPredictsWhatPyTorchPredictsFromIt() throws {
        struct Expected: Decodable {
            let texts: [String]
            let f16_logits: [[Float]]
        }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json")))
        let predictions = try TextClassifier(folder: try Self.binFolder("tiny-f16.bin")).classify(expected.texts)
        for (prediction, logits) in zip(predictions, expected.f16_logits) {
            let difference = zip(prediction.logits, logits).map { abs($0 - $1) }.max()!
            #expect(difference < 1e-4, "\(prediction.logits) vs \(logits)")
        }
    }

    @Test func trainingFromABinGivesTheWeightsTrainingFromSafetensorsGives() throws {
        let tokenizer = try BertTokenizer(folder: Self.tinyModel)
        func train(_ folder: String) throws -> [Float] {
            let checkpoint = try ModelCheckpoint(folder: folder)
            var arguments = TrainingArguments(outputDir: ScratchFolder().path)
            arguments.numTrainEpochs = 1
            arguments.saveStrategy = .no
            arguments.learningRate = 1e-3
            let trainer = Trainer(parameters: checkpoint.parameters, arguments: arguments, tokenizerFolder: nil, computeMetrics: TrainerTests.accuracy)
            _ = try trainer.train(TrainerTests.examples(tokenizer, count: 16), eval: nil)
            return Array(checkpoint.parameters.storage)
        }
        let fromSafetensors = try train(Self.tinyModel)
        let fromBin = try train(try Self.binFolder("tiny-f32.bin"))
        #expect(fromBin.count == fromSafetensors.count)
        #expect(zip(fromBin, fromSafetensors).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
    }

    @Test func safetensorsIsPreferredWhenAFolderHasBoth() throws {
        let folder = try Self.binFolder("views.bin")
        try FileManager.default.copyItem(atPath: Self.tinyModel + "/model.safetensors", toPath: folder + "/model.safetensors")
        #expect(ModelWeights.path(in: folder) == folder + "/model.safetensors")
        _ = try ModelCheckpoint(folder: folder)
    }

    @Test func aFolderWithoutWeightsOrWithShardsSaysWhich() {
        let empty = ScratchFolder()
        empty.write("config.json", "{}")
        #expect(throws: ModelError("The model folder has no weights: neither model.safetensors nor pytorch_model.bin.", file: empty.path,
                                   hint: "Copy the weights file from where the model came from into this folder.")) {
            try ModelWeights.open(folder: empty.path)
        }
        empty.write("pytorch_model.bin.index.json", "{}")
        do {
            _ = try ModelWeights.open(folder: empty.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("in shards"), "\(error.message)")
        }
    }

    @Test func tensorsThatViewOneStorageReadAsTheirViews() throws {
        let file = try TorchCheckpointFile(path: Self.fixtures + "/views.bin")
        let matrix = (0..<24).map(Float.init)
        #expect(try Self.values(file, "matrix") == matrix)
        #expect(file.shapes["transposed"] == [6, 4])
        #expect(try Self.values(file, "transposed") == (0..<6).flatMap { column in (0..<4).map { Float($0 * 6 + column) } })
        #expect(try Self.values(file, "row") == [12, 13, 14, 15, 16, 17])
        #expect(try Self.values(file, "column") == [3, 9, 15, 21])
        #expect(try Self.values(file, "tail") == (5..<17).map(Float.init))
        // One storage of 24 values, however many tensors view it.
        #expect(file.storedValueCount == 24)
    }

    @Test func theLegacyFormatIsAnErrorThatSaysHowToConvert() {
        do {
            _ = try TorchCheckpointFile(path: Self.fixtures + "/legacy.bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("legacy format"), "\(error.message)")
            #expect(error.hint?.contains("save_pretrained") == true)
        }
    }

    @Test(arguments: [
        ("os-system.bin", "asks for `posix.system`"),
        ("builtins-eval.bin", "asks for `builtins.eval`"),
        ("nested-reduce.bin", "asks for `commands.call`"),
        ("huge-size.bin", "holds more values than fit in memory"),
        ("huge-storage.bin", "its storage holds 16 bytes, but its persistent id says 2305843009213693952 values"),
    ])
    func hostileCheckpointsAreErrorsAndRunNothing(file: String, expected: String) throws {
        try? FileManager.default.removeItem(atPath: Self.sideEffect)
        do {
            _ = try TorchCheckpointFile(path: Self.fixtures + "/" + file)
            Issue.record("expected an error for \(file)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: Self.sideEffect))
    }

    @Test func aRefusedGlobalIsExplainedToTheUser() throws {
        let folder = try Self.binFolder("os-system.bin")
        do {
            _ = try ModelCheckpoint(folder: folder)
            Issue.record("expected an error")
        } catch {
            #expect(error.file.hasSuffix("pytorch_model.bin"))
            #expect(error.message.contains("refused it and ran nothing"))
            #expect(error.hint?.contains("malicious") == true)
        }
    }

    // MARK: - Archives and pickles built here

    /// A zip of stored entries as torch.save writes them (CRCs are not checked by the reader).
    static func storedZip(_ entries: [(String, [UInt8])]) -> [UInt8] {
        func le(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var bytes: [UInt8] = [], directory: [UInt8] = []
        for (name, data) in entries {
            let offset = bytes.count
            let fields = le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + le(data.count, 4) + le(data.count, 4) + le(name.utf8.count, 2) + le(0, 2)
            bytes += le(0x0403_4B50, 4) + le(20, 2) + fields + Array(name.utf8) + data
            directory += le(0x0201_4B50, 4) + le(20, 2) + le(20, 2) + fields + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(offset, 4) + Array(name.utf8)
        }
        let end = le(0x0605_4B50, 4) + le(0, 4) + le(entries.count, 2) + le(entries.count, 2) + le(directory.count, 4) + le(bytes.count, 4) + le(0, 2)
        return bytes + directory + end
    }

    /// A state dict pickle (protocol 2) of one float tensor `weight` of `size` on storage "0" of `count` values.
    static func stateDictPickle(size: [UInt8] = [0x4B, 4, 0x85], stride: [UInt8] = [0x4B, 1, 0x85], count: UInt8 = 4) -> [UInt8] {
        func unicode(_ text: String) -> [UInt8] { [0x58] + withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian, Array.init) + Array(text.utf8) }
        return [0x80, 2, 0x7D] + unicode("weight") + Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28, 0x28] + unicode("storage")
            + Array("ctorch\nFloatStorage\n".utf8) + unicode("0") + unicode("cpu") + [0x4B, count, 0x74, 0x51, 0x4B, 0]
            + size + stride + [0x89] + Array("ccollections\nOrderedDict\n".utf8) + [0x29, 0x52, 0x74, 0x52, 0x73, 0x2E]
    }

    static func check(_ pickle: [UInt8], storage: [UInt8] = [UInt8](repeating: 0, count: 16), name: String = #function) -> Result<TorchCheckpointFile, ModelError> {
        let path = ScratchFolder().write("pytorch_model.bin", storedZip([("archive/data.pkl", pickle), ("archive/data/0", storage)]))
        return Result { () throws(ModelError) in try TorchCheckpointFile(path: path) }
    }

    @Test func aHandBuiltStateDictReads() throws {
        let file = try Self.check(Self.stateDictPickle(), storage: SafetensorsTests.floats([1, 2, 3, 4])).get()
        #expect(try Self.values(file, "weight") == [1, 2, 3, 4])
    }

    @Test(arguments: [
        ([0x80, 2, 0x5D, 0x2E], "holds a list, not a dict"),
        ([0x80, 2, 0x7D], "truncated"),
        ([0x80, 2, 0x7D, 0x68, 7, 0x2E], "memo entry 7"),
        ([0x80, 2, 0x8A, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0x2E], "wider than 64 bits"),
        ([0x80, 2, 0x7D, 0x61, 0x2E], "empty stack"),
        ([0x80, 2, 0x7D, 0x7D, 0x61, 0x2E], "not a list"),
        ([0x80, 2, 0x7D, 0x29, 0x52, 0x2E], "not a function"),
        ([0x80, 2, 0x7D, 0x7D, 0x75, 0x2E], "never opened"),
        ([0x80, 2, 0x49, 0x31, 0x0A, 0x2E], "opcode"),
        ([0x80, 2] + Array("cos\nsystem\n".utf8), "asks for `os.system`"),
        ([0x80, 2, 0x81, 0x2E], "NEWOBJ"),
        ([0x80, 2, 0x7D, 0x2E], "no tensors"),
    ] as [([UInt8], String)])
    func malformedPicklesAreErrors(pickle: [UInt8], expected: String) {
        switch Self.check(pickle) {
        case .success: Issue.record("expected an error")
        case .failure(let error): #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func aMillionNestedListsAreAnErrorNotAStackOverflow() {
        let depth = 1_000_000
        let pickle = [0x80, 2] + [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
        guard case .failure(let error) = Self.check(pickle) else { Issue.record("expected an error"); return }
        #expect(error.message.contains("holds a list"))
    }

    @Test func sizesAndStoragesAreHeldToTheFile() {
        // A stride that puts the last element one past the storage.
        guard case .failure(let past) = Self.check(Self.stateDictPickle(stride: [0x4B, 2, 0x85])) else { Issue.record("expected an error"); return }
        #expect(past.message.contains("reaches past its storage"))
        // A storage entry shorter than the persistent id says.
        guard case .failure(let short) = Self.check(Self.stateDictPickle(), storage: [0, 0, 0]) else { Issue.record("expected an error"); return }
        #expect(short.message.contains("holds 3 bytes"))
        // A negative size.
        guard case .failure(let negative) = Self.check(Self.stateDictPickle(size: [0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x85])) else { Issue.record("expected an error"); return }
        #expect(negative.message.contains("negative"))
    }

    @Test func damagedArchivesAreErrors() throws {
        let good = Self.storedZip([("archive/data.pkl", Self.stateDictPickle()), ("archive/data/0", [UInt8](repeating: 0, count: 16))])
        let folder = ScratchFolder()
        // Every truncation of a valid checkpoint is an error, never a read past the end.
        for length in stride(from: 0, to: good.count, by: 7) {
            let path = folder.write("cut.bin", Array(good.prefix(length)))
            #expect(throws: ModelError.self) { try TorchCheckpointFile(path: path) }
        }
        let notZip = folder.write("text.bin", "not a checkpoint")
        #expect(throws: ModelError.self) { try TorchCheckpointFile(path: notZip) }
        // A directory entry whose local header offset points past the file.
        var moved = good
        let directory = good.count - 22 - (46 + 16) - (46 + 14)
        moved[directory + 42] = 0xFF
        moved[directory + 45] = 0x7F
        let path = folder.write("moved.bin", moved)
        do {
            _ = try TorchCheckpointFile(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no local header"), "\(error.message)")
        }
    }
}

private extension Data {
    /// The JSON object with only `key` kept (expected.json also holds numbers).
    func prefixJSONObject(key: String) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: self) as! [String: Any]
        return try JSONSerialization.data(withJSONObject: [key: object[key]!])
    }
}
