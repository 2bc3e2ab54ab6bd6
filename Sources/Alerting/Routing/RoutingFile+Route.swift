import Yams

/// The `route:` tree: each route starts from its parent's values and overrides what it sets.
extension RoutingFileReader {
    static let routeKeys = ["matchers", "receiver", "receivers", "team_receivers", "to", "group_by", "group_wait", "group_interval",
                            "repeat_interval", "continue", "routes", "active", "when_inactive", "schedule", "escalate"]

    func route(_ node: Node, parent: Route?, id: String) throws(RoutingFileError) -> Route {
        let map = try mapping(node, "a route", keys: Self.routeKeys)
        var route = parent ?? Route()
        route.id = id
        route.origin = origin(node)
        route.matchers = []
        route.continues = false
        route.routes = []

        if let n = map["matchers"] {
            guard parent != nil else { throw fail(n, "the root route takes every notice: 'matchers' belong in its 'routes'") }
            for text in try strings(n, "'matchers'") {
                let matcher: LabelMatcher
                do { matcher = try LabelMatcher(text) } catch { throw fail(n, "'matchers': \(error.message)") }
                // The pseudo-label `team` can only be a team's name: a typo would silently match nothing.
                if matcher.label == "team", matcher.op == .equal || matcher.op == .notEqual, !matcher.value.isEmpty {
                    try check([matcher.value], in: n, are: "team", known: teams.map(\.name))
                }
                route.matchers.append(matcher)
            }
        }
        if map["receiver"] != nil && map["receivers"] != nil { throw fail(map["receivers"], "give 'receiver' or 'receivers', not both") }
        if let n = map["receiver"] { route.receivers = [try text(n, "'receiver'") ?? ""] }
        if let n = map["receivers"] { route.receivers = try strings(n, "'receivers'") }
        try check(route.receivers, in: map["receiver"] ?? map["receivers"], are: "receiver", known: receivers.map(\.name))
        if let v = try bool(map["team_receivers"], "team_receivers") { route.teamReceivers = v }
        if let n = map["to"] {
            route.to = try choice(n, "to", Route.Recipients.self)
            try checkRecipients(route.to, in: n)
        }
        if let n = map["group_by"] {
            let labels = try strings(n, "'group_by'")
            route.groupBy = labels == ["..."] ? .all : .labels(labels)
            if labels.contains("...") && labels.count > 1 { throw fail(n, "'group_by: [...]' (every label) stands alone") }
        }
        if let v = try duration(map["group_wait"], "group_wait") { route.groupWait = v }
        if let v = try duration(map["group_interval"], "group_interval") { route.groupInterval = v! }
        if let v = try duration(map["repeat_interval"], "repeat_interval", never: true) { route.repeatInterval = v }
        if let v = try bool(map["continue"], "continue") {
            guard parent != nil else { throw fail(map["continue"], "the root route has no siblings: 'continue' belongs in its 'routes'") }
            route.continues = v
        }
        if let v = try choice(map["active"], "active", Route.Active.self) { route.active = v }
        if let v = try choice(map["when_inactive"], "when_inactive", Route.WhenInactive.self) { route.whenInactive = v }
        if let n = map["schedule"] {
            let name = try text(n, "'schedule'") ?? ""
            try check([name], in: n, are: "schedule", known: schedules.map(\.name))
            route.schedule = name
        }
        if let n = map["escalate"] {
            route.escalate = []
            for step in try items(n, "escalate") { route.escalate.append(try escalation(step, after: route.escalate.last?.after)) }
        }
        guard !route.receivers.isEmpty || route.teamReceivers else {
            throw fail(node, "this route sends nowhere: give it (or a parent) 'receiver', 'receivers' or 'team_receivers: true'")
        }
        if route.active != .always { try checkActive(route, map["active"] ?? node) }

        for (i, child) in try items(map["routes"], "routes").enumerated() {
            route.routes.append(try self.route(child, parent: route, id: "\(id).\(i + 1)"))
        }
        return route
    }

    func escalation(_ node: Node, after previous: Int64?) throws(RoutingFileError) -> Route.Escalation {
        let map = try mapping(node, "an escalation step", keys: ["after", "to", "receivers"])
        guard let afterNode = map["after"], let after = try duration(afterNode, "after") ?? nil, after > 0 else {
            throw fail(node, "an escalation step needs 'after', a duration such as 15m (unacknowledged this long after it was told)")
        }
        if let previous, after <= previous { throw fail(afterNode, "escalation steps go in order: 'after' must be longer than the step before") }
        let to = try choice(map["to"], "to", Route.Recipients.self)
        try checkRecipients(to, in: map["to"])
        let names = try strings(map["receivers"], "'receivers'")
        try check(names, in: map["receivers"], are: "receiver", known: receivers.map(\.name))
        return Route.Escalation(after: after, to: to, receivers: names)
    }

    /// `to: on_call` needs every team to have a rotation, `to: lead` a lead: otherwise a page could reach nobody.
    func checkRecipients(_ to: Route.Recipients?, in node: Node?) throws(RoutingFileError) {
        guard let to else { return }
        guard !teams.isEmpty else { throw fail(node, "'to: \(to.rawValue)' names people of a team, but no team is defined") }
        for team in teams {
            switch to {
            case .lead where team.lead == nil:
                throw fail(node, "'to: lead', but team '\(team.name)' (\(team.origin)) has no 'lead'")
            case .onCall where team.schedule.flatMap { name in schedules.first { $0.name == name } }?.onCall == nil:
                throw fail(node, "'to: on_call', but team '\(team.name)' (\(team.origin)) has no schedule with 'on_call'")
            default: continue
            }
        }
    }

    /// A route active only in (or outside) working hours needs working hours to judge by, for every team it may serve.
    func checkActive(_ route: Route, _ node: Node) throws(RoutingFileError) {
        let what = "'active: \(route.active.rawValue)'"
        if let name = route.schedule {
            guard schedules.first(where: { $0.name == name })?.workingHours.isEmpty == false else {
                throw fail(node, "\(what), but schedule '\(name)' has no 'working_hours'")
            }
            return
        }
        guard !teams.isEmpty else { throw fail(node, "\(what) needs working hours: give the route 'schedule: NAME'") }
        for team in teams where team.schedule.flatMap({ name in schedules.first { $0.name == name } })?.workingHours.isEmpty != false {
            throw fail(node, "\(what), but team '\(team.name)' has no schedule with 'working_hours' (or give the route 'schedule: NAME')")
        }
    }
}
