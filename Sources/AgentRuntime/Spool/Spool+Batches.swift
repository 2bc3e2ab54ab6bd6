import SQLite
import WatchModel

/// A batch handed to the uploader: its idempotent id, and what it carries.
public struct SpoolBatch: Sendable, Hashable {
    /// Stays the same until the collector acknowledges it, so a retry after a lost reply is stored once.
    public let id: String
    public let samples: [SpooledSample]
    public let events: [Event]
}

/// A sample as the spool keeps it: raw, or a five-minute aggregate made when the spool was thinned.
public struct SpooledSample: Sendable, Hashable {
    public let key: SeriesKey
    public let timestamp: TimestampMs
    /// The value, or the mean of an aggregate.
    public let value: Double
    /// Set for aggregates: min, max and how many raw samples they replace.
    public let aggregate: (min: Double, max: Double, count: Int)?

    public static func == (a: SpooledSample, b: SpooledSample) -> Bool {
        a.key == b.key && a.timestamp == b.timestamp && a.value == b.value
            && a.aggregate?.min == b.aggregate?.min && a.aggregate?.max == b.aggregate?.max && a.aggregate?.count == b.aggregate?.count
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(timestamp)
        hasher.combine(value)
    }
}

extension Spool {
    /// The next batch: the one in flight if there is one (same id, same content), else up to `limit`
    /// samples and events, urgent ones first, then oldest first.
    public func nextBatch(limit: Int = 5000) throws(SQLiteError) -> SpoolBatch? {
        try db.transaction { () throws(SQLiteError) -> SpoolBatch? in
            var id = try inFlight()
            if id == nil {
                let fresh = Self.newBatchID()
                try db.prepare("""
                    UPDATE samples SET batch = ? WHERE seq IN
                        (SELECT seq FROM samples WHERE batch IS NULL ORDER BY urgent DESC, seq LIMIT ?)
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
            return SpoolBatch(id: id, samples: try samples(in: id), events: try events(in: id))
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

    private func inFlight() throws(SQLiteError) -> String? {
        for table in ["samples", "events"] {
            let statement = try db.prepare("SELECT batch FROM \(table) WHERE batch IS NOT NULL LIMIT 1")
            if try statement.step() { return statement.text(0) }
        }
        return nil
    }

    private func samples(in batch: String) throws(SQLiteError) -> [SpooledSample] {
        let statement = try db.prepare("""
            SELECT s.metric, s.labels, x.ts, x.value, x.min, x.max, x.count
            FROM samples x JOIN series s ON s.id = x.series WHERE x.batch = ? ORDER BY x.urgent DESC, x.seq
            """).bind([.text(batch)])
        var out: [SpooledSample] = []
        var keys: [String: SeriesKey] = [:]
        while try statement.step() {
            let metric = statement.text(0), labels = statement.text(1)
            let key = keys[metric + labels] ?? SeriesKey(metric, Self.decodeLabels(labels))
            keys[metric + labels] = key
            let aggregate = statement.isNull(6) ? nil : (min: statement.double(4), max: statement.double(5), count: Int(statement.int(6)))
            out.append(SpooledSample(key: key, timestamp: statement.int(2), value: statement.double(3), aggregate: aggregate))
        }
        return out
    }

    private func events(in batch: String) throws(SQLiteError) -> [Event] {
        let statement = try db.prepare("SELECT ts, kind, labels, text, document FROM events WHERE batch = ? ORDER BY urgent DESC, seq")
            .bind([.text(batch)])
        var out: [Event] = []
        while try statement.step() {
            out.append(Event(kind: statement.text(1), timestamp: statement.int(0), labels: Self.decodeLabels(statement.text(2)),
                             text: statement.text(3), document: statement.isNull(4) ? nil : statement.text(4)))
        }
        return out
    }

    /// 16 random bytes in hex.
    static func newBatchID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
