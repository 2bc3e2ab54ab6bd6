import WatchModel

/// Alertmanager's dispatcher for commune teams, as an I/O-free state machine with time passed
/// in: notices are routed (the route tree, the team by site or district), grouped (`group_by`),
/// held (`group_wait`, `group_interval`, working hours), repeated (`repeat_interval`) and
/// escalated when nobody acknowledges; `due(now:)` says what to send, `nextDue()` when to ask.
public struct Dispatcher: Sendable {
    /// What to send to one receiver.
    public struct Notification: Sendable, Hashable {
        public enum Reason: Sendable, Hashable {
            /// The group's first message.
            case first
            /// Something in the group changed since the last message.
            case update
            /// Nothing changed, but incidents are still firing after `repeat_interval`.
            case `repeat`
            /// Nobody acknowledged in time: the route's escalation step `level` (1 for the first).
            case escalation(level: Int)
        }

        public var receiver: String
        /// The people routing chose (on call, the team, the lead); channels that address people write to them.
        public var recipients: [Person]
        public var team: String?
        public var groupKey: String
        /// The group's incidents as they stand: firing ones and those resolved since the last
        /// message (for an escalation, only the incidents that reached that step).
        public var notices: [AlertNotice]
        public var reason: Reason

        public init(receiver: String, recipients: [Person], team: String?, groupKey: String, notices: [AlertNotice], reason: Reason) {
            self.receiver = receiver
            self.recipients = recipients
            self.team = team
            self.groupKey = groupKey
            self.notices = notices
            self.reason = reason
        }
    }

    public let config: RoutingConfig
    /// Site → district, from the site registry: the district of notices that carry none.
    public var districts: [String: String] = [:]
    var groups: [String: Group] = [:]
    /// The latest `now` given: what was due before it and could not be sent (outside working
    /// hours) is due at the next opening after it, not in the past.
    var clock: TimestampMs = .min

    public init(config: RoutingConfig) {
        self.config = config
    }

    /// Without a routing file: every notice at once to every receiver (see `RoutingConfig.broadcast`).
    public static func broadcast(receivers: [String]) -> Dispatcher {
        Dispatcher(config: .broadcast(receivers: receivers))
    }

    /// The keys of the groups being followed (an incident appears in one group per route that takes it).
    public var groupKeys: [String] { groups.keys.sorted() }

    /// The labels routes match against: the notice's (`alertname`, `severity`, the rule's and the
    /// series'), its `district` when it has none, and the pseudo-label `team` (empty: no team).
    public func routingLabels(_ notice: AlertNotice) -> [String: String] {
        var labels = notice.alertLabels
        if (labels["district"] ?? "").isEmpty {
            let sites = [labels["site"] ?? ""] + (labels["sites"] ?? "").split(separator: ",").map(String.init)
            if let district = notice.context.district ?? sites.lazy.compactMap({ self.districts[$0] }).first {
                labels["district"] = district
            }
        }
        labels["team"] = config.team(for: labels)?.name ?? ""
        return labels
    }

    /// Takes the evaluator's notices: each goes to the groups of the routes that take it.
    public mutating func receive(_ notices: [AlertNotice], now: TimestampMs) {
        clock = max(clock, now)
        for var notice in notices {
            let labels = routingLabels(notice)
            let team = config.team(named: labels["team"] ?? "")
            if let team { notice.context.team = team.name }
            for route in config.route.match(labels) {
                let key = route.id + "|" + (team?.name ?? "") + "|" + LabelText.encode(route.groupLabels(labels))
                let acceptsNew = route.whenInactive == .hold || isActive(route, team: team, at: now)
                if groups[key] == nil {
                    guard notice.firing, acceptsNew else { continue }
                    groups[key] = Group(key: key, route: route, team: team, created: now)
                }
                groups[key]!.take(notice, acceptingNew: acceptsNew)
                if groups[key]!.members.isEmpty { groups[key] = nil }
            }
        }
    }

    /// What must be sent at `now`: messages whose wait is over, repeats, escalations; a group
    /// whose incidents are all resolved and told is dropped.
    public mutating func due(now: TimestampMs) -> [Notification] {
        clock = max(clock, now)
        var out: [Notification] = []
        for key in groups.keys.sorted() {
            guard var group = groups[key], isActive(group.route, team: group.team, at: now) else { continue }
            if let at = group.sendDue, at <= now { out += send(&group, now: now) }
            out += escalate(&group, now: now)
            groups[key] = group.members.isEmpty ? nil : group
        }
        return out
    }

    /// The next instant at which `due(now:)` has something to send, never before the last `now`
    /// given; nil when nothing is waiting.
    public func nextDue() -> TimestampMs? {
        groups.values.compactMap { group -> TimestampMs? in
            guard let at = [group.sendDue, group.escalationDue].compactMap({ $0 }).min() else { return nil }
            return opening(group.route, team: group.team, from: max(at, clock))
        }.min()
    }

    func send(_ group: inout Group, now: TimestampMs) -> [Notification] {
        let reason: Notification.Reason = group.lastSent == nil ? .first : group.members.values.contains { !$0.told } ? .update : .repeat
        let notices = group.order.compactMap { group.members[$0]?.notice }
        let recipients = config.recipients(group.route.to, team: group.team, at: now)
        let out = config.receivers(of: group.route, team: group.team).map {
            Notification(receiver: $0, recipients: recipients, team: group.team?.name, groupKey: group.key, notices: notices, reason: reason)
        }
        group.sent(at: now)
        return out
    }

    func escalate(_ group: inout Group, now: TimestampMs) -> [Notification] {
        let steps = group.route.escalate
        var reached: [Int: [AlertNotice]] = [:]
        for key in group.order {
            guard var member = group.members[key], member.pages, let toldAt = member.toldAt else { continue }
            // Once per step; a late call sends every step passed since.
            while member.escalated < steps.count, toldAt + steps[member.escalated].after <= now {
                member.escalated += 1
                reached[member.escalated, default: []].append(member.notice)
            }
            group.members[key] = member
        }
        var out: [Notification] = []
        for level in reached.keys.sorted() {
            let step = steps[level - 1]
            let receivers = step.receivers.isEmpty ? config.receivers(of: group.route, team: group.team) : step.receivers
            let recipients = config.recipients(step.to ?? group.route.to, team: group.team, at: now)
            out += receivers.map {
                Notification(receiver: $0, recipients: recipients, team: group.team?.name, groupKey: group.key, notices: reached[level]!,
                             reason: .escalation(level: level))
            }
        }
        return out
    }

    /// Whether the route sends at `instant` (always, without a schedule to judge by).
    func isActive(_ route: Route, team: Team?, at instant: TimestampMs) -> Bool {
        guard route.active != .always, let schedule = config.activeSchedule(of: route, team: team) else { return true }
        return schedule.isWorkingTime(instant) == (route.active == .workingHours)
    }

    /// The first instant at or after `instant` when the route sends; nil: never.
    func opening(_ route: Route, team: Team?, from instant: TimestampMs) -> TimestampMs? {
        guard route.active != .always, let schedule = config.activeSchedule(of: route, team: team) else { return instant }
        return schedule.next(working: route.active == .workingHours, from: instant)
    }
}
