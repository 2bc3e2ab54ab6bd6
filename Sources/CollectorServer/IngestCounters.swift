import Synchronization

/// What the ingest route did since start, for `/metrics` (and when each agent's clock was last
/// flagged): shared by every request, so mutexes.
final class IngestCounters: Sendable {
    struct Counts {
        var batches = 0
        var duplicates = 0
        var samples = 0
        var refused: [Int: Int] = [:]
        var clockCorrected = 0
    }

    private let counts = Mutex(Counts())
    /// When each agent's unsynchronised clock was last flagged.
    private let clockFlagged = Mutex([String: Int64]())

    /// True at most once an hour per agent.
    func shouldFlagClock(of agent: String, now: Int64) -> Bool {
        clockFlagged.withLock { flagged in
            if let last = flagged[agent], now - last < 3_600_000 { return false }
            flagged[agent] = now
            return true
        }
    }

    func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }
    var snapshot: Counts { counts.withLock { $0 } }
}
