import PostgresNIO
import Storage
import WatchModel

extension PostgresStore: IncidentStore {
    /// Incidents, their history, and the collectors' shared secrets (the acknowledge links' key).
    static let incidentSchema = [
        """
        CREATE TABLE incidents (id TEXT PRIMARY KEY, key TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
            labels TEXT NOT NULL, site TEXT NOT NULL, state TEXT NOT NULL, since_ms BIGINT NOT NULL, resolved_ms BIGINT,
            acknowledged_by TEXT, acknowledged_ms BIGINT, summary TEXT NOT NULL, value DOUBLE PRECISION, muted BOOLEAN NOT NULL,
            updated_ms BIGINT NOT NULL)
        """,
        "CREATE INDEX incidents_since ON incidents (since_ms)",
        "CREATE INDEX incidents_site ON incidents (site, since_ms)",
        """
        CREATE TABLE incident_history (seq BIGSERIAL PRIMARY KEY, incident TEXT NOT NULL, at_ms BIGINT NOT NULL,
            kind TEXT NOT NULL, by TEXT NOT NULL, text TEXT NOT NULL)
        """,
        "CREATE INDEX incident_history_incident ON incident_history (incident, at_ms)",
        "CREATE TABLE collector_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_ms BIGINT NOT NULL)",
    ]

    /// Silences and maintenance windows, so they outlive a restart; matchers as sorted JSON (any text round-trips).
    static let silenceSchema = [
        """
        CREATE TABLE silences (id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_ms BIGINT NOT NULL, ends_ms BIGINT NOT NULL,
            created_by TEXT NOT NULL, comment TEXT NOT NULL, created_ms BIGINT NOT NULL)
        """,
        "CREATE INDEX silences_ends ON silences (ends_ms)",
    ]

    static let incidentColumns = """
        id, key, rule, severity, labels, state, since_ms, resolved_ms, acknowledged_by, acknowledged_ms, summary, value, muted, updated_ms
        """
    typealias IncidentRow = (String, String, String, String, String, String, Int64, Int64?, String?, Int64?, String, Double?, Bool, Int64)

    static func incident(_ r: IncidentRow) -> IncidentRecord {
        IncidentRecord(id: r.0, key: r.1, rule: r.2, severity: r.3, labels: LabelText.decode(r.4), state: r.5, since: r.6, resolvedAt: r.7,
                       acknowledgedBy: r.8, acknowledgedAt: r.9, summary: r.10, value: r.11, muted: r.12, updatedAt: r.13)
    }

    public func save(incident i: IncidentRecord) async throws {
        try await run("""
            INSERT INTO incidents (id, key, rule, severity, labels, site, state, since_ms, resolved_ms, acknowledged_by, acknowledged_ms,
                summary, value, muted, updated_ms)
            VALUES (\(i.id), \(i.key), \(i.rule), \(i.severity), \(LabelText.encode(i.labels)), \(i.labels["site"] ?? ""), \(i.state),
                \(i.since), \(i.resolvedAt), \(i.acknowledgedBy), \(i.acknowledgedAt), \(i.summary), \(i.value), \(i.muted), \(i.updatedAt))
            ON CONFLICT (id) DO UPDATE SET key = EXCLUDED.key, rule = EXCLUDED.rule, severity = EXCLUDED.severity, labels = EXCLUDED.labels,
                site = EXCLUDED.site, state = EXCLUDED.state, since_ms = EXCLUDED.since_ms, resolved_ms = EXCLUDED.resolved_ms,
                acknowledged_by = EXCLUDED.acknowledged_by, acknowledged_ms = EXCLUDED.acknowledged_ms, summary = EXCLUDED.summary,
                value = EXCLUDED.value, muted = EXCLUDED.muted, updated_ms = EXCLUDED.updated_ms
            """)
    }

    public func append(_ e: IncidentEntry) async throws {
        try await run("INSERT INTO incident_history (incident, at_ms, kind, by, text) VALUES (\(e.incident), \(e.at), \(e.kind), \(e.by), \(e.text))")
    }

    public func incident(id: String) async throws -> IncidentRecord? {
        try await all("SELECT \(unescaped: Self.incidentColumns) FROM incidents WHERE id = \(id)", as: IncidentRow.self).first.map(Self.incident)
    }

    public func incidents(open: Bool, site: String?, limit: Int) async throws -> [IncidentRecord] {
        try await all("""
            SELECT \(unescaped: Self.incidentColumns) FROM incidents
            WHERE (NOT \(open) OR state <> 'resolved') AND (\(site)::text IS NULL OR site = \(site))
            ORDER BY since_ms DESC, id DESC LIMIT \(Int64(max(0, limit)))
            """, as: IncidentRow.self).map(Self.incident)
    }

    public func history(incident id: String) async throws -> [IncidentEntry] {
        try await all("SELECT at_ms, kind, by, text FROM incident_history WHERE incident = \(id) ORDER BY at_ms, seq",
                      as: (Int64, String, String, String).self).map { IncidentEntry(incident: id, at: $0.0, kind: $0.1, by: $0.2, text: $0.3) }
    }

    public func linkKey() async throws -> String {
        // Collectors starting together: the first insert wins, every one reads the same key.
        try await run("""
            INSERT INTO collector_secrets (name, value, created_ms) VALUES ('ack_link', \(Secret.make()), \(Self.now()))
            ON CONFLICT (name) DO NOTHING
            """)
        return try await column("SELECT value FROM collector_secrets WHERE name = 'ack_link'", as: String.self).first ?? ""
    }

    public func save(silence s: SilenceRecord) async throws {
        try await run("""
            INSERT INTO silences (id, matchers, starts_ms, ends_ms, created_by, comment, created_ms)
            VALUES (\(s.id), \(s.matchersText), \(s.starts), \(s.ends), \(s.createdBy), \(s.comment), \(s.createdAt))
            ON CONFLICT (id) DO UPDATE SET matchers = EXCLUDED.matchers, starts_ms = EXCLUDED.starts_ms, ends_ms = EXCLUDED.ends_ms,
                created_by = EXCLUDED.created_by, comment = EXCLUDED.comment, created_ms = EXCLUDED.created_ms
            """)
    }

    public func silences(endingAfter time: TimestampMs) async throws -> [SilenceRecord] {
        // COLLATE "C": ties ordered by id the way SQLite and memory order them, whatever the database's locale.
        try await all("""
            SELECT id, matchers, starts_ms, ends_ms, created_by, comment, created_ms FROM silences
            WHERE ends_ms > \(time) ORDER BY starts_ms, id COLLATE "C"
            """, as: (String, String, Int64, Int64, String, String, Int64).self).map { r in
            SilenceRecord(id: r.0, matchers: try SilenceRecord.matchers(stored: r.1, silence: r.0), starts: r.2, ends: r.3, createdBy: r.4,
                          comment: r.5, createdAt: r.6)
        }
    }
}
