import CSQLite

/// A prepared SQLite statement owned by Swift: bind, step, read columns; finalized when released.
public final class Statement {
    private let handle: OpaquePointer
    private let database: Database

    init(_ handle: OpaquePointer, database: Database) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// A value to bind to a `?` parameter.
    public enum Value: Sendable, Hashable {
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
        case null
    }

    /// Resets the statement and binds `values` to its parameters, in order.
    @discardableResult
    public func bind(_ values: [Value]) throws(SQLiteError) -> Statement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32 = switch value {
            case let .integer(v): sqlite3_bind_int64(handle, index, v)
            case let .real(v): sqlite3_bind_double(handle, index, v)
            case let .text(v): cw_bind_text(handle, index, v, -1)
            case let .blob(v): v.withUnsafeBytes { cw_bind_blob(handle, index, $0.baseAddress, Int32($0.count)) }
            case .null: sqlite3_bind_null(handle, index)
            }
            guard rc == SQLITE_OK else { throw database.error(rc, "bind") }
        }
        return self
    }

    /// Advances to the next row; false when there are no more.
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error(rc, "step")
    }

    /// Ends the current read, so the tables it touched may be changed or dropped.
    public func reset() { sqlite3_reset(handle) }

    /// Runs the statement to completion (INSERT, UPDATE, DELETE).
    public func run(_ values: [Value] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
    }

    public func int(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }
    public func double(_ column: Int) -> Double { sqlite3_column_double(handle, Int32(column)) }
    public func isNull(_ column: Int) -> Bool { sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL }

    public func text(_ column: Int) -> String {
        guard let pointer = sqlite3_column_text(handle, Int32(column)) else { return "" }
        return String(cString: pointer)
    }

    public func blob(_ column: Int) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        guard count > 0, let pointer = sqlite3_column_blob(handle, Int32(column)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
