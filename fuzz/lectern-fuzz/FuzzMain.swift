import Foundation
import LecternFuzzTargets
#if FUZZING
import CLibFuzzer
#endif

/// `lectern-fuzz TARGET [libFuzzer options | FILE...]`.
///
/// Built by `make fuzz` (-sanitize=fuzzer,address -DFUZZING), it hands the rest of the command
/// line to libFuzzer, which calls the target for every input. Built normally, it replays files
/// through the target, which is how a crash is reproduced outside the fuzzer.
@main
struct FuzzMain {
    nonisolated(unsafe) static var target = FuzzTarget.notebook

    static func main() throws {
        var arguments = CommandLine.arguments
        guard arguments.count > 1, let target = FuzzTarget(rawValue: arguments[1]) else {
            print("usage: lectern-fuzz TARGET [FILE... | libFuzzer options]   (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        Self.target = target
        arguments.remove(at: 1)
        #if FUZZING
        var count = Int32(arguments.count)
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var argv = buffer.baseAddress
            return LLVMFuzzerRunDriver(&count, &argv) { data, size in
                FuzzMain.target.run(size == 0 ? Data() : Data(bytes: data!, count: size))
                return 0
            }
        }
        exit(status)
        #else
        for file in arguments.dropFirst() {
            target.run(try Data(contentsOf: URL(fileURLWithPath: file)))
            print("\(file): ok")
        }
        #endif
    }
}
