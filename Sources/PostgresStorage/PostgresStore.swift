import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage
import Synchronization
import WatchModel

/// The store for larger deployments: PostgreSQL through postgres-nio, with the SQLite store's
/// tables and chunk encoding. Several collectors may share one database: exactly-once rests on
/// the batches table's primary key, migrations on an advisory lock.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let running: Task<Void, Never>
    let logger: Logger
    /// (agent, catalog) → the agent's series ids → the collector's series ids: every upload needs it.
    private let catalogs = Mutex<[String: [Int64: Int64]]>([:])

    /// Connects to `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`, `?sslmode=disable|prefer|require`,
    /// `?host=/run/postgresql` for a Unix socket) and creates or migrates the tables.
    public static func open(url: String) async throws -> PostgresStore {
        let target = try DatabaseURL.parse(url)
        func failure(_ error: any Error) -> DatabaseURLError {
            DatabaseURLError("PostgreSQL at \(DatabaseURL.redacted(url)): \(PostgresStore.describe(error))")
        }
        do {
            let connection = try await PostgresConnection.connect(configuration: target.probe, id: 0, logger: Logger(label: "commune-collector.postgres"))
            try await connection.close()
        } catch {
            throw failure(error)
        }
        let store = PostgresStore(configuration: target.pool)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw failure(error)
        }
        return store
    }

    init(configuration: PostgresClient.Configuration) {
        var logger = Logger(label: "commune-collector.postgres")
        logger.logLevel = .error
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
    }

    public func close() async {
        running.cancel()
        await running.value
    }

    /// The server's own words for a failure (postgres-nio's description hides them).
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        if let e = error as? PostgresTransactionError {
            return describe(e.closureError ?? e.beginError ?? e.commitError ?? e.rollbackError ?? error)
        }
        return "\(error)"
    }

    /// Runs `body` in a transaction; an error thrown by `body` comes out as itself, after the rollback.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let closure = error.closureError, error.rollbackError == nil { throw closure }
            throw error
        }
    }

    /// Every row of `query` decoded as `type`.
    func all<each T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: (repeat each T).Type,
                                        on connection: PostgresConnection? = nil) async throws -> [(repeat each T)] {
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
        var out: [(repeat each T)] = []
        for try await row in rows.decode((repeat each T).self) { out.append(row) }
        return out
    }

    /// The one column of every row of `query`.
    func column<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type, on connection: PostgresConnection? = nil) async throws -> [T] {
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
        var out: [T] = []
        for try await value in rows.decode(T.self) { out.append(value) }
        return out
    }

    func run(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws {
        if let connection { try await connection.query(query, logger: logger).consume() } else { try await client.query(query, logger: logger).consume() }
    }

    static func now() -> TimestampMs { WallClock.nowMs() }
}

extension PostgresRowSequence {
    /// Reads and drops the rows (a statement's result must be read before the connection is reused).
    func consume() async throws {
        for try await _ in self {}
    }
}

// MARK: schema

extension PostgresStore {
    static let schema: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE sites (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, district TEXT NOT NULL,
                province TEXT NOT NULL, latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, upstream TEXT NOT NULL,
                team TEXT NOT NULL, contacts TEXT NOT NULL)
            """,
            "CREATE TABLE admin_tokens (hash TEXT PRIMARY KEY, created_ms BIGINT NOT NULL)",
            """
            CREATE TABLE enrollment_tokens (hash TEXT PRIMARY KEY, site TEXT NOT NULL, created_ms BIGINT NOT NULL,
                expires_ms BIGINT NOT NULL, used_ms BIGINT)
            """,
            """
            CREATE TABLE agents (id TEXT PRIMARY KEY, site TEXT NOT NULL, hostname TEXT NOT NULL, secret_hash TEXT NOT NULL,
                created_ms BIGINT NOT NULL, revoked_ms BIGINT)
            """,
            "CREATE TABLE series (id BIGSERIAL PRIMARY KEY, metric TEXT NOT NULL, labels TEXT NOT NULL, site TEXT NOT NULL, UNIQUE (metric, labels))",
            "CREATE INDEX series_metric ON series (metric, site)",
            // An agent's series ids (per catalog, i.e. per spool) mapped to the collector's.
            """
            CREATE TABLE catalogs (agent TEXT NOT NULL, catalog BIGINT NOT NULL, agent_series BIGINT NOT NULL,
                series BIGINT NOT NULL, PRIMARY KEY (agent, catalog, agent_series))
            """,
            // codec 0: the wire's point encoding as received; 1: the same, deflated, after compaction.
            """
            CREATE TABLE chunks (id BIGSERIAL PRIMARY KEY, series BIGINT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL,
                count BIGINT NOT NULL, codec SMALLINT NOT NULL DEFAULT 0, data BYTEA NOT NULL)
            """,
            "CREATE INDEX chunks_series ON chunks (series, end_ms)",
            """
            CREATE TABLE batches (agent TEXT NOT NULL, id TEXT NOT NULL, received_ms BIGINT NOT NULL, samples BIGINT NOT NULL,
                path TEXT NOT NULL, clock_correction_ms BIGINT NOT NULL, PRIMARY KEY (agent, id))
            """,
            """
            CREATE TABLE events (id BIGSERIAL PRIMARY KEY, site TEXT NOT NULL, ts BIGINT NOT NULL, kind TEXT NOT NULL,
                labels TEXT NOT NULL, text TEXT NOT NULL, document TEXT)
            """,
            "CREATE INDEX events_site ON events (site, ts)",
            "CREATE TABLE latest (series BIGINT PRIMARY KEY, ts BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL)",
            // scope '' is the province's list, otherwise a site code.
            "CREATE TABLE probe_lists (scope TEXT PRIMARY KEY, toml TEXT NOT NULL, updated_ms BIGINT NOT NULL)",
            """
            CREATE TABLE rollups (series BIGINT NOT NULL, resolution BIGINT NOT NULL, start_ms BIGINT NOT NULL,
                count BIGINT NOT NULL, sum DOUBLE PRECISION NOT NULL, min DOUBLE PRECISION NOT NULL, max DOUBLE PRECISION NOT NULL,
                p95 DOUBLE PRECISION NOT NULL, sketch BYTEA NOT NULL, PRIMARY KEY (series, resolution, start_ms))
            """,
        ]),
        (2, incidentSchema),
        (3, silenceSchema),
        (4, staffSchema),
    ]

    /// Creates the tables a version at a time; collectors starting together wait on one advisory lock.
    func migrate() async throws {
        try await transaction { c in
            try await run("SELECT pg_advisory_xact_lock(7346)", on: c)
            try await run("CREATE TABLE IF NOT EXISTS schema_versions (version INT PRIMARY KEY, applied_ms BIGINT NOT NULL)", on: c)
            let applied = Set(try await column("SELECT version FROM schema_versions", as: Int.self, on: c))
            for (version, statements) in Self.schema where !applied.contains(version) {
                for statement in statements { try await run(PostgresQuery(unsafeSQL: statement), on: c) }
                try await run("INSERT INTO schema_versions (version, applied_ms) VALUES (\(version), \(Self.now()))", on: c)
            }
        }
    }
}

// MARK: time series

extension PostgresStore: MetricStore {
    /// Thrown inside the ingest transaction to roll it back: another collector stored the batch meanwhile.
    struct StoredMeanwhile: Error {}

    public func ingest(_ batch: IngestBatch) async throws -> IngestOutcome {
        let cacheKey = "\(batch.agentID)/\(batch.catalog)"
        let cached = catalogs.withLock { $0[cacheKey] ?? [:] }
        let catalog = Int64(bitPattern: batch.catalog)
        do {
            let (outcome, learnt) = try await transaction { c -> (IngestOutcome, [Int64: Int64]) in
                let seen = try await column("SELECT 1 FROM batches WHERE agent = \(batch.agentID) AND id = \(batch.batchID)", as: Int32.self, on: c)
                if !seen.isEmpty { return (.duplicate, [:]) }
                var known = cached
                for d in batch.definitions {
                    let key = batch.storedKey(d)
                    let labels = LabelText.encode(key.labels)
                    let id = try await column("""
                        INSERT INTO series (metric, labels, site) VALUES (\(key.metric), \(labels), \(batch.site))
                        ON CONFLICT (metric, labels) DO UPDATE SET site = EXCLUDED.site RETURNING id
                        """, as: Int64.self, on: c)[0]
                    try await run("""
                        INSERT INTO catalogs (agent, catalog, agent_series, series) VALUES (\(batch.agentID), \(catalog), \(d.id), \(id))
                        ON CONFLICT (agent, catalog, agent_series) DO UPDATE SET series = EXCLUDED.series
                        """, on: c)
                    known[d.id] = id
                }
                let missing = batch.series.map(\.id).filter { known[$0] == nil }
                if !missing.isEmpty {
                    for (agentSeries, series) in try await all("""
                        SELECT agent_series, series FROM catalogs WHERE agent = \(batch.agentID) AND catalog = \(catalog) AND agent_series = ANY(\(missing))
                        """, as: (Int64, Int64).self, on: c) {
                        known[agentSeries] = series
                    }
                    let unknown = missing.filter { known[$0] == nil }
                    guard unknown.isEmpty else { return (.unknownSeries(unknown), [:]) }
                }
                // One statement for every chunk and one for the newest points, in series order (one lock order for all writers).
                var rows: [(series: Int64, points: [WirePoint])] = []
                for s in batch.series where !s.points.isEmpty { rows.append((known[s.id]!, batch.correctedPoints(s))) }
                rows.sort { $0.series < $1.series }
                let samples = rows.reduce(0) { $0 + $1.points.count }
                if !rows.isEmpty {
                    try await run("""
                        INSERT INTO chunks (series, start_ms, end_ms, count, data)
                        SELECT * FROM unnest(\(rows.map(\.series)), \(rows.map { $0.points.first!.timestamp }), \(rows.map { $0.points.last!.timestamp }),
                                             \(rows.map { Int64($0.points.count) }), \(rows.map { ByteBuffer(bytes: PointBlock.encode($0.points)) }))
                        """, on: c)
                    var newest: [Int64: WirePoint] = [:]
                    for row in rows where row.points.last!.timestamp >= (newest[row.series]?.timestamp ?? .min) { newest[row.series] = row.points.last! }
                    let ids = newest.keys.sorted()
                    try await run("""
                        INSERT INTO latest (series, ts, value)
                        SELECT * FROM unnest(\(ids), \(ids.map { newest[$0]!.timestamp }), \(ids.map { newest[$0]!.value }))
                        ON CONFLICT (series) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value WHERE EXCLUDED.ts >= latest.ts
                        """, on: c)
                }
                for e in batch.storedEvents {
                    try await run("""
                        INSERT INTO events (site, ts, kind, labels, text, document)
                        VALUES (\(batch.site), \(e.timestamp), \(e.kind), \(LabelText.encode(e.labels)), \(e.text), \(e.document))
                        """, on: c)
                }
                // The batch's key decides, under any concurrency: a twin stored meanwhile by another collector rolls this one back.
                let inserted = try await column("""
                    INSERT INTO batches (agent, id, received_ms, samples, path, clock_correction_ms)
                    VALUES (\(batch.agentID), \(batch.batchID), \(Self.now()), \(Int64(samples)), \(batch.path), \(batch.clockCorrection))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, as: Int32.self, on: c)
                guard !inserted.isEmpty else { throw StoredMeanwhile() }
                return (.stored(samples: samples), known)
            }
            if !learnt.isEmpty { catalogs.withLock { $0[cacheKey] = learnt } }
            return outcome
        } catch is StoredMeanwhile {
            return .duplicate
        }
    }

    func seriesID(_ key: SeriesKey) async throws -> Int64? {
        try await column("SELECT id FROM series WHERE metric = \(key.metric) AND labels = \(LabelText.encode(key.labels))", as: Int64.self).first
    }

    public func points(_ key: SeriesKey, from: TimestampMs, to: TimestampMs) async throws -> [WirePoint] {
        guard let id = try await seriesID(key) else { return [] }
        return try await points(series: id, from: from, to: to)
    }

    func points(series: Int64, from: TimestampMs, to: TimestampMs, on connection: PostgresConnection? = nil) async throws -> [WirePoint] {
        var out: [WirePoint] = []
        for (data, codec) in try await all("""
            SELECT data, codec FROM chunks WHERE series = \(series) AND end_ms >= \(from) AND start_ms <= \(to)
            """, as: (ByteBuffer, Int16).self, on: connection) {
            out += try ChunkCodec.points(Array(data.readableBytesView), codec: Int(codec)).filter { $0.timestamp >= from && $0.timestamp <= to }
        }
        // Late uploads make chunks overlap in time: order the points.
        out.sort { $0.timestamp < $1.timestamp }
        return out
    }

    public func rollups(_ key: SeriesKey, resolution: Int64, from: TimestampMs, to: TimestampMs) async throws -> [Rollup] {
        guard let id = try await seriesID(key) else { return [] }
        let start = from / resolution * resolution
        let computed = Rollup.buckets(try await points(series: id, from: start, to: to), resolution: resolution)
        return Rollup.answer(computed: computed, stored: try await storedRollups(series: id, resolution: resolution, from: start, to: to))
    }

    func storedRollups(series: Int64, resolution: Int64, from: TimestampMs, to: TimestampMs,
                       on connection: PostgresConnection? = nil) async throws -> [Rollup] {
        try await all("""
            SELECT start_ms, count, sum, min, max, p95, sketch FROM rollups
            WHERE series = \(series) AND resolution = \(resolution) AND start_ms >= \(from) AND start_ms <= \(to) ORDER BY start_ms
            """, as: (Int64, Int64, Double, Double, Double, Double, ByteBuffer).self, on: connection).map {
            Rollup(start: $0.0, count: Int($0.1), sum: $0.2, min: $0.3, max: $0.4, p95: $0.5,
                   sketch: try QuantileSketch(encoded: Array($0.6.readableBytesView)))
        }
    }

    public func series(metric: String, matching: [String: String]) async throws -> [SeriesKey] {
        let rows = if let site = matching["site"] {
            try await column("SELECT labels FROM series WHERE metric = \(metric) AND site = \(site)", as: String.self)
        } else {
            try await column("SELECT labels FROM series WHERE metric = \(metric)", as: String.self)
        }
        return rows.compactMap { text in
            let labels = LabelText.decode(text)
            return matching.allSatisfy { labels[$0.key] == $0.value } ? SeriesKey(metric, labels) : nil
        }.sorted()
    }

    public func latestRows(metric: String, site: String?) async throws -> [LatestRow] {
        try await all("""
            SELECT s.labels, l.ts, l.value FROM series s JOIN latest l ON l.series = s.id
            WHERE s.metric = \(metric) AND (\(site)::text IS NULL OR s.site = \(site))
            """, as: (String, Int64, Double).self).map { LatestRow(labelsJSON: $0.0, timestamp: $0.1, value: $0.2) }
    }

    public func everyLatest() async throws -> [(key: SeriesKey, point: WirePoint)] {
        try await all("SELECT s.metric, s.labels, l.ts, l.value FROM latest l JOIN series s ON s.id = l.series ORDER BY s.metric",
                      as: (String, String, Int64, Double).self)
            .map { (SeriesKey($0.0, LabelText.decode($0.1)), WirePoint(timestamp: $0.2, value: $0.3)) }
    }

    public func events(site: String?, from: TimestampMs, to: TimestampMs, limit: Int) async throws -> [Event] {
        try await all("""
            SELECT ts, kind, labels, text, document FROM events
            WHERE (\(site)::text IS NULL OR site = \(site)) AND ts >= \(from) AND ts <= \(to) ORDER BY ts DESC, id DESC LIMIT \(Int64(limit))
            """, as: (Int64, String, String, String, String?).self)
            .map { Event(kind: $0.1, timestamp: $0.0, labels: LabelText.decode($0.2), text: $0.3, document: $0.4) }
    }
}
