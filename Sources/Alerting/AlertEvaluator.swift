import Storage
import WatchModel

/// A change of an incident, with what the message needs: the rule, the series' labels, the value.
public struct AlertNotice: Sendable, Hashable {
    public var rule: AlertRule
    /// The series' labels (site, probe, path…), without the rule's own.
    public var labels: [String: String]
    public var change: IncidentChange
    public var value: Double?
    /// When the incident began (its first breach), and when this change happened.
    public var since: TimestampMs
    public var at: TimestampMs
    /// The incident's key: the same for every change of one incident.
    public var key: String

    /// Labels as Alertmanager shows them: alertname, severity, the rule's labels, the series' labels.
    public var alertLabels: [String: String] {
        var out = labels.merging(rule.labels) { _, r in r }
        out["alertname"] = rule.name
        out["severity"] = rule.severity.rawValue
        return out
    }
}

/// An incident as the API lists it.
public struct IncidentView: Sendable, Hashable {
    public var key: String
    public var rule: String
    public var labels: [String: String]
    public var phase: IncidentPhase
    public var since: TimestampMs?
    public var acknowledgedBy: String?
    public var value: Double?
}

/// Evaluates the rules over the store, per series, and keeps one incident machine per rule and
/// series: on every upload of a site (so a cut line is told seconds after the agent reports it)
/// and on a timer (for silence, and for what time alone changes).
public actor AlertEvaluator {
    public let rules: [AlertRule]
    let store: any MetricStore
    var machines: [String: IncidentMachine] = [:]
    var subjects: [String: (rule: AlertRule, labels: [String: String], value: Double?)] = [:]

    public init(rules: [AlertRule], store: any MetricStore) {
        self.rules = rules
        self.store = store
    }

    /// Evaluates every rule for `site` (nil: every site) at `now`; returns what must be told.
    public func evaluate(site: String?, now: TimestampMs) async throws -> [AlertNotice] {
        var notices: [AlertNotice] = []
        for rule in rules {
            for (labels, value) in try await values(rule, site: site, now: now) {
                let key = rule.name + "|" + LabelText.encode(labels)
                var machine = machines[key] ?? IncidentMachine(policy: rule.policy)
                let changes = machine.observe(rule.observe(value), at: now)
                machines[key] = machine
                subjects[key] = (rule, labels, value)
                notices += changes.map { AlertNotice(rule: rule, labels: labels, change: $0, value: value, since: machine.since ?? now, at: now, key: key) }
            }
        }
        return notices
    }

    /// The rule's value for each series (or, for events, each site) it covers.
    func values(_ rule: AlertRule, site: String?, now: TimestampMs) async throws -> [([String: String], Double?)] {
        let e = rule.expression
        if e.function == .events {
            let events = try await store.events(site: site, from: now - e.window, to: now, limit: 10_000).filter { $0.kind == e.metric }
            var counts: [String: Double] = [:]
            for event in events { counts[event.labels["site"] ?? "", default: 0] += 1 }
            // Sites seen before keep being judged, so a count going back to 0 clears them.
            for key in subjects.keys where key.hasPrefix(rule.name + "|") {
                if let s = subjects[key]?.labels["site"], site == nil || s == site { counts[s, default: 0] += 0 }
            }
            return counts.map { (["site": $0.key], $0.value) }
        }
        var matching = e.matchers
        if let site { matching["site"] = site }
        var out: [([String: String], Double?)] = []
        for key in try await store.series(metric: e.metric, matching: matching) {
            let points = try await store.points(key, from: now - e.window, to: now)
            out.append((Dictionary(key.labels.map { ($0.name, $0.value) }) { a, _ in a }, e.value(of: points, now: now)))
        }
        return out
    }

    /// Someone took the incident: told once.
    public func acknowledge(key: String, by person: String, now: TimestampMs) -> [AlertNotice] {
        guard var machine = machines[key], let subject = subjects[key] else { return [] }
        let changes = machine.acknowledge(by: person)
        machines[key] = machine
        return changes.map { AlertNotice(rule: subject.rule, labels: subject.labels, change: $0, value: subject.value, since: machine.since ?? now, at: now, key: key) }
    }

    /// Incidents not over: pending, firing, acknowledged, flapping.
    public func openIncidents() -> [IncidentView] {
        machines.compactMap { key, machine in
            guard let phase = machine.phase, phase != .resolved, let subject = subjects[key] else { return nil }
            return IncidentView(key: key, rule: subject.rule.name, labels: subject.labels, phase: phase, since: machine.since,
                                acknowledgedBy: machine.acknowledgedBy, value: subject.value)
        }.sorted { ($0.since ?? 0, $0.key) < ($1.since ?? 0, $1.key) }
    }
}
