import Foundation
import LecternTestSupport
import Testing

/// Every module a target imports from this package is declared in its dependencies in Package.swift,
/// so that the manifest says how data flows (docs/architecture.md) and builds do not lean on
/// modules that merely happen to be built first.
struct PackageManifestTests {
    struct Target {
        var name: String
        var folder: String
        var dependencies: Set<String>
    }

    static func targets() throws -> [Target] {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = /\.(target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*"([^"]+)"((?:[^()]|\([^()]*\))*)\)/
        return manifest.matches(of: pattern).map { match in
            let kind = String(match.output.1), name = String(match.output.2), rest = String(match.output.3)
            let dependencies = rest.firstMatch(of: /dependencies:\s*\[([^\]]*)\]/).map { list in
                Set(list.output.1.matches(of: /"([^"]+)"/).map { String($0.output.1) })
            } ?? []
            let path = rest.firstMatch(of: /path:\s*"([^"]+)"/).map { String($0.output.1) }
            return Target(name: name, folder: path ?? (kind == "testTarget" ? "Tests/" : "Sources/") + name, dependencies: dependencies)
        }
    }

    @Test func everyImportedModuleOfThePackageIsADeclaredDependency() throws {
        let targets = try Self.targets()
        let names = Set(targets.map(\.name))
        #expect(names.isSuperset(of: ["LecternEngine", "LecternRunner", "lectern", "LecternRunnerTests"]), "\(names.sorted())")
        var undeclared: [String] = []
        for target in targets {
            let folder = repositoryRoot.appendingPathComponent(target.folder)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for match in text.matches(of: /(?m)^(?:@testable\s+)?import\s+(\w+)/) {
                    let module = String(match.output.1)
                    if names.contains(module), module != target.name, !target.dependencies.contains(module) {
                        undeclared.append("\(target.name) imports \(module) (\(target.folder)/\(file))")
                    }
                }
            }
        }
        #expect(undeclared.isEmpty, "\(Set(undeclared).sorted().joined(separator: "\n"))")
    }

    /// Code that reads untrusted bytes keeps Swift's bounds and overflow checks: the model-file readers
    /// (weights, and config.json with every family's keys) live in `LecternWeights`, which no unchecked
    /// flag reaches (only the engine's kernels drop them).
    @Test func theModelFileReadersAreCompiledWithChecks() throws {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let declaration = try #require(manifest.firstMatch(of: /\.target\(name: "LecternWeights"[^\n]*\)/)).output
        #expect(!declaration.contains("unsafeFlags"), "\(declaration)")
        let folder = repositoryRoot.appendingPathComponent("Sources/LecternWeights")
        for reader in ["Safetensors.swift", "StoredZip.swift", "RestrictedUnpickler.swift", "TorchCheckpoint.swift", "MappedFile.swift",
                       "ModelConfig/ModelConfig.swift", "ModelConfig/ModelFamily.swift"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(reader).path), "\(reader) is not in LecternWeights")
        }
    }

    /// The Parquet reader and the tokenizers' file readers read untrusted bytes too: their targets have no
    /// unchecked flags, and the data module that uses the Parquet reader has none either.
    @Test func theTableReadersAreCompiledWithChecks() throws {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        for target in ["LecternColumnar", "LecternData", "LecternTokenizers"] {
            let match = try #require(manifest.firstMatch(of: try Regex("\\.target\\(name: \"\(target)\"[^\\n]*\\)")))
            let declaration = String(manifest[match.range])
            // The tokenizers drop only the exclusivity checks (their speed); bounds and overflow checks stay everywhere.
            let allowed = declaration.replacingOccurrences(of: ".unsafeFlags([\"-enforce-exclusivity=unchecked\"])", with: "")
            #expect(!allowed.contains("unsafeFlags") && !declaration.contains("Ounchecked"), "\(declaration)")
        }
        let folder = repositoryRoot.appendingPathComponent("Sources/LecternColumnar")
        for reader in ["ThriftCompact.swift", "ParquetFile.swift", "ColumnChunkReader.swift", "ValueDecoding.swift", "Decompression.swift"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(reader).path), "\(reader) is not in LecternColumnar")
        }
        let tokenizers = repositoryRoot.appendingPathComponent("Sources/LecternTokenizers")
        for reader in ["TokenizerFiles.swift", "TextTokenizer.swift", "ByteLevelBPETokenizer.swift", "WordPiece.swift"] {
            #expect(FileManager.default.fileExists(atPath: tokenizers.appendingPathComponent(reader).path), "\(reader) is not in LecternTokenizers")
        }
    }
}
