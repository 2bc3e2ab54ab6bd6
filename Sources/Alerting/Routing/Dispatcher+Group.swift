import WatchModel

extension Dispatcher {
    /// One incident in a group, and what has been told of it.
    struct Member: Sendable {
        var notice: AlertNotice
        /// Its latest change has been sent.
        var told = false
        /// Its firing was sent at least once: a resolution of an incident never told is not told either.
        var toldFiring = false
        /// When its firing was first sent: the escalation clock starts there.
        var toldAt: TimestampMs?
        /// Escalation steps already sent.
        var escalated = 0
        var acknowledged = false
        var flapping = false

        /// Whether it still pages: firing, nobody on it, not flapping (flapping is told once
        /// when it starts and once when it settles, neither repeated nor escalated).
        var pages: Bool { notice.firing && !acknowledged && !flapping }
    }

    /// The notices of one route, team and set of `group_by` values, told together.
    struct Group: Sendable {
        var key: String
        var route: Route
        var team: Team?
        var created: TimestampMs
        var lastSent: TimestampMs?
        var members: [String: Member] = [:]
        /// Incident keys in the order they joined, so messages list them in a stable order.
        var order: [String] = []

        init(key: String, route: Route, team: Team?, created: TimestampMs) {
            self.key = key
            self.route = route
            self.team = team
            self.created = created
        }

        /// A change of one incident; a new incident joins only when it is firing and the route takes new ones.
        mutating func take(_ notice: AlertNotice, acceptingNew: Bool) {
            guard var member = members[notice.key] else {
                guard notice.firing, acceptingNew else { return }
                var member = Member(notice: notice)
                member.acknowledged = if case .acknowledged = notice.change { true } else { false }
                member.flapping = notice.change == .startedFlapping
                members[notice.key] = member
                order.append(notice.key)
                return
            }
            member.notice = notice
            member.told = false
            switch notice.change {
            case .fired:
                // On again after a resolution not yet told: a new incident, timed afresh.
                member = Member(notice: notice, toldFiring: member.toldFiring)
            case .acknowledged:
                member.acknowledged = true
            case .startedFlapping:
                member.flapping = true
            case .settled(firing: true):
                // Steadily on now: it pages, and escalates counting from when that is told.
                member.flapping = false
                member.toldAt = nil
                member.escalated = 0
            case .resolved, .settled(firing: false):
                guard member.toldFiring else {
                    members[notice.key] = nil
                    order.removeAll { $0 == notice.key }
                    return
                }
            }
            members[notice.key] = member
        }

        /// When the next regular message is due: `group_wait` after the group formed, then
        /// `group_interval` after the last message when something changed, else `repeat_interval`
        /// after it while an incident still pages.
        var sendDue: TimestampMs? {
            guard !members.isEmpty else { return nil }
            let changed = members.values.contains { !$0.told }
            guard let lastSent else {
                let critical = members.values.contains { $0.notice.rule.severity == .critical }
                return created + (route.groupWait ?? Route.defaultGroupWait(critical ? .critical : .warning))
            }
            if changed { return lastSent + route.groupInterval }
            if let every = route.repeatInterval, members.values.contains(where: \.pages) { return lastSent + every }
            return nil
        }

        /// When the next escalation step is due for an incident nobody acknowledged.
        var escalationDue: TimestampMs? {
            members.values.compactMap { member -> TimestampMs? in
                guard member.pages, let toldAt = member.toldAt, member.escalated < route.escalate.count else { return nil }
                return toldAt + route.escalate[member.escalated].after
            }.min()
        }

        /// After a message: everything told, resolved incidents gone.
        mutating func sent(at now: TimestampMs) {
            lastSent = now
            for key in order {
                guard var member = members[key] else { continue }
                member.told = true
                if member.notice.firing {
                    member.toldFiring = true
                    member.toldAt = member.toldAt ?? now
                    members[key] = member
                } else {
                    members[key] = nil
                }
            }
            order.removeAll { members[$0] == nil }
        }
    }
}
