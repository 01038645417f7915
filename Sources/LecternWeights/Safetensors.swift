import Foundation
import LecternFiles

/// A safetensors file, memory-mapped and validated before any tensor is read.
///
/// Validation: the header length lies inside the file, the header is a JSON object, every dtype
/// is known, shape × element size equals the byte range, every range lies inside the data area,
/// and no two ranges overlap. A corrupt file is a `ModelError` naming the file and the tensor.
public final class SafetensorsFile: WeightsFile, @unchecked Sendable {
    public enum DType: String, Sendable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"
        case u16 = "U16", u32 = "U32", u64 = "U64", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

        var size: Int {
            switch self {
            case .f64, .i64, .u64: return 8
            case .f32, .i32, .u32: return 4
            case .f16, .bf16, .i16, .u16: return 2
            case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
            }
        }
    }

    public struct TensorInfo: Sendable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Byte range inside the data area.
        public var range: Range<Int>

        public var count: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataOffset: Int

    public var shapes: [String: [Int]] { tensors.mapValues(\.shape) }
    /// Tensors never overlap (validated), so their counts add up.
    public var storedValueCount: Int { tensors.values.reduce(0) { $0 + $1.count } }

    public init(path: String) throws(ModelError) {
        self.path = path
        file = try MappedFile(path: path)
        let length = file.length
        guard length >= 8 else { throw ModelError("The file is too short to be safetensors (\(length) bytes).", file: path, hint: "It may be truncated: download it again.") }
        let headerLength = file.uint64(at: 0)
        guard headerLength <= length - 8 else {
            throw ModelError("The header says it is \(headerLength) bytes long, but the file has only \(length - 8) bytes after the length.",
                             file: path, hint: "The file is truncated or not safetensors: download it again.")
        }
        dataOffset = 8 + headerLength
        let header = Data(file.bytes(8..<dataOffset))
        guard let object = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any] else {
            throw ModelError("The header is not a JSON object.", file: path, hint: "The file is corrupt: download it again.")
        }
        (tensors, metadata) = try Self.validate(object, dataLength: length - dataOffset, path: path)
    }

    private static func validate(_ header: [String: Any], dataLength: Int, path: String) throws(ModelError) -> ([String: TensorInfo], [String: String]) {
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (key, item) in value as? [String: Any] ?? [:] { metadata[key] = item as? String }
                continue
            }
            func bad(_ message: String) -> ModelError { ModelError("Tensor `\(name)`: \(message)", file: path, hint: "The file is corrupt: download it again.") }
            guard let entry = value as? [String: Any] else { throw bad("its header entry is not an object.") }
            guard let dtypeName = entry["dtype"] as? String else { throw bad("it has no dtype.") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw ModelError("Tensor `\(name)` has the unknown dtype `\(dtypeName)`.", file: path)
            }
            guard let shape = entry["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 }) else { throw bad("its shape is not a list of sizes.") }
            guard let offsets = entry["data_offsets"] as? [Int], offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw bad("its data_offsets are not [begin, end].")
            }
            let (elements, overflow) = shape.reduce((1, false)) { partial, size in
                let product = partial.0.multipliedReportingOverflow(by: size)
                return (product.partialValue, partial.1 || product.overflow)
            }
            guard !overflow, elements.multipliedReportingOverflow(by: dtype.size).overflow == false,
                  elements * dtype.size == offsets[1] - offsets[0] else {
                throw bad("its shape \(shape) of \(dtypeName) needs \(overflow ? "too many" : String(elements * dtype.size)) bytes, but its range holds \(offsets[1] - offsets[0]).")
            }
            guard offsets[1] <= dataLength else {
                throw ModelError("Tensor `\(name)`: its bytes \(offsets[0])..<\(offsets[1]) run past the end of the data (\(dataLength) bytes).",
                                 file: path, hint: "The file is truncated: download it again.")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        let ordered = tensors.values.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw ModelError("Tensors `\(previous.name)` and `\(next.name)` overlap.", file: path, hint: "The file is corrupt: download it again.")
        }
        return (tensors, metadata)
    }

    /// Copies a floating-point tensor into `destination` as Float32 (F32, F16 and BF16).
    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        guard let info = tensors[name] else { throw ModelError("There is no tensor `\(name)`.", file: path) }
        guard info.count == destination.count else {
            throw ModelError("Tensor `\(name)` has \(info.count) values where \(destination.count) were expected.", file: path)
        }
        let element: StoredFloat
        switch info.dtype {
        case .f32: element = .f32
        case .f16: element = .f16
        case .bf16: element = .bf16
        default:
            throw ModelError("Tensor `\(name)` is \(info.dtype.rawValue); Lectern reads weights stored as F32, F16 or BF16.", file: path)
        }
        guard let start = destination.baseAddress else { return }
        let range = (dataOffset + info.range.lowerBound)..<(dataOffset + info.range.upperBound)
        element.convert(file.bytes(range).baseAddress!, count: info.count, into: start)
        file.release(range)
    }
}

/// Writes tensors in the safetensors format (F32), atomically, loadable by `safetensors` and transformers.
public enum SafetensorsWriter {
    public static func write(_ tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)], metadata: [String: String] = ["format": "pt"],
                             to path: String) throws(ModelError) {
        var entries: [String] = []
        var offset = 0
        for tensor in tensors {
            let bytes = tensor.values.count * 4
            entries.append("\(jsonString(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        let meta = "\"__metadata__\":{" + metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",") + "}"
        var header = Array(("{" + ([meta] + entries).joined(separator: ",") + "}").utf8)
        // The data area starts on an 8-byte boundary; the header is padded with spaces.
        while (header.count % 8) != 0 { header.append(0x20) }
        do {
            // Written piece by piece: a checkpoint's moments (twice the model) are never copied into memory first.
            try AtomicFile.write(to: path) { append throws(AtomicFile.WriteError) in
                let start = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
                try start.withUnsafeBytes { bytes in Result { () throws(AtomicFile.WriteError) in try append(bytes) } }.get()
                for tensor in tensors {
                    #if _endian(little)
                    // The file is little-endian, as this machine: the values' bytes go out as they are.
                    try append(UnsafeRawBufferPointer(tensor.values))
                    #else
                    let bytes = tensor.values.map { $0.bitPattern.littleEndian }
                    try bytes.withUnsafeBytes { bytes in Result { () throws(AtomicFile.WriteError) in try append(bytes) } }.get()
                    #endif
                }
            }
        } catch {
            throw ModelError("Cannot write this file: \(error.reason).", file: path)
        }
    }

    private static func jsonString(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}
