import Dispatch
import Foundation
import Testing

/// A task executor with a serial queue of its own, so blocking code run on it holds none of the
/// threads of the shared concurrency pool.
public final class OwnQueueExecutor: TaskExecutor {
    private static let marker = DispatchSpecificKey<Bool>()
    private let queue: DispatchQueue

    public init(_ label: String = "communewatch.test") {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.marker, value: true)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// True when the caller runs on one of these executors' queues (not on the shared pool).
    public static var isCurrent: Bool { DispatchQueue.getSpecific(key: marker) == true }
}

/// Runs `body` on a queue of its own, in the same task (so `#expect` still reports to the test):
/// a test waiting many seconds (for a process, a browser, a cut line) must not hold one of the two
/// threads every async test of a 2-core CI shares, or the HTTP probes and notifier retries time out.
public func offThePool<T>(_ body: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(OwnQueueExecutor()) { try await body() }
}

/// A trait that runs each test of a suite (or one test) with `offThePool`.
/// - `.ownThread`, for tests that block (processes, `Thread.sleep` polling, synchronous HTTP): at
///   most two such tests per core run at once (they mostly wait). All of them at once on 2 cores
///   starve one another of CPU, and the tests that time sessions or count work done before a kill
///   fail. The wait for a turn counts in a test's time limit, so those limits are generous.
/// - `.ownQueue`, for async tests that time things (probe deadlines, notifier retries): no turns;
///   their continuations resume on their own queue, so whatever still blocks the pool (a shared
///   peer starting on first use) cannot stretch their timers.
public struct OwnThreadTrait: SuiteTrait, TestTrait, TestScoping {
    /// Whether the test waits for one of `BlockingSlots`' turns first.
    let takesTurns: Bool

    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        guard takesTurns else { return try await offThePool { try await function() } }
        try await BlockingSlots.shared.withTurn { try await offThePool { try await function() } }
    }
}

/// The slots blocking tests take turns for (two per core); waiting for one is a suspended task.
actor BlockingSlots {
    static let shared = BlockingSlots(count: 2 * max(1, ProcessInfo.processInfo.activeProcessorCount))

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }

    /// Runs `body` with a slot held, given back however `body` ends.
    nonisolated func withTurn<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Each test blocks on a queue of its own, off the shared concurrency pool, taking turns.
    public static var ownThread: Self { Self(takesTurns: true) }
    /// Each test runs on a queue of its own, immune to a blocked pool; no turns.
    public static var ownQueue: Self { Self(takesTurns: false) }
}
