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

    /// As many 5 s blocking waits as there are cores, each off the pool: a short sleep on the pool
    /// meanwhile still wakes in time (with the waits on the pool itself it woke after them).
    @Test func blockingWorkOffThePoolLeavesThePoolFree() async throws {
        let blockers = ProcessInfo.processInfo.activeProcessorCount
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<blockers {
                group.addTask { await offThePool { block(seconds: 5) }; return 0 }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(250))
                let waited = ContinuousClock.now - start
                return Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
            }
            let waited = try await group.reduce(0, +)
            #expect(waited < 3, "a 250 ms sleep on the pool took \(waited) s while \(blockers) waits blocked")
        }
    }
}

/// What a blocking test does: holds its thread.
private func block(seconds: Double) { Thread.sleep(forTimeInterval: seconds) }
