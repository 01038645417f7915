import Foundation
import LecternFiles

/// The element types of PyTorch's typed storages.
enum TorchDType: Sendable, Equatable {
    case float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    init?(storageName: String) {
        switch storageName {
        case "DoubleStorage": self = .float64
        case "FloatStorage": self = .float32
        case "HalfStorage": self = .float16
        case "BFloat16Storage": self = .bfloat16
        case "LongStorage": self = .int64
        case "IntStorage": self = .int32
        case "ShortStorage": self = .int16
        case "CharStorage": self = .int8
        case "ByteStorage": self = .uint8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }

    var storageName: String {
        switch self {
        case .float64: "DoubleStorage"
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        }
    }

    var size: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    var float: StoredFloat? {
        switch self {
        case .float64: .f64
        case .float32: .f32
        case .float16: .f16
        case .bfloat16: .bf16
        default: nil
        }
    }
}

/// A storage a pickle's persistent id names: the zip entry `data/KEY`, `count` elements of `dtype`.
struct TorchStorage: Sendable, Equatable {
    var key: String
    var dtype: TorchDType
    var count: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage.
struct TorchTensor: Sendable {
    var storage: TorchStorage
    /// In elements.
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}

/// A checkpoint written by `torch.save` (PyTorch ≥ 1.6's zip format), as transformers saved
/// `pytorch_model.bin` before safetensors: read without running its pickle, its storages mapped
/// in place and validated before any tensor is read.
///
/// Validation: the archive's directory and entries lie inside the file; the pickle is read by
/// `RestrictedUnpickler`; every storage it names is an entry of exactly count × element size bytes,
/// named with one type, and no two overlap; every tensor's sizes and strides are non-negative and its last element lies
/// inside its storage. Files in the legacy (pre-zip) format are an error that says how to convert.
public final class TorchCheckpointFile: WeightsFile, @unchecked Sendable {
    public let path: String
    public let shapes: [String: [Int]]
    /// The storages' values: tensors that view one storage (tied weights) share them.
    public let storedValueCount: Int
    private let tensors: [String: TorchTensor]
    /// Each storage's bytes in the file, by key.
    private let storages: [String: Range<Int>]
    private let file: MappedFile

    /// Long on purpose: the checks before any tensor is read (zip, pickle, storage sizes, overlaps,
    /// strides) in the order a reader can follow.
    public init(path: String) throws(ModelError) {
        self.path = path
        file = try MappedFile(path: path)
        guard file.length >= 4, file.uint32(at: 0) == 0x0403_4B50 else { throw Self.notZip(file) }
        let archive = try StoredZip(file)
        // torch.save puts every entry in one folder named after the file (`archive/` when saved to a buffer).
        let pickles = archive.entries.keys.filter { $0.hasSuffix("/data.pkl") && $0.dropLast(9).allSatisfy { $0 != "/" } }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw ModelError("This zip archive is not a PyTorch checkpoint: it has \(pickles.isEmpty ? "no" : "more than one") FOLDER/data.pkl.", file: path,
                             hint: "pytorch_model.bin should be the file transformers or torch.save wrote.")
        }
        let prefix = String(pickle.dropLast(8))
        if let order = archive.entries[prefix + "byteorder"], String(decoding: file.bytes(order), as: UTF8.self) != "little" {
            throw ModelError("The checkpoint was saved on a big-endian machine; Lectern reads little-endian storages.", file: path,
                             hint: "Load it with PyTorch on that machine and save it as model.safetensors.")
        }
        let described: [(name: String, tensor: TorchTensor)]
        do throws(RestrictedUnpickler.Failure) {
            described = try RestrictedUnpickler.stateDict(file.bytes(archive.entries[pickle]!))
        } catch {
            throw ModelError(error.message, file: path, hint: error.refused
                ? "The file may be malicious, or not a model's weights. Use a checkpoint from a source you trust; model.safetensors cannot hold code."
                : "The checkpoint is damaged or not a state dict: download it again.")
        }
        var storages: [String: Range<Int>] = [:]
        var storageTypes: [String: TorchStorage] = [:]
        for (name, tensor) in described {
            let storage = tensor.storage
            func bad(_ message: String) -> ModelError { ModelError("Tensor `\(name)`: \(message)", file: path, hint: "The file is corrupt: download it again.") }
            if let known = storageTypes[storage.key] {
                guard known == storage else { throw bad("its storage \(storage.key) is named twice with different types or sizes.") }
            } else {
                guard let entry = archive.entries[prefix + "data/" + storage.key] else { throw bad("its storage `data/\(storage.key)` is not in the archive.") }
                let bytes = storage.count.multipliedReportingOverflow(by: storage.dtype.size)
                guard storage.count >= 0, !bytes.overflow, bytes.partialValue == entry.count else {
                    throw bad("its storage holds \(entry.count) bytes, but its persistent id says \(storage.count) values of \(storage.dtype.size) bytes.")
                }
                storageTypes[storage.key] = storage
                storages[storage.key] = entry
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }), tensor.strides.allSatisfy({ $0 >= 0 }), tensor.offset >= 0 else {
                throw bad("its size \(tensor.shape), stride \(tensor.strides) or offset \(tensor.offset) is negative.")
            }
            guard let count = Self.product(tensor.shape) else { throw bad("its size \(tensor.shape) holds more values than fit in memory.") }
            if count > 0 {
                var last = tensor.offset
                for (size, stride) in zip(tensor.shape, tensor.strides) {
                    let step = (size - 1).multipliedReportingOverflow(by: stride)
                    let sum = last.addingReportingOverflow(step.partialValue)
                    guard !step.overflow, !sum.overflow else { last = .max; break }
                    last = sum.partialValue
                }
                guard last < storage.count else {
                    throw bad("its size \(tensor.shape) with stride \(tensor.strides) from offset \(tensor.offset) reaches past its storage of \(storage.count) values.")
                }
            }
        }
        // Two storages on the same bytes would count them twice in `storedValueCount`, which bounds allocation.
        let ordered = storages.filter { !$0.value.isEmpty }.sorted { $0.value.lowerBound < $1.value.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.lowerBound < previous.value.upperBound {
            throw ModelError("Storages `data/\(previous.key)` and `data/\(next.key)` overlap in the file.", file: path, hint: "The file is corrupt: download it again.")
        }
        self.storages = storages
        storedValueCount = storageTypes.values.reduce(0) { $0 + $1.count }
        tensors = Dictionary(described.map { ($0.name, $0.tensor) }, uniquingKeysWith: { $1 })
        shapes = tensors.mapValues(\.shape)
    }

    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        guard let tensor = tensors[name] else { throw ModelError("There is no tensor `\(name)`.", file: path) }
        let count = Self.product(tensor.shape) ?? 0
        guard count == destination.count else {
            throw ModelError("Tensor `\(name)` has \(count) values where \(destination.count) were expected.", file: path)
        }
        guard let element = tensor.storage.dtype.float else {
            throw ModelError("Tensor `\(name)` is stored as \(tensor.storage.dtype.storageName); Lectern reads weights stored as float, half or bfloat16.", file: path)
        }
        guard let output = destination.baseAddress, count > 0 else { return }
        let storage = file.bytes(storages[tensor.storage.key]!).baseAddress!
        // Rows along the last dimension, each copied with its stride; the other dimensions walked as an odometer.
        let rank = tensor.shape.count
        let rowLength = rank == 0 ? 1 : tensor.shape[rank - 1]
        let rowStride = rank == 0 ? 1 : tensor.strides[rank - 1]
        var index = [Int](repeating: 0, count: max(rank - 1, 0))
        for row in 0..<(count / rowLength) {
            var start = tensor.offset
            for dimension in index.indices { start += index[dimension] * tensor.strides[dimension] }
            element.convert(storage + start * element.size, stride: rowStride, count: rowLength, into: output + row * rowLength)
            var dimension = index.count - 1
            while dimension >= 0 {
                index[dimension] += 1
                if index[dimension] < tensor.shape[dimension] { break }
                index[dimension] = 0
                dimension -= 1
            }
        }
        file.release(storages[tensor.storage.key]!)
    }

    private static func product(_ shape: [Int]) -> Int? {
        var total = 1
        for size in shape {
            let next = total.multipliedReportingOverflow(by: size)
            guard !next.overflow else { return nil }
            total = next.partialValue
        }
        return total
    }

    /// The error for a `.bin` that is not a zip: PyTorch's legacy format, or not PyTorch at all.
    private static func notZip(_ file: MappedFile) -> ModelError {
        let head = file.bytes(0..<min(file.length, 512))
        // The legacy format opens with a pickled magic number (protocol 2, LONG1 of 10 bytes); older still, a tar archive.
        let legacy = (head.count >= 4 && head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8A && head[3] == 0x0A)
            || (head.count >= 262 && String(decoding: UnsafeRawBufferPointer(rebasing: head[257..<262]), as: UTF8.self) == "ustar")
        let folder = parentFolder(of: file.path)
        let convert = "On a machine with Python: `python -c \"from transformers import AutoModelForSequenceClassification as M; "
            + "M.from_pretrained('\(folder)').save_pretrained('\(folder)')\"` writes model.safetensors beside it, which Lectern reads."
        if legacy {
            return ModelError("This checkpoint is in PyTorch's legacy format (before PyTorch 1.6, or saved with _use_new_zipfile_serialization=False), "
                              + "which cannot be read without running its pickle.", file: file.path, hint: convert)
        }
        return ModelError("This is not a PyTorch checkpoint: it is not a zip archive.", file: file.path,
                          hint: "pytorch_model.bin should be the file transformers or torch.save wrote; it may be truncated or corrupt.")
    }
}
