import CSQLite

/// The one owner of a SQLite connection: opened in `init`, closed in `deinit`, C codes turned into `SQLiteError`.
///
/// The agent uses SQLite through this thin wrapper rather than GRDB: GRDB imports full Foundation,
/// which the field notes measured at +7 MB RSS, more than the agent's budget allows.
public final class Database {
    let handle: OpaquePointer

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws(SQLiteError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SQLiteError(code: rc, message: "cannot open \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs SQL without results (several statements allowed).
    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        guard rc == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message)
        }
    }

    /// A prepared statement; finalize happens when it is released.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, sql) }
        return Statement(statement, database: self)
    }

    /// Runs `body` in one IMMEDIATE transaction: all of it is committed, or none.
    public func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    func error(_ code: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: code, message: "\(String(cString: sqlite3_errmsg(handle))) (\(context.prefix(80)))")
    }
}

/// A failed SQLite call: its result code and message.
public struct SQLiteError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
    /// The disk or the database is full.
    public var isFull: Bool { code & 0xff == SQLITE_FULL }
}
