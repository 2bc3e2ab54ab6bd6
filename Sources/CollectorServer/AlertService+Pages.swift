import Alerting
import Storage
import WatchModel

/// What the pages read from the alerting, all at once (one actor call per page, not one per site).
struct AlertSnapshot: Sendable {
    /// Incidents not over, by site.
    var incidents: [String: [IncidentView]] = [:]
    var silences: [Silence] = []
    /// Contact older than this is quiet: the AgentSilent rule's threshold.
    var quietAfter: Int64 = OfficeState.quietAfter
    /// Rules judged on the agents' contact (AgentSilent): their incidents mean an agent stopped.
    var contactRules: Set<String> = []
    /// Each rule's severity by name.
    var severity: [String: String] = [:]
}

/// The alerting as the pages see it: read only.
protocol PageAlerts: Sendable {
    func snapshot(now: TimestampMs) async -> AlertSnapshot
    /// The incidents the evaluator follows now (`open`), or every recorded one; newest first.
    func incidentList(open: Bool, site: String?, limit: Int) async throws -> [IncidentRecord]
}

extension AlertService: PageAlerts {
    func snapshot(now: TimestampMs) async -> AlertSnapshot {
        var snapshot = AlertSnapshot()
        for view in await evaluator.openIncidents() {
            snapshot.incidents[view.labels["site"] ?? "", default: []].append(view)
        }
        snapshot.silences = await evaluator.silences.filter { $0.starts <= now && now < $0.ends }
        let rules = await evaluator.rules
        let contact = rules.filter { $0.expression.metric == AlertEvaluator.contactAgeMetric }
        snapshot.contactRules = Set(contact.map(\.name))
        if let threshold = contact.first?.expression.threshold { snapshot.quietAfter = Int64(threshold * 1000) }
        snapshot.severity = Dictionary(rules.map { ($0.name, $0.severity.rawValue) }) { a, _ in a }
        return snapshot
    }
}
