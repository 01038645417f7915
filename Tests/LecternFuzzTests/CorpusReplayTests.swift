import Foundation
import LecternFuzzTargets
import LecternTestSupport
import Testing

/// Every committed seed input and every input that once crashed a fuzzer (fuzz/regressions/)
/// runs through its target on each test run; a trap here fails the whole test process.
struct CorpusReplayTests {
    static func inputs(_ target: FuzzTarget) -> [URL] {
        ["fuzz/corpus", "fuzz/regressions"].flatMap { root -> [URL] in
            let folder = repositoryRoot.appendingPathComponent("\(root)/\(target.rawValue)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.sorted().map { folder.appendingPathComponent($0) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySeedAndRegressionInputRuns(_ target: FuzzTarget) throws {
        let files = Self.inputs(target)
        #expect(files.count >= 3, "fuzz/corpus/\(target.rawValue) needs seed inputs")
        for file in files { target.run(try Data(contentsOf: file)) }
    }
}
