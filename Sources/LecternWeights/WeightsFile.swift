import Foundation

/// A file of named tensors that a model's weights are read from: safetensors, or the zip
/// checkpoint `torch.save` writes (`pytorch_model.bin`).
public protocol WeightsFile: AnyObject, Sendable {
    var path: String { get }
    /// Every tensor's shape, by name.
    var shapes: [String: [Int]] { get }
    /// How many values the file holds, each counted once however many tensors view it: what
    /// bounds the parameters a config.json may ask to allocate.
    var storedValueCount: Int { get }
    /// Copies a floating-point tensor into `destination` as Float32.
    func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(ModelError)
}

/// The weights file of a Hugging Face model folder, chosen as transformers chooses it:
/// `model.safetensors` when the folder has it, else `pytorch_model.bin`.
public enum ModelWeights {
    public static let fileNames = ["model.safetensors", "pytorch_model.bin"]

    /// The weights file a folder holds, if any.
    public static func path(in folder: String) -> String? {
        fileNames.lazy.map { (folder as NSString).appendingPathComponent($0) }.first { FileManager.default.fileExists(atPath: $0) }
    }

    public static func open(folder: String) throws(ModelError) -> any WeightsFile {
        guard let path = path(in: folder) else {
            let sharded = fileNames.contains { FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0 + ".index.json")) }
            throw ModelError(sharded ? "The model folder holds its weights in shards (an .index.json and several files), which Lectern does not read."
                                     : "The model folder has no weights: neither model.safetensors nor pytorch_model.bin.", file: folder,
                             hint: sharded ? "Save the model again as one file: save_pretrained(folder, max_shard_size=\"20GB\")."
                                           : "Copy the weights file from where the model came from into this folder.")
        }
        return path.hasSuffix(".bin") ? try TorchCheckpointFile(path: path) : try SafetensorsFile(path: path)
    }
}

/// The floating-point element types weights are stored in, and their conversion to Float32.
enum StoredFloat: Sendable {
    case f64, f32, f16, bf16

    var size: Int {
        switch self {
        case .f64: 8
        case .f32: 4
        case .f16, .bf16: 2
        }
    }

    /// Converts `count` little-endian values at `source`, `stride` elements apart, into `destination`.
    func convert(_ source: UnsafeRawPointer, stride: Int = 1, count: Int, into destination: UnsafeMutablePointer<Float>) {
        let step = stride * size
        switch self {
        case .f64:
            for index in 0..<count { destination[index] = Float(Double(bitPattern: source.loadUnaligned(fromByteOffset: step * index, as: UInt64.self).littleEndian)) }
        case .f32:
            for index in 0..<count { destination[index] = Float(bitPattern: source.loadUnaligned(fromByteOffset: step * index, as: UInt32.self).littleEndian) }
        case .f16:
            for index in 0..<count { destination[index] = Float(Float16(bitPattern: source.loadUnaligned(fromByteOffset: step * index, as: UInt16.self).littleEndian)) }
        case .bf16:
            for index in 0..<count {
                destination[index] = Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: step * index, as: UInt16.self).littleEndian) << 16)
            }
        }
    }
}
