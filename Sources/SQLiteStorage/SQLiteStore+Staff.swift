import Foundation
import GRDB
import Storage
import WatchModel

extension SQLiteStore: StaffStore {
    /// Staff accounts (password hashes only) and their sessions (token hashes only).
    static func registerStaff(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9 staff") { db in
            try db.execute(sql: """
                CREATE TABLE staff (login TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                    created_ms INTEGER NOT NULL, disabled_ms INTEGER);
                CREATE TABLE staff_sessions (id_hash TEXT PRIMARY KEY, login TEXT NOT NULL, csrf TEXT NOT NULL, created_ms INTEGER NOT NULL,
                    expires_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL);
                CREATE INDEX staff_sessions_login ON staff_sessions (login);
                CREATE INDEX staff_sessions_expires ON staff_sessions (expires_ms);
                """)
        }
    }

    public func add(staff s: StaffAccount) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO staff (login, display_name, role, password_hash, created_ms, disabled_ms) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [s.login, s.displayName, s.role.rawValue, s.passwordHash, s.createdAt, s.disabledAt])
            return db.changesCount > 0
        }
    }

    public func update(staff s: StaffAccount) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE staff SET display_name = ?, role = ?, password_hash = ?, disabled_ms = ? WHERE login = ?",
                           arguments: [s.displayName, s.role.rawValue, s.passwordHash, s.disabledAt, s.login])
            return db.changesCount > 0
        }
    }

    public func staff(login: String) async throws -> StaffAccount? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE login = ?", arguments: [login]).map(Self.staff) }
    }

    public func staffAccounts() async throws -> [StaffAccount] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY login").map(Self.staff) }
    }

    public func add(session s: StaffSession) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO staff_sessions (id_hash, login, csrf, created_ms, expires_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [s.idHash, s.login, s.csrfToken, s.createdAt, s.expiresAt, s.lastSeenAt])
        }
    }

    public func session(idHash: String) async throws -> StaffSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff_sessions WHERE id_hash = ?", arguments: [idHash]).map {
                StaffSession(idHash: $0["id_hash"], login: $0["login"], csrfToken: $0["csrf"], createdAt: $0["created_ms"],
                             expiresAt: $0["expires_ms"], lastSeenAt: $0["last_seen_ms"])
            }
        }
    }

    public func touch(session idHash: String, lastSeenAt: TimestampMs, expiresAt: TimestampMs) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE staff_sessions SET last_seen_ms = ?, expires_ms = ? WHERE id_hash = ?",
                           arguments: [lastSeenAt, expiresAt, idHash])
        }
    }

    public func endSession(idHash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM staff_sessions WHERE id_hash = ?", arguments: [idHash]) }
    }

    public func endSessions(login: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM staff_sessions WHERE login = ?", arguments: [login])
            return db.changesCount
        }
    }

    public func endExpiredSessions(now: TimestampMs) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM staff_sessions WHERE expires_ms < ?", arguments: [now])
            return db.changesCount
        }
    }

    static func staff(_ row: Row) -> StaffAccount {
        StaffAccount(login: row["login"], displayName: row["display_name"], role: StaffRole(rawValue: row["role"]) ?? .viewer,
                     passwordHash: row["password_hash"], createdAt: row["created_ms"], disabledAt: row["disabled_ms"])
    }
}
