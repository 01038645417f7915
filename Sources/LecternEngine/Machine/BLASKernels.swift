import COpenBLAS
import Foundation

/// Which of OpenBLAS's kernel sets multiplies the engine's matrices, who chose it, and what the
/// reader of a run should be told about it. Decided once per process (`BLAS.kernels`).
///
/// OpenBLAS picks its kernels by CPU model when it loads, from a table that ends with the CPUs of
/// its release: Debian's 0.3.21 runs a 2023 Xeon (Emerald Rapids) on its generic Prescott kernels,
/// 7× slower than its AVX-512 ones. Lectern picks by the vector instructions the CPU has instead,
/// keeps a choice the user made with OPENBLAS_CORETYPE, and checks the kernels' products before
/// trusting them.
public struct BLASKernels: Sendable {
    public enum Origin: Sendable, Equatable {
        /// OpenBLAS's own choice, already the best for this CPU.
        case openBLAS
        /// Lectern replaced OpenBLAS's choice (named here) with the best kernels for the CPU.
        case lectern(replacing: String)
        /// The user's OPENBLAS_CORETYPE.
        case environment
        /// Better kernels (named here) gave wrong products on this CPU; these are the best that did not.
        case fallback(from: String)
        /// This OpenBLAS was built for one kernel set; there is nothing to choose.
        case fixed
    }

    /// The kernel set in use, as OpenBLAS names it ("Cooperlake").
    public let core: String
    public let origin: Origin
    /// The kernel set Lectern would choose for this CPU.
    public let best: String
    /// Problems a reader must see: generic kernels, wrong products.
    public let warnings: [String]
    /// Worth knowing, not wrong: a slower kernel set chosen by the user.
    public let notes: [String]

    /// How OpenBLAS 0.3.21's AVX-512 kernel sets add up a product of 4 rows or more, measured (`BLASTests`):
    /// each element of C is C plus, block after block of k, that block's products summed by fused multiply-adds
    /// from zero in the order of k. A block is this many values of k (320 for Cooperlake, 448 for SkylakeX), but
    /// where fewer than two remain, the rest is halved (rounded up) if it exceeds one block. nil for kernel sets
    /// that add in another order (Haswell's and Zen's depend on where a row falls in the product).
    public var accumulationBlock: Int? { ["Cooperlake": 320, "SkylakeX": 448][core] }

    /// Whether a row of a product (`BLAS.sgemm`, 4 rows or more) comes out the same whatever rows share the
    /// product with it: true where `accumulationBlock` describes the arithmetic, which reads nothing of other
    /// rows. Work may be regrouped across products only where this holds (`JoinedBatches`).
    public var rowsAreIndependent: Bool { accumulationBlock != nil }

    /// "Cooperlake kernels, chosen by Lectern (OpenBLAS picked Prescott)".
    public var summary: String {
        switch origin {
        case .openBLAS: "\(core) kernels"
        case let .lectern(replaced): "\(core) kernels, chosen by Lectern (OpenBLAS picked \(replaced))"
        case .environment: "\(core) kernels, set by OPENBLAS_CORETYPE"
        case let .fallback(from): "\(core) kernels (\(from)'s failed the product check)"
        case .fixed: "\(core) kernels (an OpenBLAS built for one core)"
        }
    }
}

extension BLASKernels {
    /// What to do about OpenBLAS's own choice, before any product has been checked.
    struct Plan: Equatable {
        /// The kernel set to switch to; nil keeps OpenBLAS's choice.
        var switchTo: String?
        var origin: Origin
        var warnings: [String] = []
        var notes: [String] = []
    }

    /// Decides from the CPU's vector units, the user's OPENBLAS_CORETYPE and OpenBLAS's own choice.
    static func plan(for cpu: CPU, forced: String?, libraryChoice picked: String) -> Plan {
        let best = OpenBLASCore.best(for: cpu)
        var plan = Plan(switchTo: nil, origin: .openBLAS)
        let requested = forced.flatMap(OpenBLASCore.named)
        if let name = forced, requested == nil {
            plan.notes.append("OPENBLAS_CORETYPE=\(name) names no kernel set this OpenBLAS knows, so Lectern chose as if it were not set.")
        }
        if let name = forced, let requested {
            if requested.level > cpu.level {
                // OpenBLAS would run them anyway and stop at the first instruction the CPU lacks.
                plan.switchTo = best.name
                plan.origin = .lectern(replacing: picked)
                plan.warnings.append("OPENBLAS_CORETYPE=\(name) asks for kernels that need \(requested.level), which this CPU lacks; "
                    + "Lectern uses \(best.name) instead. Fix: unset OPENBLAS_CORETYPE")
            } else {
                plan.origin = .environment
                if requested.level > .sse && requested.level < best.level {
                    plan.notes.append("OPENBLAS_CORETYPE=\(name) keeps OpenBLAS on its \(requested.name) kernels (\(requested.level)); this CPU "
                        + "can run its \(best.name) kernels (\(best.level)), which multiply matrices faster. Unset OPENBLAS_CORETYPE to use them.")
                }
            }
        } else if let current = OpenBLASCore.named(picked), current.level < best.level {
            plan.switchTo = best.name
            plan.origin = .lectern(replacing: picked)
        }
        // A name this table does not know comes from a newer OpenBLAS than Lectern's table: kept.
        return plan
    }

    /// Chooses, applies and checks the kernel set. Runs before any other call into OpenBLAS.
    static func choose(for cpu: CPU, forced: String?, switcher: CoreSwitch?) -> BLASKernels {
        let best = OpenBLASCore.best(for: cpu)
        guard let switcher else {
            let core = BLAS.coreName
            let warning = genericWarning(core: core, cpu: cpu, best: best, reason: .fixedBuild)
            return BLASKernels(core: core, origin: .fixed, best: best.name, warnings: warning.map { [$0] } ?? [], notes: [])
        }
        var plan = plan(for: cpu, forced: forced, libraryChoice: BLAS.coreName)
        if let core = plan.switchTo { switcher.use(core) }

        if let failure = ProductCheck.firstFailure() {
            let failed = BLAS.coreName
            let level = OpenBLASCore.named(failed)?.level ?? cpu.level
            var passed: String?
            for candidate in OpenBLASCore.ladder(for: cpu) where candidate.level < level {
                switcher.use(candidate.name)
                if ProductCheck.firstFailure() == nil { passed = candidate.name; break }
            }
            if let passed {
                plan.origin = .fallback(from: failed)
                plan.warnings.append("OpenBLAS's \(failed) kernels multiplied matrices wrongly on this CPU (\(failure)); "
                    + "Lectern uses its \(passed) kernels instead, which are slower. Fix: install another OpenBLAS build "
                    + "(Debian's libopenblas0-pthread or libopenblas0-openmp)")
            } else {
                switcher.use(failed)
                plan.warnings.append("OpenBLAS multiplies matrices wrongly on this CPU with every kernel set it has (\(failure)): "
                    + "results will be wrong. Fix: install another OpenBLAS build (Debian's libopenblas0-pthread or libopenblas0-openmp)")
            }
        }

        let core = BLAS.coreName
        let reason: GenericReason = plan.origin == .environment ? .forced(forced ?? core) : .betterOnesFailed
        if let warning = genericWarning(core: core, cpu: cpu, best: best, reason: reason) { plan.warnings.append(warning) }
        return BLASKernels(core: core, origin: plan.origin, best: best.name, warnings: plan.warnings, notes: plan.notes)
    }

    enum GenericReason {
        case forced(String), betterOnesFailed, fixedBuild
    }

    /// The warning for OpenBLAS's generic (SSE) kernels on a CPU that has better, with the one-line fix.
    static func genericWarning(core: String, cpu: CPU, best: OpenBLASCore, reason: GenericReason) -> String? {
        guard let inUse = OpenBLASCore.named(core), inUse.level == .sse, best.level > .sse else { return nil }
        let (why, fix) = switch reason {
        case let .forced(name): ("because OPENBLAS_CORETYPE=\(name) asks for them", "unset OPENBLAS_CORETYPE")
        case .betterOnesFailed: ("because the better ones failed the product check", "install another OpenBLAS build (Debian's libopenblas0-pthread)")
        case .fixedBuild: ("the only ones this OpenBLAS build has", "install Debian's libopenblas0-pthread, which has kernels for every x86-64 CPU")
        }
        return "OpenBLAS runs its generic \(core) kernels, \(why): matrix products run several times slower than this CPU "
            + "(\(cpu.level)) allows, and so does training. Fix: \(fix)"
    }
}

/// Switches a DYNAMIC_ARCH OpenBLAS to another kernel set after it has loaded: its own
/// `gotoblas_dynamic_init` reads OPENBLAS_CORETYPE again and sets the kernel table and its
/// blocking sizes. Exported by every DYNAMIC_ARCH build, undeclared in cblas.h, so it is looked up;
/// nil for a build with one kernel set.
struct CoreSwitch {
    private let quit: @convention(c) () -> Void
    private let initialize: @convention(c) () -> Void

    static let available: CoreSwitch? = {
        let everything = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        guard let quit = dlsym(everything, "gotoblas_dynamic_quit"), let initialize = dlsym(everything, "gotoblas_dynamic_init") else { return nil }
        return CoreSwitch(quit: unsafeBitCast(quit, to: (@convention(c) () -> Void).self),
                          initialize: unsafeBitCast(initialize, to: (@convention(c) () -> Void).self))
    }()

    /// Loads the named kernel set. OPENBLAS_CORETYPE is set only for the call and restored after,
    /// so child processes see the user's environment, not Lectern's choice.
    func use(_ core: String) {
        let saved = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        setenv("OPENBLAS_CORETYPE", core, 1)
        quit()
        initialize()
        if let saved { setenv("OPENBLAS_CORETYPE", saved, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
    }
}
