/// Reads the pickle inside a PyTorch checkpoint without running anything it names.
///
/// A pickle is a program: its opcodes may import any function and call it. This machine knows the
/// opcodes that build plain data (numbers, strings, tuples, lists, dicts, the memo) and only the
/// globals a state dict needs, as `torch.load(weights_only=True)` does:
/// `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`
/// and the typed storages (`torch.FloatStorage`, …). Calling them builds a description of a tensor
/// (storage key, offset, shape, strides); nothing is imported or called. Any other global, and the
/// opcodes that create objects (NEWOBJ, INST, OBJ), are errors that name what was asked for.
struct RestrictedUnpickler {
    struct Failure: Error {
        var message: String
        var refused: Bool = false
    }

    /// Runs the pickle and returns the tensors its top-level dict maps names to, in its order.
    static func stateDict(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> [(name: String, tensor: TorchTensor)] {
        var machine = RestrictedUnpickler(bytes: bytes)
        defer { machine.tearDown() }
        let result = try machine.run()
        guard case .dict(let dict) = result else {
            throw Failure(message: "The pickle holds \(result.kind), not a dict of tensors (a state dict).")
        }
        var order: [String] = []
        var tensors: [String: TorchTensor] = [:]
        for (key, value) in dict.pairs {
            guard case .tensor(let tensor) = value, case .string(let name) = key else { continue }
            if tensors.updateValue(tensor, forKey: name) == nil { order.append(name) }
        }
        guard !order.isEmpty else {
            throw Failure(message: "Its dict holds no tensors (\(dict.pairs.count) entries), so it is not a state dict.")
        }
        return order.map { ($0, tensors[$0]!) }
    }

    // MARK: - Values

    enum Value {
        case none, bool(Bool), int(Int), float(Double), string(String), bytes
        case list(Sequence), tuple(Sequence), dict(Dict)
        case global(Global)
        case storage(TorchStorage)
        case tensor(TorchTensor)

        var kind: String {
            switch self {
            case .none: "None"
            case .bool: "a bool"
            case .int: "an integer"
            case .float: "a float"
            case .string: "a string"
            case .bytes: "bytes"
            case .list: "a list"
            case .tuple: "a tuple"
            case .dict: "a dict"
            case .global(let global): "`\(global.name)`"
            case .storage: "a storage"
            case .tensor: "a tensor"
            }
        }
    }

    /// Lists and tuples, boxed so that APPEND changes the list every reference sees.
    final class Sequence {
        var items: [Value]
        init(_ items: [Value]) { self.items = items }
    }

    final class Dict {
        var pairs: [(Value, Value)] = []
    }

    /// The globals a state dict may name.
    enum Global {
        case orderedDict, rebuildTensor, rebuildParameter
        case storage(TorchDType)

        init?(module: String, name: String) {
            switch (module, name) {
            case ("collections", "OrderedDict"): self = .orderedDict
            case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor
            case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
            case ("torch", _):
                guard name.hasSuffix("Storage"), let dtype = TorchDType(storageName: name) else { return nil }
                self = .storage(dtype)
            default: return nil
            }
        }

        var name: String {
            switch self {
            case .orderedDict: "collections.OrderedDict"
            case .rebuildTensor: "torch._utils._rebuild_tensor_v2"
            case .rebuildParameter: "torch._utils._rebuild_parameter"
            case .storage(let dtype): "torch.\(dtype.storageName)"
            }
        }
    }

    // MARK: - The machine

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var stack: [Value] = []
    private var marks: [[Value]] = []
    private var memo: [Int: Value] = [:]
    /// Every box made, held until `tearDown` empties them one by one: a pickle can nest lists a
    /// million deep, and releasing such a chain recursively would overflow the stack.
    private var sequences: [Sequence] = []
    private var dicts: [Dict] = []

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private mutating func tearDown() {
        stack = []
        marks = []
        memo = [:]
        for sequence in sequences { sequence.items = [] }
        for dict in dicts { dict.pairs = [] }
    }

    private mutating func run() throws(Failure) -> Value {
        while true {
            let offset = position
            let opcode = try take(1)[0]
            do throws(Failure) {
                if let result = try step(opcode) { return result }
            } catch {
                var located = error
                if !error.refused { located.message = "At byte \(offset) (opcode 0x\(String(opcode, radix: 16))): " + error.message }
                throw located
            }
        }
    }

    /// Runs one opcode; returns the result at STOP. Long on purpose: one `switch` with a short case
    /// per opcode the reader knows, which reads as the pickle format's table.
    private mutating func step(_ opcode: UInt8) throws(Failure) -> Value? {
        switch opcode {
        case 0x80: _ = try take(1)                                        // PROTO
        case 0x95: _ = try take(8)                                        // FRAME (a length hint)
        case 0x2E: return try pop()                                       // STOP
        case 0x28: marks.append(stack); stack = []                         // MARK
        case 0x30: _ = try pop()                                          // POP
        case 0x31: _ = try popMark()                                      // POP_MARK
        case 0x32: let value = try top(); push(value)                     // DUP
        case 0x4E: push(.none)                                            // NONE
        case 0x88: push(.bool(true))                                      // NEWTRUE
        case 0x89: push(.bool(false))                                     // NEWFALSE
        case 0x4A: push(.int(Int(Int32(bitPattern: UInt32(try integer(4)))))) // BININT
        case 0x4B: push(.int(try integer(1)))                             // BININT1
        case 0x4D: push(.int(try integer(2)))                             // BININT2
        case 0x8A: push(.int(try long(length: try integer(1))))           // LONG1
        case 0x47:                                                        // BINFLOAT (big-endian)
            push(.float(Double(bitPattern: try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
        case 0x58: push(.string(try text(length: try integer(4))))        // BINUNICODE
        case 0x8C: push(.string(try text(length: try integer(1))))        // SHORT_BINUNICODE
        case 0x8D: push(.string(try text(length: try integer(8))))        // BINUNICODE8
        case 0x55: push(.string(try text(length: try integer(1))))        // SHORT_BINSTRING
        case 0x43: _ = try take(try integer(1)); push(.bytes)             // SHORT_BINBYTES
        case 0x42: _ = try take(try integer(4)); push(.bytes)             // BINBYTES
        case 0x29: push(tuple([]))                                        // EMPTY_TUPLE
        case 0x74: let items = try popMark(); push(tuple(items))          // TUPLE
        case 0x85: let item = try pop(); push(tuple([item]))              // TUPLE1
        case 0x86: let b = try pop(), a = try pop(); push(tuple([a, b]))  // TUPLE2
        case 0x87: let c = try pop(), b = try pop(), a = try pop(); push(tuple([a, b, c]))  // TUPLE3
        case 0x5D: push(list([]))                                         // EMPTY_LIST
        case 0x6C: let items = try popMark(); push(list(items))           // LIST
        // Operands are popped before a non-mutating call: popping inside its arguments would copy the
        // machine (its stack included) to keep the borrowed self intact, one copy per opcode.
        case 0x61: let item = try pop(); try appendToList([item])         // APPEND
        case 0x65: let items = try popMark(); try appendToList(items)     // APPENDS
        case 0x7D: push(.dict(newDict()))                                 // EMPTY_DICT
        case 0x64:                                                        // DICT
            let items = try popMark(), dict = newDict()
            try setItems(items, in: dict)
            push(.dict(dict))
        case 0x73: let value = try pop(), key = try pop(), dict = try topDict(); try setItems([key, value], in: dict)  // SETITEM
        case 0x75: let items = try popMark(), dict = try topDict(); try setItems(items, in: dict)                      // SETITEMS
        case 0x71: memo[try integer(1)] = try top()                       // BINPUT
        case 0x72: memo[try integer(4)] = try top()                       // LONG_BINPUT
        case 0x94: memo[memo.count] = try top()                           // MEMOIZE
        case 0x68, 0x6A:                                                  // BINGET, LONG_BINGET
            let index = try integer(opcode == 0x68 ? 1 : 4)
            guard let value = memo[index] else { throw Failure(message: "it fetches memo entry \(index), which was never stored.") }
            push(value)
        case 0x63:                                                        // GLOBAL
            let module = try line(), name = try line()
            push(.global(try global(module: module, name: name)))
        case 0x93:                                                        // STACK_GLOBAL
            let name = try pop(), module = try pop()
            guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                throw Failure(message: "STACK_GLOBAL needs two strings.")
            }
            push(.global(try global(module: moduleName, name: globalName)))
        case 0x52:                                                        // REDUCE
            let arguments = try pop()
            let callable = try pop()
            let result = try call(callable, with: arguments)
            push(result)
        case 0x62:                                                        // BUILD
            _ = try pop()
            // An OrderedDict's state is its attributes (a state dict's `_metadata`), which carry no weights.
            guard case .dict = try top() else { throw Failure(message: "BUILD sets the state of \(try top().kind); a state dict builds only dicts.") }
        case 0x51:                                                        // BINPERSID
            let id = try pop()
            push(.storage(try storage(from: id)))
        case 0x81, 0x92:
            throw Failure(message: "The pickle creates an object (NEWOBJ), which a state dict never does; Lectern does not run it.", refused: true)
        case 0x69:                                                        // INST names its class
            let module = try line(), name = try line()
            throw Failure(message: refusal("\(module).\(name)"), refused: true)
        case 0x6F:
            throw Failure(message: "The pickle creates an object (OBJ), which a state dict never does; Lectern does not run it.", refused: true)
        default:
            throw Failure(message: "it holds an opcode a PyTorch state dict never contains (protocol 0 text opcodes, extensions and persistent ids as text are not read).")
        }
        return nil
    }

    private func refusal(_ global: String) -> String {
        "The pickle asks for `\(global)`, which a state dict never needs, so Lectern refused it and ran nothing. Lectern reads only "
            + "tensors: torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.*Storage and collections.OrderedDict."
    }

    private func global(module: String, name: String) throws(Failure) -> Global {
        guard let global = Global(module: module, name: name) else { throw Failure(message: refusal("\(module).\(name)"), refused: true) }
        return global
    }

    /// REDUCE: only the allowed globals, each with the arguments torch gives it.
    private mutating func call(_ callable: Value, with arguments: Value) throws(Failure) -> Value {
        guard case .global(let function) = callable else {
            throw Failure(message: "REDUCE calls \(callable.kind), which is not a function; a state dict calls only the functions that rebuild tensors.")
        }
        guard case .tuple(let box) = arguments else { throw Failure(message: "`\(function.name)` is called with \(arguments.kind), not a tuple of arguments.") }
        let arguments = box.items
        switch function {
        case .orderedDict:
            guard arguments.isEmpty else { throw Failure(message: "`collections.OrderedDict` is called with arguments; a state dict builds it empty and fills it.") }
            return .dict(newDict())
        case .rebuildTensor:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard arguments.count == 6 || arguments.count == 7, case .storage(let storage) = arguments[0], case .int(let offset) = arguments[1],
                  let shape = integers(arguments[2]), let strides = integers(arguments[3]), case .bool = arguments[4] else {
                throw Failure(message: "`torch._utils._rebuild_tensor_v2` is called with arguments that are not (storage, offset, size, stride, requires_grad, hooks).")
            }
            guard shape.count == strides.count else {
                throw Failure(message: "a tensor has \(shape.count) sizes but \(strides.count) strides.")
            }
            return .tensor(TorchTensor(storage: storage, offset: offset, shape: shape, strides: strides))
        case .rebuildParameter:
            guard arguments.count == 3, case .tensor(let tensor) = arguments[0] else {
                throw Failure(message: "`torch._utils._rebuild_parameter` is called with arguments that are not (tensor, requires_grad, hooks).")
            }
            return .tensor(tensor)
        case .storage:
            throw Failure(message: "`\(function.name)` is called; a state dict only names storage types in persistent ids.")
        }
    }

    /// BINPERSID: ('storage', storage type, key, location, element count), as torch.save writes it.
    private func storage(from id: Value) throws(Failure) -> TorchStorage {
        guard case .tuple(let box) = id, box.items.count == 5, case .string("storage") = box.items[0] else {
            throw Failure(message: "a persistent id is \(id.kind), not ('storage', type, key, location, size).")
        }
        guard case .global(.storage(let dtype)) = box.items[1], case .string(let key) = box.items[2], case .int(let count) = box.items[4] else {
            throw Failure(message: "a storage's persistent id is not ('storage', torch.*Storage, key, location, size).")
        }
        return TorchStorage(key: key, dtype: dtype, count: count)
    }

    private func integers(_ value: Value) -> [Int]? {
        guard case .tuple(let box) = value else { return nil }
        var result: [Int] = []
        for item in box.items {
            guard case .int(let number) = item else { return nil }
            result.append(number)
        }
        return result
    }

    // MARK: - Stack and input

    private mutating func push(_ value: Value) { stack.append(value) }

    private mutating func pop() throws(Failure) -> Value {
        guard let value = stack.popLast() else { throw Failure(message: "it pops from an empty stack.") }
        return value
    }

    private func top() throws(Failure) -> Value {
        guard let value = stack.last else { throw Failure(message: "it reads the top of an empty stack.") }
        return value
    }

    private mutating func popMark() throws(Failure) -> [Value] {
        guard let below = marks.popLast() else { throw Failure(message: "it closes a MARK that was never opened.") }
        defer { stack = below }
        return stack
    }

    private mutating func tuple(_ items: [Value]) -> Value {
        let box = Sequence(items)
        sequences.append(box)
        return .tuple(box)
    }

    private mutating func list(_ items: [Value]) -> Value {
        let box = Sequence(items)
        sequences.append(box)
        return .list(box)
    }

    private mutating func newDict() -> Dict {
        let dict = Dict()
        dicts.append(dict)
        return dict
    }

    private func appendToList(_ items: [Value]) throws(Failure) {
        guard case .list(let box) = try top() else { throw Failure(message: "APPEND adds to \(try top().kind), not a list.") }
        box.items += items
    }

    private func topDict() throws(Failure) -> Dict {
        guard case .dict(let dict) = try top() else { throw Failure(message: "SETITEM sets an item of \(try top().kind), not a dict.") }
        return dict
    }

    private func setItems(_ items: [Value], in dict: Dict) throws(Failure) {
        guard items.count.isMultiple(of: 2) else { throw Failure(message: "a dict is given a key without a value.") }
        for index in stride(from: 0, to: items.count, by: 2) { dict.pairs.append((items[index], items[index + 1])) }
    }

    private mutating func take(_ count: Int) throws(Failure) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - position else {
            throw Failure(message: "The pickle ends in the middle of an instruction (it is truncated).")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    /// A little-endian unsigned integer of `width` bytes.
    private mutating func integer(_ width: Int) throws(Failure) -> Int {
        let raw = try take(width)
        var value: UInt64 = 0
        for byte in raw.reversed() { value = value << 8 | UInt64(byte) }
        guard value <= UInt64(Int.max) else { throw Failure(message: "a length or index is beyond 2⁶³.") }
        return Int(value)
    }

    /// LONG1: a little-endian two's-complement integer of `length` bytes, held to 64 bits.
    private mutating func long(length: Int) throws(Failure) -> Int {
        let raw = try take(length)
        guard !raw.isEmpty else { return 0 }
        let negative = raw[raw.count - 1] & 0x80 != 0
        guard raw.dropFirst(8).allSatisfy({ $0 == (negative ? 0xFF : 0) }) else { throw Failure(message: "an integer is wider than 64 bits.") }
        var value: UInt64 = negative ? .max : 0
        for byte in raw.prefix(8).reversed() { value = value << 8 | UInt64(byte) }
        let result = Int(bitPattern: UInt(value))
        guard (result < 0) == negative else { throw Failure(message: "an integer is wider than 64 bits.") }
        return result
    }

    private mutating func text(length: Int) throws(Failure) -> String {
        String(decoding: try take(length), as: UTF8.self)
    }

    /// A newline-ended name (GLOBAL, INST), at most 256 bytes.
    private mutating func line() throws(Failure) -> String {
        guard let end = bytes[position...].prefix(257).firstIndex(of: 0x0A) else {
            throw Failure(message: "a global's name has no end.")
        }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        position = end + 1
        return name
    }
}
