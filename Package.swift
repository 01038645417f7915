// swift-tools-version:6.0
import PackageDescription

/// Lectern: Markdown notebooks that fine-tune BERT, run as reproducible documents.
///
/// Data flows one way, one module per stage:
/// Markdown → `LecternNotebook` (cells) → `LecternRunner` (session) → `LecternEngine` / `LecternData`
/// → `LecternTranscript` (HTML, Markdown, JSON); `LecternRender` runs those stages for a lesson or a course site.
let package = Package(
    name: "Lectern",
    products: [
        .executable(name: "lectern", targets: ["lectern"]),
        .library(name: "LecternEngine", targets: ["LecternEngine"]),
        .library(name: "LecternData", targets: ["LecternData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // CPUID for the engine's run-time kernel choice, compiled for the baseline x86-64 so it runs anywhere.
        .target(name: "CCPUID"),
        // bfloat16 matrix products (AVX512-BF16). Baseline x86-64 like CCPUID: only the kernel functions use
        // the wider instructions, called after CPUID says they exist. Optimized in debug builds too (tests).
        .target(name: "CBFloat16", cSettings: [.unsafeFlags(["-O3"])]),
        // Vector kernels in an AVX-512 and an AVX2 variant (AdamW), chosen at run time; built as CBFloat16 is.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "LecternMarkdown", dependencies: ["CCmarkGFM"]),
        // Also imports CYaml, Yams's own build of libyaml (its scanner finds YAML aliases before anything is
        // composed: YAMLAliasScan.swift); Yams has no product for it, and it is built with Yams.
        .target(
            name: "LecternNotebook",
            dependencies: ["LecternMarkdown", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "LecternFiles", dependencies: ["CLibCrypto"]),
        // The codecs of Parquet pages, from Debian's libraries (never a codec written by hand).
        .systemLibrary(name: "CCompression", providers: [.apt(["libsnappy-dev", "libzstd-dev", "liblz4-dev", "zlib1g-dev"])]),
        // Parquet (and Arrow) tables as pyarrow and `datasets` write them. Reads untrusted bytes: compiled with Swift's
        // checks, like LecternWeights (a test holds it to no unsafe flags).
        .target(name: "LecternColumnar", dependencies: ["CCompression"]),
        // Yams reads the YAML header of a Hub dataset's README.md (its `configs`).
        .target(name: "LecternData", dependencies: ["LecternFiles", "LecternColumnar", .product(name: "Yams", package: "Yams")]),
        // The readers of model files (safetensors, the zip and pickle of pytorch_model.bin): they read untrusted
        // bytes, so they are compiled with Swift's bounds and overflow checks, apart from the engine's unchecked
        // kernels (a test holds this target to no unsafe flags).
        .target(name: "LecternWeights", dependencies: ["LecternFiles"]),
        // The tokenizers and the readers of their files (tokenizer.json, vocab.txt, tokenizer_config.json): untrusted
        // bytes and text, so compiled with Swift's bounds and overflow checks; the engine re-exports them. Only the
        // run-time exclusivity checks are off (they cost 12% of tokenization speed and guard no read of input).
        .target(name: "LecternTokenizers", dependencies: ["LecternWeights"], swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(
            name: "LecternEngine",
            dependencies: ["COpenBLAS", "CCPUID", "CBFloat16", "CKernels", "LecternFiles", "LecternWeights", "LecternTokenizers"],
            // SIMD for x86-64-v3 (AVX2, FMA: every x86-64 CPU since 2013-2015), not the build machine's own:
            // a binary built on one machine class runs on the others. As fast as -march=native on Zen 5
            // (AVX-512), 25% faster than baseline x86-64 (docs/engine.md). `lectern` checks the CPU first
            // (CCPUID, baseline code). No exclusivity checks in the kernels' hot loops.
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3", "-enforce-exclusivity=unchecked"])]
        ),
        .target(
            name: "LecternTranscript",
            dependencies: ["LecternMarkdown", "LecternFiles", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "LecternRunner",
            dependencies: ["LecternNotebook", "LecternData", "LecternEngine", "LecternTranscript", "LecternFiles"]
        ),
        // Jupyter and Python: the notebook as Hugging Face code, with Lectern's outputs attached.
        .target(name: "LecternExport", dependencies: ["LecternNotebook", "LecternData", "LecternEngine", "LecternRunner", "LecternTranscript"]),
        // Rendering as a library, in stages: parse (LessonSource) → execute (Execution, with the cell cache)
        // → writers (TranscriptOutput: HTML, Markdown, JSON, ipynb) → site (CourseSite, with PDF handouts).
        .target(name: "LecternRender", dependencies: ["LecternNotebook", "LecternRunner", "LecternEngine", "LecternTranscript", "LecternExport", "LecternFiles"]),
        // `lectern preview`: the transcript live on the loopback address (FlyingFox: HTTP and WebSockets on BSD
        // sockets and Swift concurrency, no other dependency).
        .target(name: "LecternPreview", dependencies: ["LecternRender", "LecternRunner", "LecternNotebook", "LecternTranscript", .product(name: "FlyingFox", package: "FlyingFox")]),
        .executableTarget(
            name: "lectern",
            dependencies: ["CCPUID", "LecternRender", "LecternPreview", "LecternRunner", "LecternExport", "LecternEngine", "LecternTranscript", "LecternNotebook", "LecternFiles", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Lectern's side of `make bench` (bench/run_bench.py runs it against the Hugging Face reference).
        .executableTarget(name: "lectern-bench", dependencies: ["LecternData", "LecternEngine", "LecternFiles"], path: "bench/lectern-bench"),
        // The fuzzers' entry points (docs/reliability.md); the tests replay fuzz/corpus through them.
        .target(name: "LecternFuzzTargets", dependencies: ["LecternNotebook", "LecternColumnar", "LecternData", "LecternEngine", "LecternRunner"]),
        // `make fuzz` builds this with libFuzzer; built normally it replays inputs (`lectern-fuzz TARGET FILE...`).
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(name: "lectern-fuzz", dependencies: ["LecternFuzzTargets", "CLibFuzzer"], path: "fuzz/lectern-fuzz"),
        .target(name: "LecternTestSupport", path: "Tests/LecternTestSupport"),
        .testTarget(name: "LecternNotebookTests", dependencies: ["LecternNotebook", "LecternTestSupport"]),
        .testTarget(name: "LecternColumnarTests", dependencies: ["LecternColumnar", "LecternEngine", "LecternTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LecternDataTests", dependencies: ["LecternData", "LecternFiles", "LecternTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LecternEngineTests", dependencies: ["LecternEngine", "CCPUID", "CBFloat16", "CKernels", "LecternData", "LecternTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LecternTranscriptTests", dependencies: ["LecternTranscript", "LecternFiles", "LecternTestSupport"]),
        .testTarget(name: "LecternPreviewTests", dependencies: ["LecternPreview", "LecternRender", "LecternNotebook", "LecternTranscript", "LecternTestSupport", .product(name: "FlyingFox", package: "FlyingFox")]),
        .testTarget(name: "LecternRenderTests", dependencies: ["LecternRender", "LecternNotebook", "LecternRunner", "LecternTranscript", "LecternTestSupport"]),
        .testTarget(name: "LecternRunnerTests", dependencies: ["LecternRunner", "LecternNotebook", "LecternEngine", "LecternTranscript", "LecternFiles", "LecternTestSupport"]),
        // Runs the built `lectern` executable as a student would; `swift test` builds it first.
        .testTarget(name: "LecternCLITests", dependencies: ["LecternTestSupport"]),
        .testTarget(name: "LecternFilesTests", dependencies: ["LecternFiles", "LecternTestSupport"]),
        .testTarget(name: "LecternFuzzTests", dependencies: ["LecternFuzzTargets", "LecternTestSupport"]),
    ]
)
