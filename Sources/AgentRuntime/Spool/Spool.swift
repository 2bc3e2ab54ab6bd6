import SQLite
import WatchModel

/// The agent's store-and-forward spool: every result is written here first, in SQLite (WAL,
/// synchronous commits), and leaves only when the collector has acknowledged its batch.
///
/// Not thread-safe by itself: one owner (the agent's spool actor) uses it at a time.
public final class Spool {
    let db: Database
    /// Size the spool may use on disk, database and WAL together.
    public let capBytes: Int
    /// Series ids already looked up: the same few hundred series come back every minute.
    private var seriesIDs: [SeriesKey: Int64] = [:]
    /// This spool's series catalog: batches name series by id within it (docs/protocol.md).
    public private(set) var catalog: UInt64 = 0

    /// Opens or creates the spool at `path`; reopening after a crash or power cut never fails on a sound file.
    public init(path: String, capBytes: Int = 200 << 20) throws(SQLiteError) {
        db = try Database(path: path)
        self.capBytes = capBytes
        // auto_vacuum must be chosen before the first table exists: it lets a thinned spool give pages back.
        try db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        try db.execute("PRAGMA journal_mode = WAL")
        // FULL: a committed transaction survives a power cut, not only a crash.
        try db.execute("PRAGMA synchronous = FULL")
        try db.execute("""
            -- announced: the collector acknowledged a batch carrying this series' definition
            CREATE TABLE IF NOT EXISTS series (
                id INTEGER PRIMARY KEY, metric TEXT NOT NULL, labels TEXT NOT NULL,
                announced INTEGER NOT NULL DEFAULT 0, UNIQUE (metric, labels));
            CREATE TABLE IF NOT EXISTS catalog (id INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS samples (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
                urgent INTEGER NOT NULL DEFAULT 0,
                -- set for five-minute aggregates made when the spool was thinned
                min REAL, max REAL, count INTEGER,
                batch TEXT);
            CREATE INDEX IF NOT EXISTS samples_batch ON samples (batch);
            CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                ts INTEGER NOT NULL, kind TEXT NOT NULL, labels TEXT NOT NULL, text TEXT NOT NULL, document TEXT,
                urgent INTEGER NOT NULL DEFAULT 0, batch TEXT);
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """)
        // Spools written before series catalogs existed gain the column (nothing announced yet).
        var columns: [String] = []
        let info = try db.prepare("PRAGMA table_info(series)")
        while try info.step() { columns.append(info.text(1)) }
        if !columns.contains("announced") {
            try db.execute("ALTER TABLE series ADD COLUMN announced INTEGER NOT NULL DEFAULT 0")
        }
        catalog = try openCatalog()
    }

    /// The catalog id, made once per spool file: a new spool's ids must never be read against an old catalog.
    private func openCatalog() throws(SQLiteError) -> UInt64 {
        try db.transaction { () throws(SQLiteError) -> UInt64 in
            let statement = try db.prepare("SELECT id FROM catalog LIMIT 1")
            if try statement.step() { return UInt64(bitPattern: statement.int(0)) }
            let fresh = UInt64.random(in: 1...UInt64.max)
            try db.prepare("INSERT INTO catalog (id) VALUES (?)").run([.integer(Int64(bitPattern: fresh))])
            return fresh
        }
    }

    /// Stores samples in one transaction; `urgent` ones (a confirmed change of state) are sent first.
    public func append(_ samples: [Sample], urgent: Bool = false) throws(SQLiteError) {
        guard !samples.isEmpty else { return }
        // Ids of series created in this transaction are remembered only once it has committed.
        var fresh: [SeriesKey: Int64] = [:]
        try db.transaction { () throws(SQLiteError) in
            let insert = try db.prepare("INSERT INTO samples (series, ts, value, urgent) VALUES (?, ?, ?, ?)")
            for sample in samples {
                let id = try seriesID(sample.key, fresh: &fresh)
                try insert.run([.integer(id), .integer(sample.timestamp), .real(sample.value), .integer(urgent ? 1 : 0)])
            }
        }
        seriesIDs.merge(fresh) { old, _ in old }
    }

    /// Stores an event (inventory, configuration change); `urgent` ones go first.
    public func append(_ event: Event, urgent: Bool = false) throws(SQLiteError) {
        try db.prepare("INSERT INTO events (ts, kind, labels, text, document, urgent) VALUES (?, ?, ?, ?, ?, ?)")
            .run([.integer(event.timestamp), .text(event.kind), .text(LabelText.encode(event.labels)), .text(event.text),
                  event.document.map { .text($0) } ?? .null, .integer(urgent ? 1 : 0)])
    }

    private func seriesID(_ key: SeriesKey, fresh: inout [SeriesKey: Int64]) throws(SQLiteError) -> Int64 {
        if let known = seriesIDs[key] ?? fresh[key] { return known }
        let id = try lookUpSeries(key)
        fresh[key] = id
        return id
    }

    private func lookUpSeries(_ key: SeriesKey) throws(SQLiteError) -> Int64 {
        let labels = LabelText.encode(Dictionary(key.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
        let find = try db.prepare("SELECT id FROM series WHERE metric = ? AND labels = ?").bind([.text(key.metric), .text(labels)])
        if try find.step() { return find.int(0) }
        try db.prepare("INSERT INTO series (metric, labels) VALUES (?, ?)").run([.text(key.metric), .text(labels)])
        return try lastID()
    }

    private func lastID() throws(SQLiteError) -> Int64 {
        let statement = try db.prepare("SELECT last_insert_rowid()")
        _ = try statement.step()
        return statement.int(0)
    }

    // MARK: counters

    func counter(_ name: String) throws(SQLiteError) -> Int {
        let statement = try db.prepare("SELECT value FROM counters WHERE name = ?").bind([.text(name)])
        return try statement.step() ? Int(statement.int(0)) : 0
    }

    func add(_ amount: Int, to name: String) throws(SQLiteError) {
        guard amount != 0 else { return }
        try db.prepare("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value")
            .run([.text(name), .integer(Int64(amount))])
    }
}
