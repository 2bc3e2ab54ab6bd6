import Foundation
import GRDB
import Storage
import WatchModel

extension SQLiteStore: AccessStore {
    public func firstAdminToken() async throws -> String? {
        try await pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM admin_tokens") == 0 else { return nil }
            let token = Secret.make()
            try db.execute(sql: "INSERT INTO admin_tokens (hash, created_ms) VALUES (?, ?)", arguments: [Secret.hash(token), Self.now()])
            return token
        }
    }

    public func isAdmin(token: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM admin_tokens WHERE hash = ?", arguments: [Secret.hash(token)]) == true
        }
    }

    public func createEnrollmentToken(site: String, validForSeconds: Int) async throws -> String {
        let token = Secret.make()
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO enrollment_tokens (hash, site, created_ms, expires_ms) VALUES (?, ?, ?, ?)",
                           arguments: [Secret.hash(token), site, Self.now(), Self.now() + TimestampMs(validForSeconds) * 1000])
        }
        return token
    }

    public func enroll(token: String, hostname: String) async throws -> (agent: AgentRecord, secret: String)? {
        try await pool.write { db in
            // Spending the token and creating the agent is one transaction: a token enrolls one agent.
            guard let site = try String.fetchOne(db, sql: """
                SELECT site FROM enrollment_tokens WHERE hash = ? AND used_ms IS NULL AND expires_ms > ?
                """, arguments: [Secret.hash(token), Self.now()]) else { return nil }
            try db.execute(sql: "UPDATE enrollment_tokens SET used_ms = ? WHERE hash = ?", arguments: [Self.now(), Secret.hash(token)])
            let id = Secret.agentID()
            let secret = Secret.make()
            try db.execute(sql: "INSERT INTO agents (id, site, hostname, secret_hash, created_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, site, hostname, Secret.hash(secret), Self.now()])
            return (AgentRecord(id: id, site: site, hostname: hostname), secret)
        }
    }

    public func authenticate(agentID: String, secret: String) async throws -> AgentRecord? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT site, hostname, secret_hash, revoked_ms FROM agents WHERE id = ?",
                                             arguments: [agentID]) else { return nil }
            guard Secret.matches(secret, hash: row[2]), row[3] as Int64? == nil else { return nil }
            return AgentRecord(id: agentID, site: row[0], hostname: row[1])
        }
    }

    public func revoke(agentID: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE agents SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL", arguments: [Self.now(), agentID])
            return db.changesCount > 0
        }
    }

    public func agents() async throws -> [AgentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, site, hostname, revoked_ms FROM agents ORDER BY id").map {
                AgentRecord(id: $0[0], site: $0[1], hostname: $0[2], revoked: ($0[3] as Int64?) != nil)
            }
        }
    }

    public func setProbeList(site: String?, toml: String?) async throws {
        try await pool.write { db in
            if let toml {
                try db.execute(sql: "INSERT OR REPLACE INTO probe_lists (scope, toml, updated_ms) VALUES (?, ?, ?)",
                               arguments: [site ?? "", toml, Self.now()])
            } else {
                try db.execute(sql: "DELETE FROM probe_lists WHERE scope = ?", arguments: [site ?? ""])
            }
        }
    }

    public func probeList(site: String?) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT toml FROM probe_lists WHERE scope = ?", arguments: [site ?? ""]) }
    }

    public func upsert(_ site: Site) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO sites (code, name, kind, district, province, latitude, longitude, upstream, team, contacts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, district = excluded.district,
                    province = excluded.province, latitude = excluded.latitude, longitude = excluded.longitude,
                    upstream = excluded.upstream, team = excluded.team, contacts = excluded.contacts
                """, arguments: [site.code, site.name, site.kind.rawValue, site.district, site.province, site.latitude,
                                 site.longitude, site.upstream, site.team, site.contacts])
        }
    }

    public func sites() async throws -> [Site] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM sites ORDER BY code").map(Self.site) }
    }

    public func site(_ code: String) async throws -> Site? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM sites WHERE code = ?", arguments: [code]).map(Self.site) }
    }

    static func site(_ row: Row) -> Site {
        Site(code: row["code"], name: row["name"], kind: Site.Kind(rawValue: row["kind"]) ?? .commune, district: row["district"],
             province: row["province"], latitude: row["latitude"], longitude: row["longitude"], upstream: row["upstream"],
             team: row["team"], contacts: row["contacts"])
    }
}
