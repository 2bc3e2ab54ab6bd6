/// Identifies one time series: a metric name plus the labels that vary (site, target, path, phase).
public struct SeriesKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Prometheus-style metric name, e.g. `probe_icmp_rtt_median_seconds`.
    public let metric: String
    /// Labels sorted by name, so equal label sets compare equal.
    public let labels: [Label]

    public init(_ metric: String, _ labels: [String: String] = [:]) {
        self.metric = metric
        self.labels = labels.map { Label(name: $0.key, value: $0.value) }.sorted()
    }

    public init(_ metric: String, labels: [Label]) {
        self.metric = metric
        self.labels = labels.sorted()
    }

    /// The value of label `name`, if present.
    public subscript(label name: String) -> String? {
        labels.first { $0.name == name }?.value
    }

    /// This key with extra labels added (existing names are overwritten).
    public func adding(_ extra: [String: String]) -> SeriesKey {
        var merged = Dictionary(labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        for (k, v) in extra { merged[k] = v }
        return SeriesKey(metric, merged)
    }

    /// Prometheus exposition form: `name{a="x",b="y"}`.
    public var description: String {
        if labels.isEmpty { return metric }
        let inner = labels.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ",")
        return "\(metric){\(inner)}"
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        if lhs.metric != rhs.metric { return lhs.metric < rhs.metric }
        return lhs.labels.lexicographicallyPrecedes(rhs.labels)
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// One label name and value of a series.
public struct Label: Hashable, Sendable, Codable, Comparable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        (lhs.name, lhs.value) < (rhs.name, rhs.value)
    }
}
