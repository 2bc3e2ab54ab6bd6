import SQLite
import WatchModel

/// The spool's single owner at run time: probes finishing at the same time write through it one by one.
actor SpoolWriter {
    private let spool: Spool

    init(path: String, capBytes: Int) throws(SQLiteError) {
        spool = try Spool(path: path, capBytes: capBytes)
    }

    func append(_ samples: [Sample], urgent: Bool) throws(SQLiteError) { try spool.append(samples, urgent: urgent) }
    func append(_ event: Event) throws(SQLiteError) { try spool.append(event) }
    func enforceCap() throws(SQLiteError) -> (thinned: Int, dropped: Int) { try spool.enforceCap() }
    func stats() throws(SQLiteError) -> SpoolStats { try spool.stats() }
}
