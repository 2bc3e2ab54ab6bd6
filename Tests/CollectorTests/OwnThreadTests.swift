import Foundation
import Testing
import TestSupport

/// The `.ownThread` trait that keeps blocking tests (processes, sleeps, browsers) off the shared
/// pool: on a 2-core CI two of them once held the whole pool for five minutes and every HTTP probe
/// and notifier test timed out.
@Suite(.ownThread) struct OwnThreadTests {
    @Test func aBlockingTestRunsOffThePool() {
        #expect(OwnQueueExecutor.isCurrent)
    }

    @Test func anAsyncTestStaysOffThePoolAcrossAwaits() async throws {
        try await Task.sleep(for: .milliseconds(20))
        #expect(OwnQueueExecutor.isCurrent)
    }
}

@Suite struct SharedPoolTests {
    @Test func aTestWithoutTheTraitRunsOnTheSharedPool() {
        #expect(!OwnQueueExecutor.isCurrent)
    }

    /// As many blocking waits as there are cores, at once, each through `offThePool`: each runs on
    /// a queue of its own and a thread of its own, none on the pool's. (A timing check of the pool
    /// instead failed in a whole run: shared peers starting on first use still block it briefly.)
    @Test func blockingWorkOffThePoolRunsOnThreadsOfItsOwn() async {
        let blockers = ProcessInfo.processInfo.activeProcessorCount
        let seen = await withTaskGroup(of: (offPool: Bool, thread: UInt).self) { group in
            for _ in 0..<blockers {
                group.addTask { await offThePool { block(seconds: 0.5) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(seen.count == blockers && seen.allSatisfy(\.offPool), "\(seen)")
        #expect(Set(seen.map(\.thread)).count == blockers, "the waits shared threads: \(seen)")
    }
}

@Suite(.ownQueue) struct OwnQueueTests {
    @Test func anAsyncTestRunsOffThePoolWithoutTakingTurns() async throws {
        try await Task.sleep(for: .milliseconds(20))
        #expect(OwnQueueExecutor.isCurrent)
    }
}

/// What a blocking test does: holds its thread; says where it ran.
private func block(seconds: Double) -> (offPool: Bool, thread: UInt) {
    Thread.sleep(forTimeInterval: seconds)
    return (OwnQueueExecutor.isCurrent, UInt(pthread_self()))
}
