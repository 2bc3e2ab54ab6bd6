/// A TOML value with the line it was written on, so configuration errors can name the line.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// Offset date-times, local dates and times are kept as written.
    case datetime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// The TOML type name, for "expected X, got Y" messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .datetime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A value and the 1-based line where it starts.
public struct TOMLNode: Sendable, Equatable {
    public var value: TOMLValue
    public var line: Int

    public init(value: TOMLValue, line: Int) {
        self.value = value
        self.line = line
    }
}

/// A TOML table keeping its keys in written order, with the line of each key.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var entries: [String: TOMLNode] = [:]
    /// Line of the table's header (`[name]`), or of its first key for inline and root tables.
    public var line: Int
    /// Tables created only as the parent of a dotted header may still be defined once.
    var implicit = false
    /// Inline tables and static arrays cannot be extended later.
    var sealed = false
    /// Keys of this table that hold arrays of tables (`[[name]]`), which headers may extend.
    public internal(set) var arraysOfTables: Set<String> = []

    public init(line: Int) { self.line = line }

    public subscript(key: String) -> TOMLNode? { entries[key] }

    /// Sets `key` (kept in written order): for tables built in code, such as a probe from a URL.
    public mutating func set(_ key: String, _ node: TOMLNode) {
        if entries[key] == nil { keys.append(key) }
        entries[key] = node
    }

    /// Entries in written order.
    public var items: [(key: String, node: TOMLNode)] { keys.map { ($0, entries[$0]!) } }
}

/// A TOML syntax error, with the line and what was expected.
public struct TOMLError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}
