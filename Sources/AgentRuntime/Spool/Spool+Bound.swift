#if canImport(Glibc)
import Glibc
#endif
import SQLite
import WatchModel

/// What the spool holds and what it had to give up, for the agent's self-metrics.
public struct SpoolStats: Sendable, Hashable {
    public var samples = 0
    public var events = 0
    /// Database and WAL files together.
    public var bytes = 0
    /// Timestamp of the oldest sample not yet acknowledged.
    public var oldestUnsent: TimestampMs?
    /// Raw samples merged into five-minute aggregates to stay under the cap.
    public var thinned = 0
    /// Samples dropped (counting those an aggregate stood for) once thinning was not enough.
    public var dropped = 0
    /// Samples and events the collector acknowledged.
    public var sent = 0
    /// Compressed bytes sent to the collector (every attempt counts).
    public var bytesSent = 0
    /// Upload attempts that did not end with an acknowledgement.
    public var batchesRetried = 0

}

extension Spool {
    static let bucket: Int64 = 300_000

    public func stats() throws(SQLiteError) -> SpoolStats {
        var s = SpoolStats()
        let counts = try db.prepare("SELECT count(*), min(ts) FROM samples")
        if try counts.step() {
            s.samples = Int(counts.int(0))
            s.oldestUnsent = counts.isNull(1) ? nil : counts.int(1)
        }
        let events = try db.prepare("SELECT count(*) FROM events")
        if try events.step() { s.events = Int(events.int(0)) }
        s.bytes = fileBytes()
        s.thinned = try counter("thinned")
        s.dropped = try counter("dropped")
        s.sent = try counter("sent")
        s.bytesSent = try counter("bytes_sent")
        s.batchesRetried = try counter("batches_retried")
        return s
    }

    /// Bytes of the spool on disk: the database file and its WAL.
    public func fileBytes() -> Int {
        let path = (try? mainFile()) ?? ""
        return Self.size(of: path) + Self.size(of: path + "-wal")
    }

    /// Bytes the live rows take (allocated pages minus free ones).
    func usedBytes() throws(SQLiteError) -> Int {
        let pages = try number("PRAGMA page_count"), free = try number("PRAGMA freelist_count"), size = try number("PRAGMA page_size")
        return (pages - free) * size
    }

    /// Keeps the spool under its cap: above 90% it thins the oldest raw samples into five-minute
    /// aggregates, and only when nothing is left to thin drops the oldest rows, until it is under 80%.
    /// Rows in a batch the collector has not acknowledged are never touched.
    @discardableResult
    public func enforceCap() throws(SQLiteError) -> (thinned: Int, dropped: Int) {
        let used = try usedBytes()
        guard fileBytes() > capBytes * 9 / 10 || used > capBytes * 9 / 10 else { return (0, 0) }
        var thinned = 0, dropped = 0
        for _ in 0..<10_000 {
            guard try usedBytes() > capBytes * 8 / 10 else { break }
            let merged = try thinOldest(rows: 2000)
            if merged.saved > 0 {
                thinned += merged.raw
                continue
            }
            let gone = try dropOldest(rows: 2000)
            if gone == 0 { break }  // everything left is in flight
            dropped += gone
        }
        try db.execute("PRAGMA incremental_vacuum")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return (thinned, dropped)
    }

    /// Merges up to `rows` of the oldest raw samples into one aggregate per series and five-minute bucket.
    /// Aggregates take the place (sequence number) of their oldest sample, so sending order stays by age.
    /// Returns how many raw samples were merged, and how many rows that saved (0 when nothing could be merged).
    private func thinOldest(rows: Int) throws(SQLiteError) -> (raw: Int, saved: Int) {
        try db.transaction { () throws(SQLiteError) -> (raw: Int, saved: Int) in
            let boundary = try db.prepare("""
                SELECT max(seq) FROM (SELECT seq FROM samples WHERE count IS NULL AND batch IS NULL ORDER BY seq LIMIT ?)
                """).bind([.integer(Int64(rows))])
            guard try boundary.step(), !boundary.isNull(0) else { return (0, 0) }
            let last = boundary.int(0)
            boundary.reset()
            // Only buckets with more than one sample gain anything from being merged.
            try db.execute("DROP TABLE IF EXISTS temp.thin")
            try db.prepare("""
                CREATE TEMP TABLE thin AS
                SELECT series, (ts / \(Self.bucket)) * \(Self.bucket) AS bucket, avg(value) AS mean, min(value) AS lo,
                       max(value) AS hi, count(*) AS n, min(seq) AS first
                FROM samples WHERE count IS NULL AND batch IS NULL AND seq <= ?
                GROUP BY series, ts / \(Self.bucket) HAVING count(*) > 1
                """).run([.integer(last)])
            try db.execute("""
                DELETE FROM samples WHERE count IS NULL AND batch IS NULL AND seq IN (
                    SELECT x.seq FROM samples x JOIN temp.thin t
                    ON x.series = t.series AND (x.ts / \(Self.bucket)) * \(Self.bucket) = t.bucket AND x.seq <= \(last)
                    WHERE x.count IS NULL AND x.batch IS NULL)
                """)
            let removed = db.changes
            try db.execute("INSERT INTO samples (seq, series, ts, value, min, max, count) SELECT first, series, bucket, mean, lo, hi, n FROM temp.thin")
            let saved = removed - db.changes
            try db.execute("DROP TABLE temp.thin")
            try add(removed, to: "thinned")
            return (removed, saved)
        }
    }

    /// Drops the `rows` oldest rows not in flight; returns how many samples they stood for.
    private func dropOldest(rows: Int) throws(SQLiteError) -> Int {
        try db.transaction { () throws(SQLiteError) -> Int in
            let victims = "SELECT seq FROM samples WHERE batch IS NULL ORDER BY seq LIMIT \(rows)"
            let count = try db.prepare("SELECT coalesce(sum(coalesce(count, 1)), 0) FROM samples WHERE seq IN (\(victims))")
            _ = try count.step()
            let represented = Int(count.int(0))
            try db.execute("DELETE FROM samples WHERE seq IN (\(victims))")
            try add(represented, to: "dropped")
            return represented
        }
    }

    private func number(_ sql: String) throws(SQLiteError) -> Int {
        let statement = try db.prepare(sql)
        _ = try statement.step()
        return Int(statement.int(0))
    }

    private func mainFile() throws(SQLiteError) -> String {
        let statement = try db.prepare("SELECT file FROM pragma_database_list WHERE name = 'main'")
        return try statement.step() ? statement.text(0) : ""
    }

    private static func size(of path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
