import PostgresNIO
import Storage
import WatchModel

extension PostgresStore: AccessStore {
    public func firstAdminToken() async throws -> String? {
        try await transaction { c -> String? in
            // Collectors starting together on one database: one of them makes the token.
            try await run("LOCK TABLE admin_tokens IN EXCLUSIVE MODE", on: c)
            guard try await column("SELECT count(*) FROM admin_tokens", as: Int64.self, on: c)[0] == 0 else { return nil }
            let token = Secret.make()
            try await run("INSERT INTO admin_tokens (hash, created_ms) VALUES (\(Secret.hash(token)), \(Self.now()))", on: c)
            return token
        }
    }

    public func isAdmin(token: String) async throws -> Bool {
        try await !column("SELECT 1 FROM admin_tokens WHERE hash = \(Secret.hash(token))", as: Int32.self).isEmpty
    }

    public func createEnrollmentToken(site: String, validForSeconds: Int) async throws -> String {
        let token = Secret.make()
        try await run("""
            INSERT INTO enrollment_tokens (hash, site, created_ms, expires_ms)
            VALUES (\(Secret.hash(token)), \(site), \(Self.now()), \(Self.now() + TimestampMs(validForSeconds) * 1000))
            """)
        return token
    }

    public func enroll(token: String, hostname: String) async throws -> (agent: AgentRecord, secret: String)? {
        // Spending the token and creating the agent is one transaction, and spending is one
        // statement: of two collectors racing with one token, one enrolls.
        try await transaction { c -> (agent: AgentRecord, secret: String)? in
            guard let site = try await column("""
                UPDATE enrollment_tokens SET used_ms = \(Self.now())
                WHERE hash = \(Secret.hash(token)) AND used_ms IS NULL AND expires_ms > \(Self.now()) RETURNING site
                """, as: String.self, on: c).first else { return nil }
            let record = AgentRecord(id: Secret.agentID(), site: site, hostname: hostname)
            let secret = Secret.make()
            try await run("""
                INSERT INTO agents (id, site, hostname, secret_hash, created_ms)
                VALUES (\(record.id), \(site), \(hostname), \(Secret.hash(secret)), \(Self.now()))
                """, on: c)
            return (record, secret)
        }
    }

    public func authenticate(agentID: String, secret: String) async throws -> AgentRecord? {
        guard let row = try await all("SELECT site, hostname, secret_hash, revoked_ms FROM agents WHERE id = \(agentID)",
                                      as: (String, String, String, Int64?).self).first,
              Secret.matches(secret, hash: row.2), row.3 == nil else { return nil }
        return AgentRecord(id: agentID, site: row.0, hostname: row.1)
    }

    public func revoke(agentID: String) async throws -> Bool {
        try await !column("UPDATE agents SET revoked_ms = \(Self.now()) WHERE id = \(agentID) AND revoked_ms IS NULL RETURNING 1",
                       as: Int32.self).isEmpty
    }

    public func agents() async throws -> [AgentRecord] {
        try await all("SELECT id, site, hostname, revoked_ms FROM agents ORDER BY id", as: (String, String, String, Int64?).self).map {
            AgentRecord(id: $0.0, site: $0.1, hostname: $0.2, revoked: $0.3 != nil)
        }
    }

    public func setProbeList(site: String?, toml: String?) async throws {
        if let toml {
            try await run("""
                INSERT INTO probe_lists (scope, toml, updated_ms) VALUES (\(site ?? ""), \(toml), \(Self.now()))
                ON CONFLICT (scope) DO UPDATE SET toml = EXCLUDED.toml, updated_ms = EXCLUDED.updated_ms
                """)
        } else {
            try await run("DELETE FROM probe_lists WHERE scope = \(site ?? "")")
        }
    }

    public func probeList(site: String?) async throws -> String? {
        try await column("SELECT toml FROM probe_lists WHERE scope = \(site ?? "")", as: String.self).first
    }

    public func upsert(_ site: Site) async throws {
        try await run("""
            INSERT INTO sites (code, name, kind, district, province, latitude, longitude, upstream, team, contacts)
            VALUES (\(site.code), \(site.name), \(site.kind.rawValue), \(site.district), \(site.province), \(site.latitude),
                    \(site.longitude), \(site.upstream), \(site.team), \(site.contacts))
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, district = EXCLUDED.district,
                province = EXCLUDED.province, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
                upstream = EXCLUDED.upstream, team = EXCLUDED.team, contacts = EXCLUDED.contacts
            """)
    }

    static let siteColumns = "code, name, kind, district, province, latitude, longitude, upstream, team, contacts"
    typealias SiteRow = (String, String, String, String, String, Double?, Double?, String, String, String)

    static func site(_ r: SiteRow) -> Site {
        Site(code: r.0, name: r.1, kind: Site.Kind(rawValue: r.2) ?? .commune, district: r.3, province: r.4, latitude: r.5,
             longitude: r.6, upstream: r.7, team: r.8, contacts: r.9)
    }

    public func sites() async throws -> [Site] {
        try await all("SELECT \(unescaped: Self.siteColumns) FROM sites ORDER BY code",
                      as: (String, String, String, String, String, Double?, Double?, String, String, String).self).map(Self.site)
    }

    public func site(_ code: String) async throws -> Site? {
        try await all("SELECT \(unescaped: Self.siteColumns) FROM sites WHERE code = \(code)",
                      as: (String, String, String, String, String, Double?, Double?, String, String, String).self).first.map(Self.site)
    }
}
