import TOML
import Probes

/// Reads one TOML table into typed values, remembering which keys were used so unknown keys are rejected.
///
/// With `lenient`, string values are accepted for numbers, booleans and lists: that is how options
/// typed as URL query parameters (`icmp://host?count=50`) go through the same checks as the file.
struct TableReader {
    let table: TOMLTable
    let source: String
    /// How the table is named in messages, e.g. `[[probe]] #2`.
    let context: String
    let lenient: Bool
    private(set) var used: Set<String> = []

    init(_ table: TOMLTable, source: String, context: String, lenient: Bool = false) {
        self.table = table
        self.source = source
        self.context = context
        self.lenient = lenient
    }

    func fail(_ key: String?, _ message: String) -> ConfigError {
        let line = key.flatMap { table[$0]?.line } ?? table.line
        return ConfigError(source: source, line: lenient ? 0 : line, message: message)
    }

    private func typeError(_ key: String, expected: String, got node: TOMLNode) -> ConfigError {
        fail(key, "\(context): '\(key)' must be \(expected), got \(Self.show(node.value))")
    }

    static func show(_ value: TOMLValue) -> String {
        switch value {
        case let .string(s): "the string \"\(s)\""
        case let .integer(i): "the integer \(i)"
        case let .float(f): "the number \(f)"
        case let .boolean(b): "\(b)"
        case let .datetime(d): "the date \(d)"
        case .array: "an array"
        case .table: "a table"
        }
    }

    mutating func has(_ key: String) -> Bool { table[key] != nil }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        guard case let .string(value) = node.value else { throw typeError(key, expected: "a string", got: node) }
        return value
    }

    mutating func requiredString(_ key: String, example: String) throws(ConfigError) -> String {
        guard let value = try string(key) else {
            throw fail(nil, "\(context) has no '\(key)': add e.g. \(key) = \(example)")
        }
        guard !value.isEmpty else { throw fail(key, "\(context): '\(key)' is empty: expected e.g. \(key) = \(example)") }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigError) -> Int? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        var value: Int64?
        switch node.value {
        case let .integer(i): value = i
        case let .string(s) where lenient: value = Int64(s)
        default: break
        }
        guard let value else { throw typeError(key, expected: "an integer", got: node) }
        guard range.contains(value) else {
            throw fail(key, "\(context): '\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return Int(value)
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        var value: Double?
        switch node.value {
        case let .integer(i): value = Double(i)
        case let .float(f): value = f
        case let .string(s) where lenient: value = Double(s)
        default: break
        }
        guard let value, value.isFinite else { throw typeError(key, expected: "a number", got: node) }
        guard range.contains(value) else {
            throw fail(key, "\(context): '\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        switch node.value {
        case let .boolean(b): return b
        case let .string(s) where lenient && ["true", "1", "yes"].contains(s): return true
        case let .string(s) where lenient && ["false", "0", "no"].contains(s): return false
        default: throw typeError(key, expected: "true or false", got: node)
        }
    }

    mutating func duration(_ key: String, atLeast minimum: Duration = .milliseconds(1)) throws(ConfigError) -> Duration? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        guard case let .string(text) = node.value else {
            throw typeError(key, expected: "a duration string such as \"500ms\", \"30s\" or \"2m\"", got: node)
        }
        guard let value = DurationText.parse(text) else {
            throw fail(key, "\(context): '\(key)' = \"\(text)\" is not a duration: expected a number with a unit (ms, s, m, h), e.g. \"500ms\", \"30s\", \"2m\"")
        }
        guard value >= minimum else {
            throw fail(key, "\(context): '\(key)' must be at least \(DurationText.format(minimum)), got \"\(text)\"")
        }
        return value
    }

    mutating func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        switch node.value {
        case let .string(s): return lenient ? s.split(separator: ",").map(String.init) : [s]
        case let .array(items):
            var out: [String] = []
            for item in items {
                guard case let .string(s) = item.value else { throw typeError(key, expected: "a list of strings", got: item) }
                out.append(s)
            }
            return out
        default: throw typeError(key, expected: "a string or a list of strings", got: node)
        }
    }

    mutating func integers(_ key: String, in range: ClosedRange<Int64>) throws(ConfigError) -> [Int]? {
        guard let node = table[key] else { return nil }
        used.insert(key)
        let items: [TOMLNode]
        switch node.value {
        case .array(let list): items = list
        default: items = [node]
        }
        var out: [Int] = []
        for item in items {
            var value: Int64?
            switch item.value {
            case let .integer(i): value = i
            case let .string(s) where lenient:
                for part in s.split(separator: ",") {
                    guard let v = Int64(part), range.contains(v) else { throw typeError(key, expected: "an integer or a list of integers", got: item) }
                    out.append(Int(v))
                }
                continue
            default: break
            }
            guard let value, range.contains(value) else {
                throw typeError(key, expected: "an integer between \(range.lowerBound) and \(range.upperBound) or a list of them", got: item)
            }
            out.append(Int(value))
        }
        return out
    }

    /// A string that must be one of `choices`.
    mutating func choice(_ key: String, _ choices: [String]) throws(ConfigError) -> String? {
        guard let value = try string(key) else { return nil }
        guard choices.contains(value) else {
            throw fail(key, "\(context): '\(key)' = \"\(value)\" is not allowed: expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return value
    }

    /// Rejects keys nobody asked for: a typo must not silently fall back to a default.
    func rejectUnknown(allowed: [String]) throws(ConfigError) {
        for key in table.keys where !allowed.contains(key) {
            let expected = allowed.sorted()
            let hint = Self.closest(key, in: expected).map { " (did you mean '\($0)'?)" } ?? ""
            throw fail(key, "\(context): unknown key '\(key)'\(hint); expected one of: \(expected.joined(separator: ", "))")
        }
    }

    /// The allowed key nearest to a typo, by edit distance.
    static func closest(_ key: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var row = [i + 1]
                for (j, cb) in b.enumerated() {
                    row.append(min(previous[j + 1] + 1, row[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
                }
                previous = row
            }
            return previous[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(key), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }
}
