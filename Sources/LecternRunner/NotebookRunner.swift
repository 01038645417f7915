import Foundation
import LecternFiles
import LecternEngine
import LecternNotebook
import LecternTranscript

/// Runs a notebook: validates every directive first, then runs them in document order
/// against one session, and returns the transcript (also when something failed).
public struct NotebookRunner: Sendable {
    public var registry: DirectiveRegistry
    /// Run later cells that do not depend on a failed one.
    public var keepGoing: Bool

    public init(registry: DirectiveRegistry = .standard, keepGoing: Bool = false) {
        self.registry = registry
        self.keepGoing = keepGoing
    }

    /// A directive cell that passed validation, ready to run.
    struct PlannedCell {
        var index: Int
        var cell: DirectiveCell
        var schema: DirectiveSchema
        /// The cell bound to its typed settings.
        var bound: BoundCell
        var arguments: DirectiveArguments { bound.arguments }
    }

    /// Checks every directive (schema, parameters, order) without running anything.
    /// Returns every problem found, in notebook order.
    public func check(_ notebook: Notebook, bindings: ParameterBindings) -> [Diagnostic] {
        switch plan(notebook, bindings: bindings) {
        case .success: return []
        case let .failure(problems): return problems.all
        }
    }

    /// Every directive cell's arguments after substitution and validation (defaults filled in), by
    /// cell index; the problems instead when the notebook does not validate.
    public func resolvedArguments(_ notebook: Notebook, bindings: ParameterBindings) -> Result<[Int: DirectiveArguments], Diagnostics> {
        plan(notebook, bindings: bindings).map { cells in Dictionary(uniqueKeysWithValues: cells.map { ($0.index, $0.arguments) }) }
    }

    func plan(_ notebook: Notebook, bindings: ParameterBindings) -> Result<[PlannedCell], Diagnostics> {
        var planned: [PlannedCell] = []
        var problems: [Diagnostic] = []
        var available = Set<SessionResource>()
        var earlier: [any DirectiveSettings] = []
        for (index, cell) in notebook.directives {
            let location = cell.location(in: notebook.path)
            guard let handler = registry.handler(for: cell.name) else {
                let supported = registry.names.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                problems.append(Diagnostic("This build of Lectern cannot run `\(cell.name.rawValue)` cells yet.", at: location,
                                           hint: "It can run: \(supported). Remove the cell or turn it into a plain code block to show it without running it."))
                continue
            }
            let schema = handler.directiveSchema, provides = handler.providedResources
            let body: ParameterNode
            switch cell.body {
            case let .success(node): body = node
            case let .failure(problem):
                problems.append(problem)
                available.formUnion(provides)
                continue
            }
            do {
                let substituted = try bindings.substitute(body)
                let bound = handler.bind(try schema.validate(substituted, directiveLocation: location))
                for need in bound.needs where !available.contains(need) {
                    let producers = registry.names.filter { registry.handler(for: $0).map { type(of: $0).provides.contains(need) } ?? false }
                    problems.append(Diagnostic("`\(cell.name.rawValue)` needs a \(need.rawValue), but no earlier cell provides one.", at: location,
                                               hint: "Add " + producers.map { "a `\($0.rawValue)` cell" }.joined(separator: " or ") + " above it."
                                                   + (need == .model ? " Or name a checkpoint with `model:`." : "")))
                }
                available.formUnion(provides)
                let cellProblems = bound.problems + bound.settings.check(after: earlier)
                earlier.append(bound.settings)
                if cellProblems.isEmpty {
                    planned.append(PlannedCell(index: index, cell: cell, schema: schema, bound: bound))
                } else {
                    problems += cellProblems
                }
            } catch let error as Diagnostic {
                problems.append(error)
                available.formUnion(provides)
            } catch let error as Diagnostics {
                problems += error.all
                available.formUnion(provides)
            } catch {
                problems.append(Diagnostic("\(error)", at: location))
            }
        }
        // The prose's `${...}` references, in notebook order among the cells' problems.
        problems += ProseValues.check(notebook, bindings: bindings)
        problems = problems.enumerated().sorted { ($0.element.location.line, $0.offset) < ($1.element.location.line, $1.offset) }.map(\.element)
        return problems.isEmpty ? .success(planned) : .failure(Diagnostics(problems))
    }

    /// The transcript of a notebook that could not be read or parsed: the problems, nothing else.
    public static func rejected(notebookPath: String, problems: [Diagnostic], runInfo: [(label: String, value: String)]) -> Transcript {
        Transcript(title: URL(fileURLWithPath: notebookPath).deletingPathExtension().lastPathComponent, notebook: notebookPath,
                   status: .invalid, parameters: [], runInfo: runInfo, startedAt: Date(), seconds: 0, cells: [],
                   diagnostics: problems.map(\.description))
    }

    /// Runs the notebook and returns its transcript; `transcript.status` tells how it went. The run
    /// has papermill's phases: plan (validate every cell), run each cell in order (skip, restore
    /// from the cache, or compute), then finish the transcript.
    public func run(_ notebook: Notebook, bindings: ParameterBindings, context: RunContext, runInfo: [(label: String, value: String)]) -> Transcript {
        let clock = ContinuousClock.now
        let parameters = bindings.bindings.map { Transcript.Parameter(name: $0.name, value: JSONValue(yaml: $0.value), source: $0.source) }
        let seedInfo = [(label: "Seed", value: String(context.seed))]
        var transcript = Transcript(title: notebook.title, notebook: notebook.path, status: .ok, parameters: parameters,
                                    runInfo: runInfo + seedInfo, startedAt: Date(), seconds: 0, cells: [], diagnostics: [])
        let plan: [PlannedCell]
        switch self.plan(notebook, bindings: bindings) {
        case let .success(cells): plan = cells
        case let .failure(problems):
            transcript.status = .invalid
            transcript.diagnostics = problems.all.map(\.description)
            transcript.cells = notebook.cells.enumerated().map { index, cell in
                Self.transcriptCell(cell) { directive in
                    DirectiveRecord(index: index, directive: directive.name.rawValue, line: directive.line, source: directive.source,
                                    status: .skipped, skipReason: "not run: the notebook has problems")
                }
            }
            transcript.seconds = Self.seconds(since: clock)
            return transcript
        }
        transcript.runInfo += Self.runHeader(plan)
        var state = RunState()
        for (position, planned) in plan.enumerated() {
            if let partial = context.partialTranscript {
                partial(snapshot(transcript, notebook: notebook, bindings: bindings, plan: plan, running: planned.index, state: state, since: clock))
            }
            state.records[planned.index] = runCell(planned, position: position, of: plan.count, state: &state, context: context)
        }
        return finish(transcript, notebook: notebook, bindings: bindings, state: state, since: clock)
    }

    /// What the cells of one run share as they run in order.
    struct RunState {
        var session = Session()
        /// Resources a failed (or skipped) cell should have made.
        var failed = Set<SessionResource>()
        var anyFailure = false
        var interrupted = false
        var records: [Int: DirectiveRecord] = [:]
        /// The cache key of the cell that last made each resource: part of the keys of the cells that use it.
        var providerKeys: [SessionResource: String] = [:]
    }

    /// One cell: skipped (after an interruption, or a failure it depends on), or restored from the cache, or computed.
    private func runCell(_ planned: PlannedCell, position: Int, of count: Int, state: inout RunState, context: RunContext) -> DirectiveRecord {
        let bound = planned.bound
        var record = DirectiveRecord(index: planned.index, directive: planned.cell.name.rawValue, line: planned.cell.line,
                                     source: planned.cell.source, status: .ok, parameters: Self.parameters(planned.arguments, schema: planned.schema))
        let blockedBy = bound.needs.filter(state.failed.contains)
        if state.interrupted || context.isInterrupted() {
            record.status = .skipped
            record.skipReason = "not run: the run was interrupted"
            state.interrupted = true
            return record
        }
        if state.anyFailure && (!keepGoing || !blockedBy.isEmpty) {
            record.status = .skipped
            record.skipReason = blockedBy.isEmpty ? "not run: an earlier cell failed"
                : "not run: it needs the \(blockedBy.map(\.rawValue).joined(separator: ", ")) that a failed cell should have made"
            state.failed.formUnion(bound.provides)
            return record
        }
        context.progress.cellStarted(index: position + 1, of: count, directive: record.directive, line: record.line)
        record.startedAt = Date()
        let cellClock = ContinuousClock.now
        let key = context.cache.map { _ in
            cacheKey(planned, context: context, upstream: bound.needs.compactMap { state.providerKeys[$0] })
        }
        do throws(Diagnostic) {
            try restoreOrCompute(planned, key: key, record: &record, session: &state.session, context: context, since: cellClock)
            if let key { for resource in bound.provides { state.providerKeys[resource] = key } }
        } catch {
            // A cell that throws after the user asked to stop was stopped, not broken.
            state.interrupted = context.isInterrupted()
            record.status = state.interrupted ? .interrupted : .error
            record.error = state.interrupted ? "\(error.location): stopped: \(error.message)" + (error.hint.map { " " + $0 } ?? "") : error.description
            state.failed.formUnion(bound.provides)
            state.anyFailure = true
        }
        record.seconds = Self.seconds(since: cellClock)
        context.progress.cellFinished(directive: record.directive, status: record.status.rawValue, seconds: record.seconds ?? 0,
                                      summary: record.error)
        return record
    }

    /// The cell's result from the cache when its key is stored (and its state restores), else run and stored.
    private func restoreOrCompute(_ planned: PlannedCell, key: String?, record: inout DirectiveRecord, session: inout Session,
                                  context: RunContext, since clock: ContinuousClock.Instant) throws(Diagnostic) {
        let bound = planned.bound
        let refreshed = context.refresh.contains(record.directive) || context.refresh.contains(String(record.line))
        if let cache = context.cache, let key, bound.cacheable, !refreshed, let entry = cache.load(key),
           (try? bound.restoreState(&session, cache.entryFolder(key), context)) != nil {
            record.outputs = entry.outputs
            record.blocks = entry.blocks
            record.cached = true
            record.computed = entry.computed
            return
        }
        record.computedBecause = !bound.cacheable ? "never cached (it only reads files)" : context.cache == nil ? "the cache is off"
            : refreshed ? "--refresh" : "no stored result for its inputs (first run, or its parameters, seed, files or an earlier cell changed)"
        if context.frozen, bound.cacheable {
            throw Diagnostic("--frozen: this cell's result is not in the cache, so it would have to run: "
                             + (refreshed ? "--refresh asks for it." : "its parameters, the seed, its data or model, or an earlier cell changed since it last ran."),
                             at: planned.arguments.location, hint: "Build without --frozen to run it.")
        }
        let result = try bound.run(&session, context)
        record.outputs = result.outputs
        record.blocks = result.blocks
        guard let cache = context.cache, let key, bound.cacheable else { return }
        do {
            let computed = Computation(startedAt: record.startedAt ?? Date(), seconds: Self.seconds(since: clock), machine: MachineReport.processor)
            try cache.store(CellCache.Entry(directive: record.directive, outputs: result.outputs, blocks: result.blocks, computed: computed), key: key) { folder in
                try bound.saveState(session, folder)
            }
        } catch {
            record.blocks.append(.notice("This result could not be cached (\(error)); the next run will compute it again."))
        }
    }

    /// The transcript so far, for a live view: the cells done, the one at `running`, and those to come, shown as not run yet.
    private func snapshot(_ transcript: Transcript, notebook: Notebook, bindings: ParameterBindings, plan: [PlannedCell], running: Int,
                          state: RunState, since clock: ContinuousClock.Instant) -> Transcript {
        var state = state
        for planned in plan where state.records[planned.index] == nil {
            state.records[planned.index] = DirectiveRecord(index: planned.index, directive: planned.cell.name.rawValue, line: planned.cell.line,
                                                           source: planned.cell.source, status: planned.index == running ? .running : .waiting)
        }
        var partial = finish(transcript, notebook: notebook, bindings: bindings, state: state, since: clock)
        partial.status = .running
        return partial
    }

    /// The transcript once every cell has run: status, the data and models read, cells in document order.
    private func finish(_ transcript: Transcript, notebook: Notebook, bindings: ParameterBindings, state: RunState,
                        since clock: ContinuousClock.Instant) -> Transcript {
        var transcript = transcript
        transcript.status = state.interrupted ? .interrupted : state.anyFailure ? .error : .ok
        for kind in [RunInput.Kind.data, .model] {
            let inputs = state.session.inputs.filter { $0.kind == kind }
            transcript.runInfo += inputs.enumerated().map { index, input in
                (label: kind.rawValue + (index == 0 ? "" : " \(index + 1)"), value: input.summary)
            }
        }
        let labels = ProseValues.labels(notebook)
        transcript.cells = notebook.cells.enumerated().map { index, cell in
            guard case let .prose(prose) = cell, prose.markdown.contains("${") else { return Self.transcriptCell(cell) { _ in state.records[index]! } }
            // Values woven into the prose: the parameters and the outputs of the cells above.
            let woven = ProseValues.weave(prose, notebook: notebook, bindings: bindings, records: state.records, labels: labels)
            transcript.woven += woven.woven
            transcript.warnings += woven.warnings
            return Self.transcriptCell(.prose(prose.rewritten(woven.markdown))) { _ in state.records[index]! }
        }
        transcript.seconds = Self.seconds(since: clock)
        return transcript
    }

    /// What the cells add to the run header, one line per label, naming the cells that asked for it
    /// (e.g. "Precision": which cells asked for bf16, and what this CPU gives them).
    static func runHeader(_ plan: [PlannedCell]) -> [(label: String, value: String)] {
        var labels: [String] = [], notes: [String: (note: RunHeaderNote, cells: [String])] = [:]
        for planned in plan {
            for note in planned.bound.runHeader {
                let cell = "`\(planned.cell.name.rawValue)` (line \(planned.cell.line))"
                if notes[note.label] == nil { labels.append(note.label); notes[note.label] = (note, []) }
                notes[note.label]?.cells.append(cell)
            }
        }
        return labels.compactMap { label in notes[label].map { (label: label, value: $0.note.value($0.cells.joined(separator: ", "))) } }
    }

    /// The cell's key in the cache: its parameters, the notebook seed, the content of the files it reads, and
    /// the keys of the cells that made what it needs (see `CellCache`).
    private func cacheKey(_ planned: PlannedCell, context: RunContext, upstream: [String]) -> String {
        let inputHashes = planned.bound.inputs(context).map { path in
            (try? context.hashes.sha256(of: path)) ?? "unreadable:\(path)"
        } + planned.bound.cacheKeyParts
        let parameters = JSONValue.object(Self.parameters(planned.arguments, schema: planned.schema).map { (key: $0.name, value: $0.value) })
        return CellCache.key(directive: planned.cell.name.rawValue, parameters: parameters, seed: context.seed, inputHashes: inputHashes, upstream: upstream)
    }

    private static func transcriptCell(_ cell: Cell, record: (DirectiveCell) -> DirectiveRecord) -> Transcript.Cell {
        switch cell {
        case let .prose(prose):
            return .prose(markdown: prose.markdown, html: prose.html, headings: prose.headings.map { Transcript.Heading(level: $0.level, text: $0.text) })
        case let .code(code):
            return .code(language: code.language, source: code.source)
        case let .directive(directive):
            return .directive(record(directive))
        }
    }

    static func parameters(_ arguments: DirectiveArguments, schema: DirectiveSchema) -> [(name: String, value: JSONValue, isDefault: Bool)] {
        schema.parameters.compactMap { spec in
            arguments[spec.name].map { (name: spec.name, value: JSONValue(parameter: $0), isDefault: !arguments.isGiven(spec.name)) }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

extension JSONValue {
    /// A validated parameter as JSON.
    init(parameter: ParameterValue) {
        switch parameter {
        case let .string(text): self = .string(text)
        case let .integer(value): self = .int(value)
        case let .number(value): self = .double(value)
        case let .boolean(value): self = .bool(value)
        case let .list(items): self = .array(items.map(JSONValue.init(parameter:)))
        case let .mapping(entries): self = .object(entries.map { (key: $0.name, value: JSONValue(parameter: $0.value)) })
        }
    }

    /// A notebook parameter as JSON: plain scalars that read as numbers or booleans become them.
    init(yaml node: ParameterNode) {
        switch node.value {
        case let .scalar(text, quoted):
            if !quoted, let integer = Int(text) { self = .int(integer) }
            else if !quoted, let number = Double(text), number.isFinite { self = .double(number) }
            else if !quoted, text == "true" || text == "false" { self = .bool(text == "true") }
            else { self = .string(text) }
        case let .sequence(items): self = .array(items.map(JSONValue.init(yaml:)))
        case let .mapping(entries): self = .object(entries.map { (key: $0.key, value: JSONValue(yaml: $0.value)) })
        }
    }
}
