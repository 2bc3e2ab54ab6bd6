import WatchModel

/// One incident as the teams and the planners look back at it: what, where, since when, who
/// took it, when it ended. One row per incident (a rule and series firing again later is a new
/// incident with a new id).
public struct IncidentRecord: Sendable, Hashable {
    /// `KEY@SINCE`: the evaluator's key (rule and labels) and the time it began.
    public var id: String
    /// The evaluator's key: the same for every incident of one rule and series.
    public var key: String
    public var rule: String
    public var severity: String
    public var labels: [String: String]
    /// pending, firing, acknowledged, flapping or resolved (IncidentPhase's names).
    public var state: String
    public var since: TimestampMs
    public var resolvedAt: TimestampMs?
    public var acknowledgedBy: String?
    public var acknowledgedAt: TimestampMs?
    /// The filled summary in the collector's alert language, as it was told.
    public var summary: String
    public var value: Double?
    /// Not told to anyone (inhibited by another incident at the site, or silenced).
    public var muted: Bool
    public var updatedAt: TimestampMs

    public init(id: String, key: String, rule: String, severity: String, labels: [String: String], state: String, since: TimestampMs,
                resolvedAt: TimestampMs? = nil, acknowledgedBy: String? = nil, acknowledgedAt: TimestampMs? = nil, summary: String = "",
                value: Double? = nil, muted: Bool = false, updatedAt: TimestampMs) {
        self.id = id
        self.key = key
        self.rule = rule
        self.severity = severity
        self.labels = labels
        self.state = state
        self.since = since
        self.resolvedAt = resolvedAt
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.summary = summary
        self.value = value
        self.muted = muted
        self.updatedAt = updatedAt
    }
}

/// One line of an incident's history: a change of state, a note, a silence, a notification sent.
public struct IncidentEntry: Sendable, Hashable {
    public var incident: String
    public var at: TimestampMs
    /// fired, resolved, acknowledged, flapping, settled, note, silenced, notified, escalated.
    public var kind: String
    /// Who did it (a person's name, or "collector").
    public var by: String
    public var text: String

    public init(incident: String, at: TimestampMs, kind: String, by: String, text: String = "") {
        self.incident = incident
        self.at = at
        self.kind = kind
        self.by = by
        self.text = text
    }
}

/// Where incidents, their history and the silences are kept: in the collector's database, beside
/// the series.
public protocol IncidentStore: Sendable {
    /// Inserts or replaces the incident with this id.
    func save(incident: IncidentRecord) async throws
    func append(_ entry: IncidentEntry) async throws
    func incident(id: String) async throws -> IncidentRecord?
    /// Newest first; `open`: only those not resolved; `site`: only that site's.
    func incidents(open: Bool, site: String?, limit: Int) async throws -> [IncidentRecord]
    /// Oldest first (lines of one instant in the order they were appended).
    func history(incident id: String) async throws -> [IncidentEntry]
    /// The secret that signs acknowledge links: made on first use and kept in the database, so
    /// collectors sharing it accept each other's links, and links outlive a restart.
    func linkKey() async throws -> String
    /// Inserts or replaces the silence with this id (expiring one is saving it with `ends` = now).
    func save(silence: SilenceRecord) async throws
    /// Those whose `ends` is after `time` (active then, or scheduled for later), by `starts`, then id.
    func silences(endingAfter time: TimestampMs) async throws -> [SilenceRecord]
}
