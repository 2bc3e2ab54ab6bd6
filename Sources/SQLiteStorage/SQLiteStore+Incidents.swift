import Foundation
import GRDB
import Storage
import WatchModel

extension SQLiteStore: IncidentStore {
    /// Incidents, their history, the collector's own secrets (the acknowledge links' key), silences.
    static func registerIncidents(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7 incidents") { db in
            try db.execute(sql: """
                CREATE TABLE incidents (id TEXT PRIMARY KEY, key TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
                    labels TEXT NOT NULL, site TEXT NOT NULL, state TEXT NOT NULL, since_ms INTEGER NOT NULL, resolved_ms INTEGER,
                    acknowledged_by TEXT, acknowledged_ms INTEGER, summary TEXT NOT NULL, value REAL, muted INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL);
                CREATE INDEX incidents_since ON incidents (since_ms);
                CREATE INDEX incidents_site ON incidents (site, since_ms);
                CREATE TABLE incident_history (seq INTEGER PRIMARY KEY, incident TEXT NOT NULL, at_ms INTEGER NOT NULL,
                    kind TEXT NOT NULL, by TEXT NOT NULL, text TEXT NOT NULL);
                CREATE INDEX incident_history_incident ON incident_history (incident, at_ms);
                CREATE TABLE collector_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_ms INTEGER NOT NULL);
                """)
        }
        // Silences and maintenance windows outlive a restart; matchers as sorted JSON (any text round-trips).
        migrator.registerMigration("v8 silences") { db in
            try db.execute(sql: """
                CREATE TABLE silences (id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL,
                    created_by TEXT NOT NULL, comment TEXT NOT NULL, created_ms INTEGER NOT NULL);
                CREATE INDEX silences_ends ON silences (ends_ms);
                """)
        }
    }

    public func save(incident i: IncidentRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO incidents (id, key, rule, severity, labels, site, state, since_ms, resolved_ms, acknowledged_by,
                    acknowledged_ms, summary, value, muted, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [i.id, i.key, i.rule, i.severity, LabelText.encode(i.labels), i.labels["site"] ?? "", i.state, i.since,
                                 i.resolvedAt, i.acknowledgedBy, i.acknowledgedAt, i.summary, i.value, i.muted, i.updatedAt])
        }
    }

    public func append(_ e: IncidentEntry) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO incident_history (incident, at_ms, kind, by, text) VALUES (?, ?, ?, ?, ?)",
                           arguments: [e.incident, e.at, e.kind, e.by, e.text])
        }
    }

    public func incident(id: String) async throws -> IncidentRecord? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]).map(Self.incident) }
    }

    public func incidents(open: Bool, site: String?, limit: Int) async throws -> [IncidentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM incidents WHERE (?1 = 0 OR state <> 'resolved') AND (?2 IS NULL OR site = ?2)
                ORDER BY since_ms DESC, id DESC LIMIT ?3
                """, arguments: [open, site, max(0, limit)]).map(Self.incident)
        }
    }

    public func history(incident id: String) async throws -> [IncidentEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT at_ms, kind, by, text FROM incident_history WHERE incident = ? ORDER BY at_ms, seq",
                             arguments: [id]).map { IncidentEntry(incident: id, at: $0[0], kind: $0[1], by: $0[2], text: $0[3]) }
        }
    }

    public func linkKey() async throws -> String {
        try await pool.write { db in
            // The first collector to ask makes it; every later call reads that one.
            try db.execute(sql: "INSERT OR IGNORE INTO collector_secrets (name, value, created_ms) VALUES ('ack_link', ?, ?)",
                           arguments: [Secret.make(), Self.now()])
            return try String.fetchOne(db, sql: "SELECT value FROM collector_secrets WHERE name = 'ack_link'") ?? ""
        }
    }

    public func save(silence s: SilenceRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO silences (id, matchers, starts_ms, ends_ms, created_by, comment, created_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [s.id, s.matchersText, s.starts, s.ends, s.createdBy, s.comment, s.createdAt])
        }
    }

    public func silences(endingAfter time: TimestampMs) async throws -> [SilenceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM silences WHERE ends_ms > ? ORDER BY starts_ms, id", arguments: [time]).map { row in
                SilenceRecord(id: row["id"], matchers: try SilenceRecord.matchers(stored: row["matchers"], silence: row["id"]),
                              starts: row["starts_ms"], ends: row["ends_ms"], createdBy: row["created_by"], comment: row["comment"],
                              createdAt: row["created_ms"])
            }
        }
    }

    static func incident(_ row: Row) -> IncidentRecord {
        IncidentRecord(id: row["id"], key: row["key"], rule: row["rule"], severity: row["severity"], labels: LabelText.decode(row["labels"]),
                       state: row["state"], since: row["since_ms"], resolvedAt: row["resolved_ms"], acknowledgedBy: row["acknowledged_by"],
                       acknowledgedAt: row["acknowledged_ms"], summary: row["summary"], value: row["value"], muted: row["muted"],
                       updatedAt: row["updated_ms"])
    }
}
