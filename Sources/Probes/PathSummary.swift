import WatchModel

/// Whether each network path (the dedicated line, the 4G backup) carries traffic, from the
/// reachability probes bound to it: a path is up when any of them passed.
public struct PathSummary: Sendable, Hashable {
    public let path: String
    public let up: Bool
    /// Probes that measured the path.
    public let probes: Int

    /// One summary per path label seen among ICMP, TCP, DNS and HTTP outcomes, in first-seen order.
    public static func of(_ outcomes: [ProbeOutcome]) -> [PathSummary] {
        var order: [String] = []
        var tally: [String: (up: Bool, count: Int)] = [:]
        for o in outcomes where [.icmp, .tcp, .dns, .http].contains(o.spec.target.kind) {
            if tally[o.spec.path] == nil { order.append(o.spec.path) }
            let previous = tally[o.spec.path] ?? (false, 0)
            tally[o.spec.path] = (previous.up || o.ok, previous.count + 1)
        }
        return order.map { PathSummary(path: $0, up: tally[$0]!.up, probes: tally[$0]!.count) }
    }

    /// `probe_path_up{path="…"}`.
    public var sample: Measurement {
        Measurement(MetricCatalog.pathUp.name, up ? 1 : 0, labels: ["path": path])
    }
}
