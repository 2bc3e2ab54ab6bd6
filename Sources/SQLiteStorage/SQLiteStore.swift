import Foundation
import GRDB
import Storage
import Synchronization
import WatchModel

/// The collector's embedded store: one SQLite file (WAL) holding the site registry, agents,
/// series, and points as compact chunks (one per series per upload, in the wire's encoding),
/// never one row per sample.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    /// (agent, catalog) → the agent's series ids → the collector's series ids: every upload needs it.
    private let catalogs = Mutex<[String: [Int64: Int64]]>([:])

    /// Opens or creates the store at `path`, creating and migrating its tables.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // An acknowledged batch must survive a power cut too, not only a crash: the agent deletes it.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE sites (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, district TEXT NOT NULL,
                    province TEXT NOT NULL, latitude REAL, longitude REAL, upstream TEXT NOT NULL, team TEXT NOT NULL,
                    contacts TEXT NOT NULL);
                CREATE TABLE admin_tokens (hash TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);
                CREATE TABLE enrollment_tokens (hash TEXT PRIMARY KEY, site TEXT NOT NULL, created_ms INTEGER NOT NULL,
                    expires_ms INTEGER NOT NULL, used_ms INTEGER);
                CREATE TABLE agents (id TEXT PRIMARY KEY, site TEXT NOT NULL, hostname TEXT NOT NULL, secret_hash TEXT NOT NULL,
                    created_ms INTEGER NOT NULL, revoked_ms INTEGER);
                CREATE TABLE series (id INTEGER PRIMARY KEY, metric TEXT NOT NULL, labels TEXT NOT NULL, site TEXT NOT NULL,
                    UNIQUE (metric, labels));
                CREATE INDEX series_metric ON series (metric, site);
                -- an agent's series ids (per catalog, i.e. per spool) mapped to the collector's
                CREATE TABLE catalogs (agent TEXT NOT NULL, catalog INTEGER NOT NULL, agent_series INTEGER NOT NULL,
                    series INTEGER NOT NULL, PRIMARY KEY (agent, catalog, agent_series)) WITHOUT ROWID;
                CREATE TABLE chunks (series INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
                    count INTEGER NOT NULL, data BLOB NOT NULL);
                CREATE INDEX chunks_series ON chunks (series, end_ms);
                CREATE TABLE batches (agent TEXT NOT NULL, id TEXT NOT NULL, received_ms INTEGER NOT NULL,
                    samples INTEGER NOT NULL, path TEXT NOT NULL, clock_correction_ms INTEGER NOT NULL,
                    PRIMARY KEY (agent, id)) WITHOUT ROWID;
                CREATE TABLE events (id INTEGER PRIMARY KEY, site TEXT NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL,
                    labels TEXT NOT NULL, text TEXT NOT NULL, document TEXT);
                CREATE INDEX events_site ON events (site, ts);
                """)
        }
        migrator.registerMigration("v2 latest") { db in
            // The newest point of each series, kept at ingest: latest-per-site and /metrics read one row a series.
            try db.execute(sql: """
                CREATE TABLE latest (series INTEGER PRIMARY KEY, ts INTEGER NOT NULL, value REAL NOT NULL);
                """)
        }
        migrator.registerMigration("v3 probe lists") { db in
            // scope "" is the province's list, otherwise a site code.
            try db.execute(sql: "CREATE TABLE probe_lists (scope TEXT PRIMARY KEY, toml TEXT NOT NULL, updated_ms INTEGER NOT NULL)")
        }
        migrator.registerMigration("v4 chunk codec") { db in
            // 0: the wire's point encoding as received; 1: the same, deflated, after compaction.
            try db.execute(sql: "ALTER TABLE chunks ADD COLUMN codec INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v5 rollups") { db in
            // Per series, per 5-minute or 1-hour bucket: what a planner's year-long graph needs.
            try db.execute(sql: """
                CREATE TABLE rollups (series INTEGER NOT NULL, resolution INTEGER NOT NULL, start_ms INTEGER NOT NULL,
                    count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, p95 REAL NOT NULL,
                    PRIMARY KEY (series, resolution, start_ms)) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6 rollup sketches") { db in
            // A mergeable sketch per stored bucket: the p95 of a week out of 5-minute rollups.
            try db.execute(sql: "ALTER TABLE rollups ADD COLUMN sketch BLOB")
        }
        registerIncidents(&migrator)
        registerStaff(&migrator)
        return migrator
    }

    static func now() -> TimestampMs { WallClock.nowMs() }
}

// MARK: time series

extension SQLiteStore: MetricStore {
    public func ingest(_ batch: IngestBatch) async throws -> IngestOutcome {
        let cacheKey = "\(batch.agentID)/\(batch.catalog)"
        let cached = catalogs.withLock { $0[cacheKey] ?? [:] }
        let (outcome, learnt) = try await pool.write { db -> (IngestOutcome, [Int64: Int64]) in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM batches WHERE agent = ? AND id = ?", arguments: [batch.agentID, batch.batchID]) == true {
                return (.duplicate, [:])
            }
            var known = cached
            for d in batch.definitions {
                let id = try Self.seriesID(batch.storedKey(d), site: batch.site, in: db)
                try db.execute(sql: "INSERT OR REPLACE INTO catalogs (agent, catalog, agent_series, series) VALUES (?, ?, ?, ?)",
                               arguments: [batch.agentID, Int64(bitPattern: batch.catalog), d.id, id])
                known[d.id] = id
            }
            var unknown: [Int64] = []
            for s in batch.series where known[s.id] == nil {
                if let id = try Int64.fetchOne(db, sql: "SELECT series FROM catalogs WHERE agent = ? AND catalog = ? AND agent_series = ?",
                                               arguments: [batch.agentID, Int64(bitPattern: batch.catalog), s.id]) {
                    known[s.id] = id
                } else {
                    unknown.append(s.id)
                }
            }
            guard unknown.isEmpty else { return (.unknownSeries(unknown), [:]) }
            var samples = 0
            for s in batch.series where !s.points.isEmpty {
                let points = batch.correctedPoints(s)
                try db.execute(sql: "INSERT INTO chunks (series, start_ms, end_ms, count, data) VALUES (?, ?, ?, ?, ?)",
                               arguments: [known[s.id]!, points.first!.timestamp, points.last!.timestamp, points.count,
                                           Data(PointBlock.encode(points))])
                samples += points.count
                try db.execute(sql: """
                    INSERT INTO latest (series, ts, value) VALUES (?1, ?2, ?3)
                    ON CONFLICT (series) DO UPDATE SET ts = ?2, value = ?3 WHERE ?2 >= latest.ts
                    """, arguments: [known[s.id]!, points.last!.timestamp, points.last!.value])
            }
            for e in batch.storedEvents {
                try db.execute(sql: "INSERT INTO events (site, ts, kind, labels, text, document) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [batch.site, e.timestamp, e.kind, LabelText.encode(e.labels), e.text, e.document])
            }
            try db.execute(sql: "INSERT INTO batches (agent, id, received_ms, samples, path, clock_correction_ms) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batch.agentID, batch.batchID, Self.now(), samples, batch.path, batch.clockCorrection])
            return (.stored(samples: samples), known)
        }
        if !learnt.isEmpty { catalogs.withLock { $0[cacheKey] = learnt } }
        return outcome
    }

    static func seriesID(_ key: SeriesKey, site: String, in db: Database) throws -> Int64 {
        let labels = LabelText.encode(key.labels)
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE metric = ? AND labels = ?", arguments: [key.metric, labels]) {
            return id
        }
        try db.execute(sql: "INSERT INTO series (metric, labels, site) VALUES (?, ?, ?)", arguments: [key.metric, labels, site])
        return db.lastInsertedRowID
    }

    public func points(_ key: SeriesKey, from: TimestampMs, to: TimestampMs) async throws -> [WirePoint] {
        try await pool.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE metric = ? AND labels = ?",
                                              arguments: [key.metric, LabelText.encode(key.labels)]) else { return [] }
            return try Self.points(series: id, from: from, to: to, in: db)
        }
    }

    static func points(series: Int64, from: TimestampMs, to: TimestampMs, in db: Database) throws -> [WirePoint] {
        var out: [WirePoint] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT data, codec FROM chunks WHERE series = ? AND end_ms >= ? AND start_ms <= ?",
                                       arguments: [series, from, to])
        while let row = try rows.next() {
            out += try chunkPoints(row[0], codec: row[1]).filter { $0.timestamp >= from && $0.timestamp <= to }
        }
        // Late uploads make chunks overlap in time: order the points.
        out.sort { $0.timestamp < $1.timestamp }
        return out
    }

    static func chunkPoints(_ data: Data, codec: Int) throws -> [WirePoint] {
        try ChunkCodec.points([UInt8](data), codec: codec)
    }

    public func series(metric: String, matching: [String: String]) async throws -> [SeriesKey] {
        try await pool.read { db in try Self.matching(metric: metric, labels: matching, in: db).map(\.key) }
    }

    static func matching(metric: String, labels: [String: String], in db: Database) throws -> [(id: Int64, key: SeriesKey)] {
        let rows: [Row]
        if let site = labels["site"] {
            rows = try Row.fetchAll(db, sql: "SELECT id, labels FROM series WHERE metric = ? AND site = ?", arguments: [metric, site])
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT id, labels FROM series WHERE metric = ?", arguments: [metric])
        }
        return rows.compactMap { row in
            let decoded = LabelText.decode(row[1])
            guard labels.allSatisfy({ decoded[$0.key] == $0.value }) else { return nil }
            return (row[0], SeriesKey(metric, decoded))
        }
    }

    public func latestRows(metric: String, site: String?) async throws -> [LatestRow] {
        try await pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT s.labels, l.ts, l.value FROM series s JOIN latest l ON l.series = s.id
                WHERE s.metric = ?1 AND (?2 IS NULL OR s.site = ?2)
                """, arguments: [metric, site])
            var out: [LatestRow] = []
            while let row = try rows.next() { out.append(LatestRow(labelsJSON: row[0], timestamp: row[1], value: row[2])) }
            return out
        }
    }

    public func everyLatest() async throws -> [(key: SeriesKey, point: WirePoint)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT s.metric, s.labels, l.ts, l.value FROM latest l JOIN series s ON s.id = l.series ORDER BY s.metric")
                .map { (SeriesKey($0[0], LabelText.decode($0[1])), WirePoint(timestamp: $0[2], value: $0[3])) }
        }
    }

    public func events(site: String?, from: TimestampMs, to: TimestampMs, limit: Int) async throws -> [Event] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT ts, kind, labels, text, document FROM events
                WHERE (?1 IS NULL OR site = ?1) AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC LIMIT ?4
                """, arguments: [site, from, to, limit])
            return rows.map { Event(kind: $0[1], timestamp: $0[0], labels: LabelText.decode($0[2]), text: $0[3], document: $0[4]) }
        }
    }
}
