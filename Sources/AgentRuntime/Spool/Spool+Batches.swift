import SQLite
import WatchModel

/// A batch handed to the uploader: its idempotent id, and what it carries.
public struct SpoolBatch: Sendable, Hashable {
    /// Stays the same until the collector acknowledges it, so a retry after a lost reply is stored once.
    /// Batches of essentials (for the 4G fallback) are claimed as `e:` + id in the spool.
    public let id: String
    /// The id the collector sees: 32 hex digits.
    public var wireID: String { id.hasPrefix(Spool.essentialsPrefix) ? String(id.dropFirst(Spool.essentialsPrefix.count)) : id }
    /// The spool's series catalog, which the samples' series ids belong to.
    public let catalog: UInt64
    /// Series in this batch that the collector has not acknowledged yet.
    public let definitions: [SeriesDefinition]
    public let samples: [SpooledSample]
    public let events: [Event]
}

/// A sample as the spool keeps it: raw, or a five-minute aggregate made when the spool was thinned.
public struct SpooledSample: Sendable, Hashable {
    /// The series' id in the spool's catalog.
    public let series: Int64
    public let key: SeriesKey
    public let timestamp: TimestampMs
    /// The value, or the mean of an aggregate.
    public let value: Double
    /// Set for aggregates: min, max and how many raw samples they replace.
    public let aggregate: (min: Double, max: Double, count: Int)?

    public static func == (a: SpooledSample, b: SpooledSample) -> Bool {
        a.series == b.series && a.key == b.key && a.timestamp == b.timestamp && a.value == b.value
            && a.aggregate?.min == b.aggregate?.min && a.aggregate?.max == b.aggregate?.max && a.aggregate?.count == b.aggregate?.count
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(timestamp)
        hasher.combine(value)
    }
}

/// Which rows a batch may take.
public enum SpoolLane: Sendable {
    /// Everything, urgent rows first, then oldest first.
    case everything
    /// What must get through a metered 4G fallback: urgent rows, events, the agent's own
    /// metrics (the heartbeat) and each path's state; the backlog waits for the dedicated line.
    case essentials
}

extension Spool {
    static let essentialsPrefix = "e:"

    /// The next batch: the one in flight if there is one (same id, same content), else up to `limit`
    /// samples and events, urgent ones first, then oldest first. An `.everything` batch may be a
    /// retry of an essentials batch (the line came back); an `.essentials` one never takes backlog.
    public func nextBatch(limit: Int = 5000, lane: SpoolLane = .everything) throws(SQLiteError) -> SpoolBatch? {
        try db.transaction { () throws(SQLiteError) -> SpoolBatch? in
            var id = try inFlight(lane)
            if id == nil {
                let fresh = (lane == .essentials ? Self.essentialsPrefix : "") + Self.newBatchID()
                let essentialsOnly = lane == .essentials
                    ? "AND (urgent = 1 OR series IN (SELECT id FROM series WHERE metric LIKE 'agent\\_%' ESCAPE '\\' OR metric = 'probe_path_up'))" : ""
                try db.prepare("""
                    UPDATE samples SET batch = ? WHERE seq IN
                        (SELECT seq FROM samples WHERE batch IS NULL \(essentialsOnly) ORDER BY urgent DESC, seq LIMIT ?)
                    """).run([.text(fresh), .integer(Int64(limit))])
                let taken = db.changes
                try db.prepare("""
                    UPDATE events SET batch = ? WHERE seq IN
                        (SELECT seq FROM events WHERE batch IS NULL ORDER BY urgent DESC, seq LIMIT ?)
                    """).run([.text(fresh), .integer(Int64(limit))])
                guard taken + db.changes > 0 else { return nil }
                id = fresh
            }
            guard let id else { return nil }
            let (samples, definitions) = try samples(in: id)
            return SpoolBatch(id: id, catalog: catalog, definitions: definitions, samples: samples, events: try events(in: id))
        }
    }

    /// What waits to be sent, in the terms the uploader decides on: one cheap query, no file stats.
    public func pending() throws(SQLiteError) -> (unbatched: Int, urgent: Int, inFlight: Bool) {
        let statement = try db.prepare("""
            SELECT (SELECT count(*) FROM samples WHERE batch IS NULL) + (SELECT count(*) FROM events WHERE batch IS NULL),
                   (SELECT count(*) FROM samples WHERE batch IS NULL AND urgent = 1)
                     + (SELECT count(*) FROM events WHERE batch IS NULL AND urgent = 1),
                   EXISTS (SELECT 1 FROM samples WHERE batch IS NOT NULL) OR EXISTS (SELECT 1 FROM events WHERE batch IS NOT NULL)
            """)
        guard try statement.step() else { return (0, 0, false) }
        return (Int(statement.int(0)), Int(statement.int(1)), statement.int(2) != 0)
    }

    /// The collector stored the batch: its rows leave the spool.
    public func acknowledge(_ batchID: String) throws(SQLiteError) {
        try db.transaction { () throws(SQLiteError) in
            // The batch carried the definitions of its unannounced series: the collector has them now.
            try db.prepare("UPDATE series SET announced = 1 WHERE announced = 0 AND id IN (SELECT series FROM samples WHERE batch = ?)")
                .run([.text(batchID)])
            try db.prepare("DELETE FROM samples WHERE batch = ?").run([.text(batchID)])
            let samples = db.changes
            try db.prepare("DELETE FROM events WHERE batch = ?").run([.text(batchID)])
            try add(samples + db.changes, to: "sent")
        }
    }

    /// Puts a batch the collector refused as too large back, so a smaller one can be formed.
    /// Only for batches the collector certainly did not store (413).
    public func release(_ batchID: String) throws(SQLiteError) {
        try db.transaction { () throws(SQLiteError) in
            try db.prepare("UPDATE samples SET batch = NULL WHERE batch = ?").run([.text(batchID)])
            try db.prepare("UPDATE events SET batch = NULL WHERE batch = ?").run([.text(batchID)])
        }
    }

    /// The collector no longer knows this spool's catalog (409): every series is defined again.
    public func forgetAnnouncements() throws(SQLiteError) {
        try db.execute("UPDATE series SET announced = 0")
    }

    private func inFlight(_ lane: SpoolLane) throws(SQLiteError) -> String? {
        let claimed = lane == .essentials ? "batch LIKE '\(Self.essentialsPrefix)%'" : "batch IS NOT NULL"
        for table in ["samples", "events"] {
            let statement = try db.prepare("SELECT batch FROM \(table) WHERE \(claimed) LIMIT 1")
            if try statement.step() { return statement.text(0) }
        }
        return nil
    }

    private func samples(in batch: String) throws(SQLiteError) -> ([SpooledSample], [SeriesDefinition]) {
        let statement = try db.prepare("""
            SELECT s.metric, s.labels, x.ts, x.value, x.min, x.max, x.count, s.id, s.announced
            FROM samples x JOIN series s ON s.id = x.series WHERE x.batch = ? ORDER BY x.urgent DESC, x.seq
            """).bind([.text(batch)])
        var out: [SpooledSample] = []
        var keys: [Int64: SeriesKey] = [:]
        var definitions: [SeriesDefinition] = []
        while try statement.step() {
            let id = statement.int(7)
            let key: SeriesKey
            if let known = keys[id] { key = known } else {
                key = SeriesKey(statement.text(0), LabelText.decode(statement.text(1)))
                keys[id] = key
                if statement.int(8) == 0 { definitions.append(SeriesDefinition(id: id, key: key)) }
            }
            let aggregate = statement.isNull(6) ? nil : (min: statement.double(4), max: statement.double(5), count: Int(statement.int(6)))
            out.append(SpooledSample(series: id, key: key, timestamp: statement.int(2), value: statement.double(3), aggregate: aggregate))
        }
        return (out, definitions)
    }

    private func events(in batch: String) throws(SQLiteError) -> [Event] {
        let statement = try db.prepare("SELECT ts, kind, labels, text, document FROM events WHERE batch = ? ORDER BY urgent DESC, seq")
            .bind([.text(batch)])
        var out: [Event] = []
        while try statement.step() {
            out.append(Event(kind: statement.text(1), timestamp: statement.int(0), labels: LabelText.decode(statement.text(2)),
                             text: statement.text(3), document: statement.isNull(4) ? nil : statement.text(4)))
        }
        return out
    }

    /// 16 random bytes in hex.
    static func newBatchID() -> String { RandomHex.make(bytes: 16) }
}
