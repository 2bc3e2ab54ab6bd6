import PostgresNIO
import Storage
import WatchModel

extension PostgresStore: StaffStore {
    /// Staff accounts (password hashes only) and their sessions (token hashes only), shared by the collectors.
    static let staffSchema = [
        """
        CREATE TABLE staff (login TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
            created_ms BIGINT NOT NULL, disabled_ms BIGINT)
        """,
        """
        CREATE TABLE staff_sessions (id_hash TEXT PRIMARY KEY, login TEXT NOT NULL, csrf TEXT NOT NULL, created_ms BIGINT NOT NULL,
            expires_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL)
        """,
        "CREATE INDEX staff_sessions_login ON staff_sessions (login)",
        "CREATE INDEX staff_sessions_expires ON staff_sessions (expires_ms)",
    ]

    typealias StaffRow = (String, String, String, String, Int64, Int64?)

    static func staff(_ r: StaffRow) -> StaffAccount {
        StaffAccount(login: r.0, displayName: r.1, role: StaffRole(rawValue: r.2) ?? .viewer, passwordHash: r.3, createdAt: r.4, disabledAt: r.5)
    }

    public func add(staff s: StaffAccount) async throws -> Bool {
        !(try await column("""
            INSERT INTO staff (login, display_name, role, password_hash, created_ms, disabled_ms)
            VALUES (\(s.login), \(s.displayName), \(s.role.rawValue), \(s.passwordHash), \(s.createdAt), \(s.disabledAt))
            ON CONFLICT (login) DO NOTHING RETURNING 1
            """, as: Int32.self)).isEmpty
    }

    public func update(staff s: StaffAccount) async throws -> Bool {
        !(try await column("""
            UPDATE staff SET display_name = \(s.displayName), role = \(s.role.rawValue), password_hash = \(s.passwordHash),
                disabled_ms = \(s.disabledAt) WHERE login = \(s.login) RETURNING 1
            """, as: Int32.self)).isEmpty
    }

    public func staff(login: String) async throws -> StaffAccount? {
        try await all("SELECT login, display_name, role, password_hash, created_ms, disabled_ms FROM staff WHERE login = \(login)",
                      as: StaffRow.self).first.map(Self.staff)
    }

    public func staffAccounts() async throws -> [StaffAccount] {
        try await all("SELECT login, display_name, role, password_hash, created_ms, disabled_ms FROM staff ORDER BY login",
                      as: StaffRow.self).map(Self.staff)
    }

    public func add(session s: StaffSession) async throws {
        try await run("""
            INSERT INTO staff_sessions (id_hash, login, csrf, created_ms, expires_ms, last_seen_ms)
            VALUES (\(s.idHash), \(s.login), \(s.csrfToken), \(s.createdAt), \(s.expiresAt), \(s.lastSeenAt))
            """)
    }

    public func session(idHash: String) async throws -> StaffSession? {
        try await all("SELECT login, csrf, created_ms, expires_ms, last_seen_ms FROM staff_sessions WHERE id_hash = \(idHash)",
                      as: (String, String, Int64, Int64, Int64).self).first.map {
            StaffSession(idHash: idHash, login: $0.0, csrfToken: $0.1, createdAt: $0.2, expiresAt: $0.3, lastSeenAt: $0.4)
        }
    }

    public func touch(session idHash: String, lastSeenAt: TimestampMs, expiresAt: TimestampMs) async throws {
        try await run("UPDATE staff_sessions SET last_seen_ms = \(lastSeenAt), expires_ms = \(expiresAt) WHERE id_hash = \(idHash)")
    }

    public func endSession(idHash: String) async throws {
        try await run("DELETE FROM staff_sessions WHERE id_hash = \(idHash)")
    }

    public func endSessions(login: String) async throws -> Int {
        try await column("DELETE FROM staff_sessions WHERE login = \(login) RETURNING 1", as: Int32.self).count
    }

    public func endExpiredSessions(now: TimestampMs) async throws -> Int {
        try await column("DELETE FROM staff_sessions WHERE expires_ms < \(now) RETURNING 1", as: Int32.self).count
    }
}
