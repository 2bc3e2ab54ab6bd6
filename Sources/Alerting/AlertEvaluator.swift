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
    /// What the message says beyond the rule: the site's name, what else is wrong there, the link.
    public var context = NoticeContext()

    public init(rule: AlertRule, labels: [String: String], change: IncidentChange, value: Double?, since: TimestampMs,
                at: TimestampMs, key: String, context: NoticeContext = NoticeContext()) {
        self.rule = rule
        self.labels = labels
        self.change = change
        self.value = value
        self.since = since
        self.at = at
        self.key = key
        self.context = context
    }

    /// Labels as Alertmanager shows them: alertname, severity, the rule's labels, the series' labels.
    public var alertLabels: [String: String] {
        var out = labels.merging(rule.labels) { _, r in r }
        out["alertname"] = rule.name
        out["severity"] = rule.severity.rawValue
        return out
    }
}

extension AlertNotice {
    /// Whether, after this change, the incident is still on (Alertmanager's "firing").
    public var firing: Bool {
        switch change {
        case .fired, .acknowledged, .startedFlapping: true
        case .resolved: false
        case let .settled(firing): firing
        }
    }

    public var changeName: String {
        switch change {
        case .fired: "fired"
        case .resolved: "resolved"
        case .acknowledged: "acknowledged"
        case .startedFlapping: "flapping"
        case let .settled(firing): firing ? "settled_firing" : "settled_resolved"
        }
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
    /// Not told: another incident at the site explains it (a cut line), or a silence covers it.
    public var muted: Bool
}

/// Evaluates the rules over the store, per series, and keeps one incident machine per rule and
/// series: on every upload of a site (so a cut line is told seconds after the agent reports it)
/// and on a timer (for silence, and for what time alone changes).
public actor AlertEvaluator {
    public let rules: [AlertRule]
    let store: any MetricStore
    var machines: [String: IncidentMachine] = [:]
    var subjects: [String: (rule: AlertRule, labels: [String: String], value: Double?)] = [:]
    /// Incidents whose start was not told (inhibited or silenced): their later changes are not told either.
    var untold: Set<String> = []
    public private(set) var silences: [Silence] = []
    var topology = TopologyGrouping()
    var targets = GlobalTargetGrouping()
    /// The last contact of every agent, by agent id.
    var contacts: [String: AgentContact] = [:]

    /// A metric no agent sends: seconds since the agent's last upload on any path (the
    /// heartbeat over 4G counts), per site and agent — what `AgentSilent` is judged on.
    public static let contactAgeMetric = "agent_contact_age_seconds"

    /// An agent not heard of for this long is quiet: the threshold of the rule on
    /// `agent_contact_age_seconds` (AgentSilent), so the explanation agrees with the alert.
    let quietAfter: Int64

    public init(rules: [AlertRule], store: any MetricStore) {
        self.rules = rules
        self.store = store
        quietAfter = rules.first { $0.expression.metric == Self.contactAgeMetric }.map { Int64($0.expression.threshold * 1000) } ?? OfficeState.quietAfter
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
                notices += changes.map { AlertNotice(rule: rule, labels: placed(labels), change: $0, value: value, since: machine.since ?? now, at: now, key: key) }
            }
        }
        var told = tellable(notices, now: now)
        // An incident kept quiet whose reason is gone (the line is back, the silence ended) while it
        // goes on: told now.
        for key in untold.sorted() {
            guard let machine = machines[key], machine.active, let subject = subjects[key],
                  site == nil || subject.labels["site"] == site else { continue }
            let notice = AlertNotice(rule: subject.rule, labels: placed(subject.labels), change: .fired, value: subject.value,
                                     since: machine.since ?? now, at: now, key: key)
            guard !muted(rule: subject.rule.name, labels: notice.alertLabels, now: now) else { continue }
            untold.remove(key)
            told.append(notice)
        }
        let grouped = targets.apply(topology.apply(told, now: now), now: now) { rule, target in population(rule: rule, target: target) }
        return grouped.map { n in
            var n = n
            if let site = n.labels["site"] {
                let own = contacts.values.filter { $0.site == site }
                n.context.office = n.labels["agent"].map { OfficeState.of(agent: $0, contacts: own, now: now, quietAfter: quietAfter) }
                    ?? OfficeState.of(site: own, now: now, quietAfter: quietAfter)
            }
            return n
        }
    }

    /// Where each site sits (from the site registry): the upstream node its line goes through, its district.
    public func setSites(upstream: [String: String], district: [String: String]) {
        topology.upstream = upstream
        topology.district = district
    }

    /// An upload (or a heartbeat) arrived from `contact.agent`.
    public func contact(_ contact: AgentContact) {
        if let known = contacts[contact.agent], known.at > contact.at { return }
        contacts[contact.agent] = contact
    }

    /// Agents known from before a restart, with the last time their site was heard of; a contact
    /// already recorded wins.
    public func seed(_ seeds: [AgentContact]) {
        for seed in seeds where contacts[seed.agent] == nil { contacts[seed.agent] = seed }
    }

    /// The series' labels with the site's district from the registry (for routing to the team that
    /// covers it, and for silences by district); not part of the incident's key.
    func placed(_ labels: [String: String]) -> [String: String] {
        guard labels["district"] == nil, let site = labels["site"], let district = topology.district[site], !district.isEmpty else { return labels }
        var out = labels
        out["district"] = district
        return out
    }

    /// One line for each other incident open at the notice's site, muted ones included: what else
    /// the team will find there.
    public func alsoAffected(_ notice: AlertNotice, language: String) -> [String] {
        guard let site = notice.labels["site"] else { return [] }
        return machines.compactMap { key, machine -> (TimestampMs, String)? in
            guard key != notice.key, machine.active, let subject = subjects[key], subject.labels["site"] == site else { return nil }
            let other = AlertNotice(rule: subject.rule, labels: subject.labels, change: .fired, value: subject.value, since: machine.since ?? 0, at: 0, key: key)
            return (machine.since ?? 0, other.text("summary", language: language) ?? subject.rule.name)
        }.sorted { $0 < $1 }.map(\.1)
    }

    /// What the office's contacts say now (nil: no agent of the site was ever heard from).
    public func officeState(site: String, now: TimestampMs) -> OfficeState? {
        OfficeState.of(site: contacts.values.filter { $0.site == site }, now: now, quietAfter: quietAfter)
    }

    /// Forgets an agent (revoked): it is no longer expected to report.
    public func forget(agent: String) {
        contacts[agent] = nil
    }

    /// How many sites have a series for `rule` and `target` (the share a portal problem is judged by).
    func population(rule: String, target: String) -> Int {
        Set(subjects.compactMap { key, subject in
            key.hasPrefix(rule + "|") && (subject.labels["probe"] ?? subject.labels["target"]) == target ? subject.labels["site"] : nil
        }).count
    }

    /// Drops what must not be told: incidents inhibited by another at the same site (judged after
    /// the whole pass, so the order of the rules does not matter), silenced ones, and every later
    /// change of an incident whose start was not told.
    func tellable(_ notices: [AlertNotice], now: TimestampMs) -> [AlertNotice] {
        notices.filter { n in
            let starts: Bool = switch n.change {
            case .fired, .startedFlapping: true
            default: false
            }
            if starts {
                if muted(rule: n.rule.name, labels: n.alertLabels, now: now) { untold.insert(n.key); return false }
                untold.remove(n.key)
                return true
            }
            if untold.contains(n.key) {
                if case .resolved = n.change { untold.remove(n.key) }
                if case .settled(false) = n.change { untold.remove(n.key) }
                return false
            }
            return !silences.contains { $0.mutes(n.alertLabels, at: now) }
        }
    }

    /// Whether an incident of `rule` with `labels` is inhibited or silenced now.
    func muted(rule: String, labels: [String: String], now: TimestampMs) -> Bool {
        if silences.contains(where: { $0.mutes(labels, at: now) }) { return true }
        guard let site = labels["site"] else { return false }
        return machines.contains { key, machine in
            guard machine.active, let subject = subjects[key], subject.rule.inhibits.contains(rule) else { return false }
            return subject.labels["site"] == site
        }
    }

    /// The silences as the database has them (those not ended): what another collector sharing it
    /// added or expired is followed here too.
    public func setSilences(_ all: [Silence]) {
        silences = all
    }

    /// Adds (or replaces, by id) a silence.
    public func silence(_ silence: Silence) {
        silences.removeAll { $0.id == silence.id }
        silences.append(silence)
    }

    /// Ends a silence now; false when there is no such silence.
    public func expire(silence id: String, now: TimestampMs) -> Bool {
        guard let i = silences.firstIndex(where: { $0.id == id }) else { return false }
        silences[i].ends = min(silences[i].ends, now)
        return true
    }

    /// The rule's value for each series (or, for events, each site) it covers.
    func values(_ rule: AlertRule, site: String?, now: TimestampMs) async throws -> [([String: String], Double?)] {
        let e = rule.expression
        if e.metric == Self.contactAgeMetric {
            return contacts.values.filter { c in (site == nil || c.site == site) && e.matchers.allSatisfy { ["site": c.site, "agent": c.agent][$0.key] == $0.value } }
                .map { (["site": $0.site, "agent": $0.agent, "host": $0.host.isEmpty ? $0.agent : $0.host], Double(max(now - $0.at, 0)) / 1000) }
        }
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
        return changes.map { AlertNotice(rule: subject.rule, labels: placed(subject.labels), change: $0, value: subject.value, since: machine.since ?? now, at: now, key: key) }
    }

    /// Incidents not over: pending, firing, acknowledged, flapping.
    public func openIncidents() -> [IncidentView] {
        machines.compactMap { key, machine in
            guard let phase = machine.phase, phase != .resolved, let subject = subjects[key] else { return nil }
            // A pending incident began with its first breach (the `since` it will fire with); `since` is still the last one's.
            let since = phase == .pending ? machine.pendingSince : machine.since
            return IncidentView(key: key, rule: subject.rule.name, labels: subject.labels, phase: phase, since: since,
                                acknowledgedBy: machine.acknowledgedBy, value: subject.value, muted: untold.contains(key))
        }.sorted { ($0.since ?? 0, $0.key) < ($1.since ?? 0, $1.key) }
    }
}
