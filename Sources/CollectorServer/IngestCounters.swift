import Synchronization

/// What the ingest route did since start, for `/metrics`: shared by every request, so a mutex.
final class IngestCounters: Sendable {
    struct Counts {
        var batches = 0
        var duplicates = 0
        var samples = 0
        var refused: [Int: Int] = [:]
        var clockCorrected = 0
    }

    private let counts = Mutex(Counts())

    func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }
    var snapshot: Counts { counts.withLock { $0 } }
}
