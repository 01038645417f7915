import Foundation
import LecternTestSupport
import Testing
@testable import LecternEngine

/// safetensors files built byte by byte, good and corrupt, and config.json edge cases.
struct SafetensorsTests {
    let folder = ScratchFolder()

    /// A safetensors file from a header string and a data area.
    func file(header: String, data: [UInt8], name: String = "w.safetensors") -> String {
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + data
        return folder.write(name, bytes)
    }

    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } } }

    @Test func readsF32F16AndBF16AsFloat() throws {
        let f16 = [Float16(1.5), Float16(-2)].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
        let bf16: [UInt8] = [0x80, 0x3F, 0x40, 0xC0]  // 1.0 and -3.0 as bfloat16
        let data = Self.floats([1, 2, 3]) + f16 + bf16 + [UInt8](repeating: 7, count: 8)
        let header = """
        {"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F16","shape":[2],"data_offsets":[12,16]},\
        "c":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]},"ids":{"dtype":"I64","shape":[1],"data_offsets":[20,28]},"__metadata__":{"format":"pt"}}
        """
        let weights = try SafetensorsFile(path: file(header: header, data: data))
        #expect(weights.metadata == ["format": "pt"])
        var values = [Float](repeating: 0, count: 3)
        try values.withUnsafeMutableBufferPointer { try weights.read("a", into: $0) }
        #expect(values == [1, 2, 3])
        var two = [Float](repeating: 0, count: 2)
        try two.withUnsafeMutableBufferPointer { try weights.read("b", into: $0) }
        #expect(two == [1.5, -2])
        try two.withUnsafeMutableBufferPointer { try weights.read("c", into: $0) }
        #expect(two == [1, -3])
        // An integer tensor is valid in the file but is not a weight.
        var one = [Float](repeating: 0, count: 1)
        #expect(throws: ModelError.self) { try one.withUnsafeMutableBufferPointer { try weights.read("ids", into: $0) } }
    }

    @Test func writtenFilesReadBack() throws {
        let values: [Float] = [0.5, -1, 3e-7, 42]
        let path = folder.path + "/out.safetensors"
        try values.withUnsafeBufferPointer { buffer in
            try SafetensorsWriter.write([("x.weight", [2, 2], buffer), ("y", [0], UnsafeBufferPointer(rebasing: buffer[0..<0]))], to: path)
        }
        let read = try SafetensorsFile(path: path)
        #expect(read.tensors["x.weight"]?.shape == [2, 2])
        var back = [Float](repeating: 0, count: 4)
        try back.withUnsafeMutableBufferPointer { try read.read("x.weight", into: $0) }
        #expect(back == values)
    }

    @Test(arguments: [
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", "needs 16 bytes, but its range holds 12"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", "overlap"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "run past the end of the data"),
        ("{\"a\":{\"dtype\":\"Q4\",\"shape\":[3],\"data_offsets\":[0,12]}}", "unknown dtype `Q4`"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[3]}}", "data_offsets"),
        ("[1, 2]", "not a JSON object"),
        ("{\"a\": ", "not a JSON object"),
    ])
    func corruptHeadersAreErrorsNamingTheTensor(header: String, expected: String) {
        let path = file(header: header, data: Self.floats([1, 2, 3]))
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("expected an error for \(header)")
        } catch {
            #expect(error.file == path)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func aHeaderLengthBeyondTheFileAndATruncatedFileAreErrors() throws {
        var bytes = withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Array($0) }
        bytes += Array("{}".utf8)
        let huge = folder.write("huge.safetensors", bytes)
        #expect(throws: ModelError.self) { try SafetensorsFile(path: huge) }
        let short = folder.write("short.safetensors", [1, 2, 3])
        #expect(throws: ModelError.self) { try SafetensorsFile(path: short) }
        #expect(throws: ModelError.self) { try SafetensorsFile(path: folder.path + "/missing.safetensors") }
    }
}

struct ConfigTests {
    let folder = ScratchFolder()

    @Test func defaultsAreTransformersDefaults() throws {
        let path = folder.write("config.json", "{\"model_type\": \"bert\"}")
        let config = try ModelConfig(contentsOf: path)
        #expect(config.hiddenSize == 768 && config.numHiddenLayers == 12 && config.intermediateSize == 3072)
        #expect(config.layerNormEps == 1e-12 && config.hiddenAct == .gelu && config.numLabels == 2)
        #expect(config.id2label == ["LABEL_0", "LABEL_1"] && !config.hasLabelNames)
    }

    @Test func labelsAndActivationsAreRead() throws {
        let path = folder.write("config.json", "{\"hidden_act\": \"gelu_new\", \"id2label\": {\"1\": \"sports\", \"0\": \"world\"}, \"hidden_dropout_prob\": 0}")
        let config = try ModelConfig(contentsOf: path)
        #expect(config.hiddenAct == .geluTanh)
        #expect(config.id2label == ["world", "sports"] && config.hasLabelNames)
        #expect(config.hiddenDropoutProb == 0)
    }

    @Test(arguments: [
        ("{\"model_type\": \"gpt2\"}", "`gpt2` model"),
        ("{\"hidden_size\": 100, \"num_attention_heads\": 12}", "not a multiple"),
        ("{\"hidden_act\": \"swish\"}", "activation `swish`"),
        ("{\"hidden_size\": \"big\"}", "`hidden_size` must be a positive whole number"),
        ("{\"id2label\": {\"0\": \"a\", \"2\": \"c\"}}", "id2label"),
        ("not json", "config.json is not valid JSON"), ("[1, 2]", "not a JSON object"),
    ])
    func badConfigsAreClearErrors(text: String, expected: String) {
        let path = folder.write("config.json", text)
        do {
            _ = try ModelConfig(contentsOf: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func aMissingConfigIsAnError() {
        #expect(throws: ModelError.self) { try ModelConfig(contentsOf: folder.path + "/config.json") }
    }

    /// The count checked before allocating is the count allocated.
    @Test func theParameterCountIsTheLayoutsSize() throws {
        let tiny = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path
        for config in [try ModelConfig(contentsOf: tiny + "/config.json"), try ModelConfig(contentsOf: folder.write("config.json", #"{"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 3, "intermediate_size": 100, "vocab_size": 77, "max_position_embeddings": 40, "id2label": {"0": "a", "1": "b", "2": "c"}}"#))] {
            #expect(ModelParameters.count(for: config) == ModelParameters(config: config).count)
        }
    }

    /// A trillion layers is an error before the layout (which walks the layers) or any allocation.
    @Test func moreLayersThanTheWeightsHoldIsAnError() throws {
        let tiny = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path
        try FileManager.default.copyItem(atPath: tiny + "/model.safetensors", toPath: folder.path + "/model.safetensors")
        let config = try String(contentsOfFile: tiny + "/config.json", encoding: .utf8)
        folder.write("config.json", config.replacingOccurrences(of: #""num_hidden_layers": \d+"#, with: "\"num_hidden_layers\": 1000000000000",
                                                                options: .regularExpression))
        #expect(throws: ModelError("config.json has 1000000000000 layers, but model.safetensors holds 2.", file: folder.path + "/model.safetensors",
                                   hint: "config.json and model.safetensors do not belong together.")) {
            try ModelCheckpoint(folder: folder.path)
        }
    }

    /// Sizes in config.json are counts taken from a file: a huge one is an error before anything is allocated.
    @Test(arguments: [("1000000000000", "config.json describes a model of"), ("4611686018427387904", "more values than fit in memory")])
    func aConfigFarLargerThanItsWeightsIsAnErrorNotAnAllocation(vocabulary: String, message: String) throws {
        let tiny = Bundle.module.url(forResource: "Fixtures/tiny-bert-classifier", withExtension: nil)!.path
        for file in ["model.safetensors"] {
            try FileManager.default.copyItem(atPath: tiny + "/" + file, toPath: folder.path + "/" + file)
        }
        let config = try String(contentsOfFile: tiny + "/config.json", encoding: .utf8)
        folder.write("config.json", config.replacingOccurrences(of: #""vocab_size": \d+"#, with: "\"vocab_size\": \(vocabulary)", options: .regularExpression))
        do {
            _ = try ModelCheckpoint(folder: folder.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.statement.contains(message), "\(error.statement)")
            #expect(error.hint == "config.json and model.safetensors do not belong together.")
        }
    }
}

struct ModelResolverTests {
    @Test func hubCacheSnapshotsAreFollowedThroughRefsMain() throws {
        let folder = ScratchFolder()
        folder.write("hub/models--google--tiny-bert/refs/main", "abc123\n")
        folder.write("hub/models--google--tiny-bert/snapshots/abc123/config.json", "{}")
        folder.write("hub/models--google--tiny-bert/snapshots/old999/config.json", "{}")
        setenv("HF_HUB_CACHE", folder.path + "/hub", 1)
        defer { unsetenv("HF_HUB_CACHE") }
        let path = try ModelResolver.resolve("google/tiny-bert", relativeTo: folder.path)
        #expect(path == folder.path + "/hub/models--google--tiny-bert/snapshots/abc123")
    }

    @Test func modelsFolderAndPathsResolve() throws {
        let folder = ScratchFolder()
        folder.write("models/mine/config.json", "{}")
        #expect(try ModelResolver.resolve("mine", relativeTo: folder.path) == folder.path + "/models/mine")
        #expect(try ModelResolver.resolve("./models/mine", relativeTo: folder.path) == folder.path + "/models/mine")
    }

    @Test func aMissingModelListsEveryPlaceSearched() {
        do {
            _ = try ModelResolver.resolve("nobody/no-such-model", relativeTo: "/tmp")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("No model named `nobody/no-such-model`. Searched:"))
            #expect(error.message.contains("models/nobody/no-such-model"))
            #expect(error.message.contains("models--nobody--no-such-model/snapshots"))
            #expect(error.hint?.contains("LECTERN_MODELS") == true)
            // How to get it: the Hub's download command and where its copy must go.
            #expect(error.hint?.contains("`hf download nobody/no-such-model`") == true)
            #expect(error.hint?.contains("~/.cache/huggingface/hub/models--nobody--no-such-model") == true)
        }
    }
}
