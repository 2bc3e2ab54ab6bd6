import Foundation
import WatchModel

/// A mobile team: the districts and sites it covers, its people, its receivers (a Telegram
/// group…), its schedule and its lead.
public struct Team: Sendable, Hashable {
    public var name: String
    public var districts: Set<String>
    public var sites: Set<String>
    /// People's names.
    public var members: [String]
    /// Receivers' names.
    public var receivers: [String]
    public var schedule: String?
    public var lead: String?
    /// Where it was declared ("alerts/routing.yml:30").
    public var origin: String

    public init(name: String, districts: Set<String> = [], sites: Set<String> = [], members: [String] = [], receivers: [String] = [],
                schedule: String? = nil, lead: String? = nil, origin: String = "") {
        self.name = name
        self.districts = districts
        self.sites = sites
        self.members = members
        self.receivers = receivers
        self.schedule = schedule
        self.lead = lead
        self.origin = origin
    }
}

/// What the routing file says, checked as a whole: the receivers, people, teams, schedules and
/// the route tree.
public struct RoutingConfig: Sendable, Hashable {
    public var receivers: [ReceiverSpec]
    public var people: [Person]
    public var teams: [Team]
    public var schedules: [Schedule]
    public var route: Route

    public init(receivers: [ReceiverSpec] = [], people: [Person] = [], teams: [Team] = [], schedules: [Schedule] = [], route: Route) {
        self.receivers = receivers
        self.people = people
        self.teams = teams
        self.schedules = schedules
        self.route = route
    }

    /// Without a routing file: every notice at once to every receiver, each incident on its own,
    /// never repeated (what the collector did before routing).
    public static func broadcast(receivers: [String]) -> RoutingConfig {
        RoutingConfig(route: Route(receivers: receivers, groupBy: .all, groupWait: 0, groupInterval: 0, repeatInterval: nil))
    }

    /// The team a notice belongs to: the one whose `sites` hold its `site` label, else the one
    /// whose `districts` hold its `district` label. A notice about several sites (the topology
    /// notice's `sites`, comma-separated) belongs to the team of the first site that has one.
    public func team(for labels: [String: String]) -> Team? {
        var sites = labels["site"].map { [$0] } ?? []
        sites += (labels["sites"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        for site in sites where !site.isEmpty {
            if let team = teams.first(where: { $0.sites.contains(site) }) { return team }
        }
        if let district = labels["district"], !district.isEmpty {
            return teams.first { $0.districts.contains(district) }
        }
        return nil
    }

    public func person(_ name: String) -> Person? { people.first { $0.name == name } }
    public func schedule(_ name: String) -> Schedule? { schedules.first { $0.name == name } }
    public func team(named name: String) -> Team? { teams.first { $0.name == name } }

    /// The people a route (or an escalation step) addresses for `team` at `instant`.
    public func recipients(_ who: Route.Recipients?, team: Team?, at instant: TimestampMs) -> [Person] {
        guard let who, let team else { return [] }
        let names: [String] = switch who {
        case .team: team.members
        case .lead: team.lead.map { [$0] } ?? []
        case .onCall: team.schedule.flatMap { schedule($0)?.onCall(at: instant) }.map { [$0] } ?? []
        }
        return names.compactMap(person)
    }

    /// The receivers a route sends to for `team`, its own first, without repeats.
    public func receivers(of route: Route, team: Team?) -> [String] {
        var names = route.receivers
        if route.teamReceivers, let team { names += team.receivers }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// The schedule a route's `active` is judged by for `team`: the route's own, else the team's.
    public func activeSchedule(of route: Route, team: Team?) -> Schedule? {
        (route.schedule ?? team?.schedule).flatMap(schedule)
    }
}
