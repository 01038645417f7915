import CKernels
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import LecternEngine

/// The engine's worker pool (CKernels/worker_pool.c, `Parallel.perform`): every iteration runs
/// exactly once, on more than one thread, including when tasks follow each other faster than the
/// workers wake, when tasks nest, and when several threads call at once.
@Suite(.serialized) struct WorkerPoolTests {
    /// How many times each index ran, over `count` slots.
    final class Runs: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Int>
        let count: Int
        init(_ count: Int) {
            self.count = count
            slots = .allocate(capacity: max(count, 1))
            slots.initialize(repeating: 0, count: max(count, 1))
        }
        deinit { slots.deallocate() }
        func record(_ index: Int) { slots[index] += 1 }
        var eachOnce: Bool { (0..<count).allSatisfy { slots[$0] == 1 } }
    }

    @Test(arguments: [0, 1, 2, 3, 17, 1000])
    func everyIterationRunsOnce(count: Int) {
        for threads in [1, 2, 3] {
            let runs = Runs(count)
            Parallel.perform(count, threads: threads) { runs.record($0) }
            #expect(runs.eachOnce, "\(count) iterations on \(threads) threads")
        }
    }

    @Test func twoIterationsRunAtOnceAndBothFinishBeforeTheCallReturns() {
        // Each iteration waits (two seconds at most) for the other to start: only two threads
        // running at the same time let both see the other. The worker's iteration then works a
        // while longer, so a call that returned before its workers finished would find it at work.
        let caller = pthread_self()
        let started = Atomic<Int>(0), sawTheOther = Atomic<Int>(0), finished = Atomic<Int>(0)
        Parallel.perform(2, threads: 2) { _ in
            started.add(1, ordering: .sequentiallyConsistent)
            let deadline = Date().addingTimeInterval(2)
            while started.load(ordering: .sequentiallyConsistent) < 2, Date() < deadline {}
            if started.load(ordering: .sequentiallyConsistent) == 2 { sawTheOther.add(1, ordering: .sequentiallyConsistent) }
            if pthread_equal(pthread_self(), caller) == 0 { usleep(50_000) }
            finished.add(1, ordering: .sequentiallyConsistent)
        }
        #expect(finished.load(ordering: .sequentiallyConsistent) == 2)
        #expect(sawTheOther.load(ordering: .sequentiallyConsistent) == 2)
    }

    @Test(arguments: [0, 50])
    func tasksInQuickSuccessionEachRunOnce(spinMicroseconds: Int) {
        // With no spinning the workers go to sleep after every task, so each task races a worker
        // that is still finishing, or waking up for, the one before.
        lectern_pool_set_spin_microseconds(spinMicroseconds)
        defer { lectern_pool_set_spin_microseconds(50) }
        for task in 0..<200_000 {
            let count = 1 + task % 5
            let runs = Runs(count)
            Parallel.perform(count, threads: 2) { runs.record($0) }
            guard runs.eachOnce else {
                Issue.record("task \(task) of \(count) iterations: \((0..<count).map { runs.slots[$0] })")
                return
            }
        }
    }

    @Test func aTaskInsideATaskRunsAlone() {
        let runs = Runs(8 * 50)
        Parallel.perform(8, threads: 2) { outer in
            Parallel.perform(50, threads: 2) { inner in runs.record(outer * 50 + inner) }
        }
        #expect(runs.eachOnce)
    }

    @Test func severalCallersAtOnceEachGetEveryIteration() {
        let callers = 6, count = 500
        let runs = (0..<callers).map { _ in Runs(count) }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<20 {
                let run = Runs(count)
                Parallel.perform(count, threads: 2) { run.record($0) }
                if run.eachOnce { runs[caller].record(0) }
            }
        }
        #expect(runs.allSatisfy { $0.slots[0] == 20 })
    }
}
