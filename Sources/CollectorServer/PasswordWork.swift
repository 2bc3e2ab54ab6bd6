import Threads

/// Password hashing on threads of its own, at most `limit` at once: each scrypt run takes 32 MiB
/// and tens of milliseconds, which must neither hold up the server's other requests nor let a
/// flood of sign-ins take the machine's memory.
actor PasswordWork {
    let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int = 2) { self.limit = max(1, limit) }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if running < limit {
            running += 1
        } else {
            // The slot is handed over by `leave`: `running` stays counted for this caller.
            await withCheckedContinuation { waiting.append($0) }
        }
        defer { leave() }
        return try await DedicatedThread.run(body)
    }

    private func leave() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}
