/// One condition on a label as Alertmanager writes it: `severity=critical`, `site!=QN-001`,
/// `district=~"Ba (Tơ|Vì)"`, `alertname!~"Info.*"`. A label that is absent reads as empty;
/// regular expressions must match the whole value.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~"
    }

    public let label: String
    public let op: Operator
    public let value: String

    public init(label: String, op: Operator, value: String) throws(MatcherError) {
        self.label = label
        self.op = op
        self.value = value
        if op == .matches || op == .notMatches {
            do { _ = try Regex(value) } catch { throw MatcherError("'\(value)' is not a regular expression (\(error))") }
        }
    }

    /// `label=value`, `label!=value`, `label=~regex`, `label!~regex`; the value may be in double quotes.
    public init(_ text: String) throws(MatcherError) {
        let expected = "a matcher such as severity=critical, site!=QN-001 or district=~\"Ba.*\""
        guard let opStart = text.firstIndex(where: { $0 == "=" || $0 == "!" }) else { throw MatcherError("expected \(expected), found '\(text)'") }
        let label = text[..<opStart].trimmingSpaces
        let rest = text[opStart...]
        guard let op = [Operator.notEqual, .matches, .notMatches, .equal].first(where: { rest.hasPrefix($0.rawValue) }) else {
            throw MatcherError("expected \(expected), found '\(text)'")
        }
        guard !label.isEmpty, label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw MatcherError("'\(label)' is not a label name (letters, digits, _) in '\(text)'")
        }
        var value = rest.dropFirst(op.rawValue.count).trimmingSpaces
        if value.hasPrefix("\"") {
            guard value.count >= 2, value.hasSuffix("\"") else { throw MatcherError("the quoted value in '\(text)' has no closing \"") }
            value = String(value.dropFirst().dropLast())
        }
        try self.init(label: label, op: op, value: value)
    }

    public func matches(_ labels: [String: String]) -> Bool {
        let actual = labels[label] ?? ""
        switch op {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .matches: return wholeMatch(actual)
        case .notMatches: return !wholeMatch(actual)
        }
    }

    /// Compiled again each time: `Regex` is not `Sendable`, and a few notices a second make
    /// that cost nothing worth a lock.
    func wholeMatch(_ text: String) -> Bool {
        guard let regex = try? Regex(value) else { return false }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    public var description: String { "\(label)\(op.rawValue)\"\(value)\"" }
}

/// A matcher that cannot be read, and why.
public struct MatcherError: Error, Sendable, Hashable {
    public let message: String
    init(_ message: String) { self.message = message }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
