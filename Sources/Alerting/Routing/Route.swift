import WatchModel

/// One node of the routing tree, like an Alertmanager route, with what it inherits from its
/// parents already filled in: which notices it takes, where they go, who is told, how they are
/// grouped and timed, when it is active and how it escalates.
public struct Route: Sendable, Hashable {
    /// Which people of the team are the recipients.
    public enum Recipients: String, Sendable, Hashable, CaseIterable {
        /// The team's person on call at the time of sending.
        case onCall = "on_call"
        /// Every member.
        case team
        /// The team's lead.
        case lead
    }

    /// The labels that split notices into groups (one notification per group).
    public enum Grouping: Sendable, Hashable {
        case labels([String])
        /// `[...]`: every label, so each incident is its own group.
        case all
    }

    /// When the route sends, by its team's (or its own) schedule.
    public enum Active: String, Sendable, Hashable, CaseIterable {
        case always
        case workingHours = "working_hours"
        case outsideWorkingHours = "outside_working_hours"
    }

    /// What happens to notices while the route is not active.
    public enum WhenInactive: String, Sendable, Hashable, CaseIterable {
        /// Kept and sent when the window opens: warnings at night wait for the morning.
        case hold
        /// Incidents that start outside the window are never told on this route; changes of
        /// incidents already told wait for the window.
        case drop
    }

    /// One step of escalation: a firing incident nobody acknowledged `after` it was first told.
    public struct Escalation: Sendable, Hashable {
        public var after: Int64
        /// nil: the route's own recipients.
        public var to: Recipients?
        /// Empty: the route's own receivers.
        public var receivers: [String]

        public init(after: Int64, to: Recipients? = nil, receivers: [String] = []) {
            self.after = after
            self.to = to
            self.receivers = receivers
        }
    }

    /// The group wait when the file gives none: a critical notice pages at once (the collector's
    /// topology grouping already folds mass failures), others wait 30 s to gather.
    public static func defaultGroupWait(_ severity: AlertRule.Severity) -> Int64 {
        severity == .critical ? 0 : 30_000
    }

    public static let defaultGroupBy = Grouping.labels(["alertname", "site", "upstream"])
    public static let defaultGroupInterval: Int64 = 300_000
    public static let defaultRepeatInterval: Int64 = 4 * 3_600_000

    /// Its place in the tree: `route`, `route.2`, `route.2.1` (the part of a group key that says which route).
    public var id: String
    public var matchers: [LabelMatcher]
    public var receivers: [String]
    /// Also send to the receivers of the notice's team.
    public var teamReceivers: Bool
    /// nil: nobody in particular (the receivers' own addresses).
    public var to: Recipients?
    public var groupBy: Grouping
    /// nil: `defaultGroupWait` by severity.
    public var groupWait: Int64?
    public var groupInterval: Int64
    /// nil: never repeated.
    public var repeatInterval: Int64?
    /// Whether the siblings after this one are tried too when it matches.
    public var continues: Bool
    public var active: Active
    public var whenInactive: WhenInactive
    /// The schedule `active` refers to; nil: the team's.
    public var schedule: String?
    public var escalate: [Escalation]
    public var routes: [Route]
    /// Where it was declared ("alerts/routing.yml:60").
    public var origin: String

    public init(id: String = "route", matchers: [LabelMatcher] = [], receivers: [String] = [], teamReceivers: Bool = false,
                to: Recipients? = nil, groupBy: Grouping = Route.defaultGroupBy, groupWait: Int64? = nil,
                groupInterval: Int64 = Route.defaultGroupInterval, repeatInterval: Int64? = Route.defaultRepeatInterval,
                continues: Bool = false, active: Active = .always, whenInactive: WhenInactive = .hold, schedule: String? = nil,
                escalate: [Escalation] = [], routes: [Route] = [], origin: String = "") {
        self.id = id
        self.matchers = matchers
        self.receivers = receivers
        self.teamReceivers = teamReceivers
        self.to = to
        self.groupBy = groupBy
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
        self.continues = continues
        self.active = active
        self.whenInactive = whenInactive
        self.schedule = schedule
        self.escalate = escalate
        self.routes = routes
        self.origin = origin
    }

    /// The routes that take a notice with these labels, as Alertmanager walks its tree: the
    /// deepest matching routes, trying later siblings only after one that says `continue`; this
    /// route itself when it matches and none of its children does; nothing when it does not match.
    public func match(_ labels: [String: String]) -> [Route] {
        guard matchers.allSatisfy({ $0.matches(labels) }) else { return [] }
        var found: [Route] = []
        for child in routes {
            let taken = child.match(labels)
            guard !taken.isEmpty else { continue }
            found += taken
            if !child.continues { break }
        }
        return found.isEmpty ? [self] : found
    }

    /// The labels that name a notice's group on this route.
    public func groupLabels(_ labels: [String: String]) -> [String: String] {
        switch groupBy {
        case .all: labels
        case let .labels(names): Dictionary(names.map { ($0, labels[$0] ?? "") }) { a, _ in a }
        }
    }

    /// Every route of the tree, this one first.
    public var all: [Route] { [self] + routes.flatMap(\.all) }
}
