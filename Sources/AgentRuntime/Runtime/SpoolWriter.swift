import SQLite
import WatchModel

/// The spool's single owner at run time: probes finishing at the same time write through it one by one.
actor SpoolWriter {
    private let spool: Spool

    init(path: String, capBytes: Int) throws(SQLiteError) {
        spool = try Spool(path: path, capBytes: capBytes)
    }

    func append(_ samples: [Sample], urgent: Bool) throws(SQLiteError) { try spool.append(samples, urgent: urgent) }
    func append(_ event: Event, urgent: Bool = false) throws(SQLiteError) { try spool.append(event, urgent: urgent) }
    func enforceCap() throws(SQLiteError) -> (thinned: Int, dropped: Int) { try spool.enforceCap() }
    func stats() throws(SQLiteError) -> SpoolStats { try spool.stats() }
    func pending() throws(SQLiteError) -> (unbatched: Int, urgent: Int, inFlight: Bool) { try spool.pending() }
    func nextBatch(limit: Int, lane: SpoolLane = .everything) throws(SQLiteError) -> SpoolBatch? { try spool.nextBatch(limit: limit, lane: lane) }
    func acknowledge(_ id: String) throws(SQLiteError) { try spool.acknowledge(id) }
    func release(_ id: String) throws(SQLiteError) { try spool.release(id) }
    func forgetAnnouncements() throws(SQLiteError) { try spool.forgetAnnouncements() }
    /// Adds to one of the spool's persistent counters (bytes sent, batches retried).
    func count(_ amount: Int, as name: String) throws(SQLiteError) { try spool.add(amount, to: name) }
}
