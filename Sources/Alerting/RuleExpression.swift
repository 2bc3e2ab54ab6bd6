import WatchModel

/// What a rule measures, in the PromQL shape Prometheus users write:
/// `avg_over_time(probe_icmp_loss_ratio{path="dedicated"}[5m]) > 0.05`.
/// One function over one metric's window, compared with a number.
public struct RuleExpression: Sendable, Hashable {
    /// How a series' points in the window become one value.
    public enum Function: String, Sendable, CaseIterable {
        case last = "last_over_time", avg = "avg_over_time", min = "min_over_time", max = "max_over_time"
        case p95 = "quantile_over_time", rate, delta, absent = "absent_over_time"
        /// Events of a kind (`config_changed`) at the site within the window.
        case events = "count_events_over_time"
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case above = ">", atLeast = ">=", below = "<", atMost = "<="
    }

    public var function: Function
    public var metric: String
    public var matchers: [String: String]
    /// Milliseconds of data the function looks at (for `last` without a window: 10 minutes).
    public var window: Int64
    public var comparison: Comparison
    public var threshold: Double

    public init(function: Function, metric: String, matchers: [String: String] = [:], window: Int64, comparison: Comparison, threshold: Double) {
        self.function = function
        self.metric = metric
        self.matchers = matchers
        self.window = window
        self.comparison = comparison
        self.threshold = threshold
    }

    /// Whether `value` is on the alerting side of `threshold`.
    public func breaches(_ value: Double, _ threshold: Double) -> Bool {
        switch comparison {
        case .above: value > threshold
        case .atLeast: value >= threshold
        case .below: value < threshold
        case .atMost: value <= threshold
        }
    }

    /// The expression's value over time-ordered `points` of one series ending at `now`; nil when
    /// there is nothing to judge (no point in the window).
    public func value(of points: [WirePoint], now: TimestampMs) -> Double? {
        let inWindow = points.filter { $0.timestamp > now - window && $0.timestamp <= now }
        if function == .absent { return inWindow.isEmpty ? 1 : 0 }
        guard let first = inWindow.first, let last = inWindow.last else { return nil }
        let values = inWindow.map(\.value)
        switch function {
        case .last: return last.value
        case .avg: return values.reduce(0, +) / Double(values.count)
        case .min: return values.min()
        case .max: return values.max()
        case .p95:
            let sorted = values.sorted()
            return sorted[Swift.min(sorted.count - 1, Int((0.95 * Double(sorted.count)).rounded(.up)) - 1)]
        case .delta: return last.value - first.value
        case .rate:
            // Per second, counter resets (a reboot) counted from zero as Prometheus does.
            guard last.timestamp > first.timestamp else { return nil }
            var increase = 0.0
            for (a, b) in zip(inWindow, inWindow.dropFirst()) { increase += b.value >= a.value ? b.value - a.value : b.value }
            return increase / (Double(last.timestamp - first.timestamp) / 1000)
        case .absent: return 0   // answered above
        case .events: return nil  // events are counted by the evaluator from the store's events, not from points
        }
    }
}

/// A rule expression that does not parse, and where.
public struct ExpressionError: Error, Hashable, Sendable {
    public let message: String
}

extension RuleExpression {
    /// Parses `FUNCTION(METRIC{label="value",…}[WINDOW]) OP NUMBER`, `quantile_over_time(0.95, …)`,
    /// or a bare `METRIC{…} OP NUMBER` (the newest value in the last 10 minutes).
    public static func parse(_ text: String) throws(ExpressionError) -> RuleExpression {
        var s = Scanner(Array(text.unicodeScalars))
        s.skipSpaces()
        let head = s.identifier()
        guard !head.isEmpty else { throw s.error("a metric or a function such as avg_over_time(…)") }
        let function: Function
        let metric: String
        var matchers: [String: String] = [:]
        var window: Int64 = 600_000
        s.skipSpaces()
        if s.take("(") {
            guard let f = Function(rawValue: head) else {
                throw ExpressionError(message: "unknown function '\(head)' (functions: \(Function.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            function = f
            s.skipSpaces()
            if f == .p95 {
                let q = s.number()
                guard q == 0.95 else { throw s.error("0.95 as the quantile (the rollups keep the 95th percentile)") }
                s.skipSpaces()
                guard s.take(",") else { throw s.error("',' after the quantile") }
                s.skipSpaces()
            }
            metric = s.identifier()
            guard !metric.isEmpty else { throw s.error("a metric name") }
            matchers = try s.matchers()
            guard s.take("[") else { throw s.error("a window such as [5m] after the metric") }
            window = try s.duration()
            guard s.take("]") else { throw s.error("']' after the window") }
            s.skipSpaces()
            guard s.take(")") else { throw s.error("')' closing \(head)(") }
        } else {
            function = .last
            metric = head
            matchers = try s.matchers()
        }
        s.skipSpaces()
        var op = ""
        while let c = s.peek, "<>=".unicodeScalars.contains(c) { op.unicodeScalars.append(c); s.advance() }
        guard let comparison = Comparison(rawValue: op) else { throw s.error("a comparison (>, >=, <, <=) and a threshold") }
        s.skipSpaces()
        guard let threshold = s.number() else { throw s.error("a number after '\(op)'") }
        s.skipSpaces()
        guard s.atEnd else { throw s.error("the end of the expression") }
        return RuleExpression(function: function, metric: metric, matchers: matchers, window: window, comparison: comparison, threshold: threshold)
    }

    /// `30s`, `5m`, `1h`, `2d` (also `0s`) in milliseconds.
    public static func duration(_ text: String) throws(ExpressionError) -> Int64 {
        if text == "0" || text == "0s" { return 0 }
        var s = Scanner(Array(text.unicodeScalars))
        let ms = try s.duration()
        guard s.atEnd else { throw s.error("the end of the duration") }
        return ms
    }

    /// Reads expression text a character at a time; errors say what was expected where.
    struct Scanner {
        let text: [Unicode.Scalar]
        var i = 0
        init(_ text: [Unicode.Scalar]) { self.text = text }

        var atEnd: Bool { i >= text.count }
        var peek: Unicode.Scalar? { atEnd ? nil : text[i] }
        mutating func advance() { i += 1 }
        mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" || c == "\n" { advance() } }
        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard peek == c else { return false }
            advance()
            return true
        }

        func error(_ expected: String) -> ExpressionError {
            let found = atEnd ? "the end" : "'\(String(String.UnicodeScalarView(text[i...].prefix(12))))'"
            return ExpressionError(message: "expected \(expected) at character \(i + 1), found \(found)")
        }

        mutating func identifier() -> String {
            var out = String.UnicodeScalarView()
            while let c = peek, c == "_" || c == ":" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
                || ("0"..."9").contains(c) { out.append(c); advance() }
            return String(out)
        }

        mutating func number() -> Double? {
            var out = ""
            while let c = peek, "0123456789.eE+-_".unicodeScalars.contains(c) { if c != "_" { out.unicodeScalars.append(c) }; advance() }
            return Double(out)
        }

        mutating func matchers() throws(ExpressionError) -> [String: String] {
            var out: [String: String] = [:]
            skipSpaces()
            guard take("{") else { return out }
            while true {
                skipSpaces()
                if take("}") { return out }
                let name = identifier()
                guard !name.isEmpty else { throw error("a label name") }
                skipSpaces()
                guard take("=") else { throw error("'=' after \(name) (only equality matchers)") }
                skipSpaces()
                guard take("\"") else { throw error("a quoted value for \(name)") }
                var value = String.UnicodeScalarView()
                while let c = peek, c != "\"" { value.append(c); advance() }
                guard take("\"") else { throw error("the closing quote of \(name)'s value") }
                out[name] = String(value)
                skipSpaces()
                _ = take(",")
            }
        }

        mutating func duration() throws(ExpressionError) -> Int64 {
            guard let n = number(), n > 0 else { throw error("a duration such as 30s, 5m, 1h, 1d") }
            let unit = identifier()
            let scale: Double
            switch unit {
            case "s": scale = 1_000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: throw error("a unit s, m, h or d after \(n)")
            }
            return Int64(n * scale)
        }
    }
}
