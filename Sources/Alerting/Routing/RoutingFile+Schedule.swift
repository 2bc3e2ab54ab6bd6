import Foundation
import WatchModel
import Yams

/// `schedules:` entries: working hours in Vietnam time, holidays, an on-call rotation.
extension RoutingFileReader {
    func schedule(_ node: Node) throws(RoutingFileError) -> Schedule {
        let map = try mapping(node, "a schedule", keys: ["name", "working_hours", "holidays", "on_call"])
        let name = try name(map, of: node, "a schedule")
        guard !schedules.contains(where: { $0.name == name }) else { throw fail(node, "schedule '\(name)' is defined twice") }
        var schedule = Schedule(name: name, origin: origin(node))
        if let hours = map["working_hours"] {
            // One stretch, or a list of them (a morning and an afternoon).
            for stretch in hours.sequence.map(Array.init) ?? [hours] {
                schedule.workingHours.append(try workingHours(stretch))
            }
        }
        for day in try strings(map["holidays"], "'holidays'") {
            guard let civil = CivilDay(day) else { throw fail(map["holidays"], "holiday '\(day)' is not a date such as 2026-09-02") }
            schedule.holidays.insert(civil)
        }
        if let rotation = map["on_call"] { schedule.onCall = try onCall(rotation) }
        guard !schedule.workingHours.isEmpty || schedule.onCall != nil else {
            throw fail(node, "schedule '\(name)' needs 'working_hours' or 'on_call'")
        }
        return schedule
    }

    func workingHours(_ node: Node) throws(RoutingFileError) -> Schedule.Hours {
        let map = try mapping(node, "'working_hours'", keys: ["days", "from", "to"])
        guard let daysNode = map["days"], let fromNode = map["from"], let toNode = map["to"] else {
            throw fail(node, "'working_hours' needs days, from and to, such as {days: mon-fri, from: \"07:30\", to: \"17:00\"}")
        }
        let from = try clock(fromNode, "'from'"), to = try clock(toNode, "'to'")
        guard from < to else { throw fail(toNode, "'to' must be after 'from' (working hours end the same day)") }
        return Schedule.Hours(days: try days(daysNode), from: from, to: to)
    }

    /// `mon-fri`, `mon-fri, sat`, `[mon, wed, fri]`.
    func days(_ node: Node) throws(RoutingFileError) -> Set<Weekday> {
        let pieces: [String]
        if let items = node.sequence {
            pieces = items.compactMap(\.string)
        } else {
            pieces = (node.string ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        let expected = "'days' must be days such as mon-fri, \"mon-fri, sat\" or [mon, wed, fri]"
        guard !pieces.isEmpty else { throw fail(node, expected) }
        var days: Set<Weekday> = []
        for piece in pieces {
            let ends = piece.split(separator: "-").map { Weekday(name: String($0).trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(ends.count), let first = ends.first!, let last = ends.last! else {
                throw fail(node, "\(expected), found '\(piece)'")
            }
            // A range may wrap round the week end (fri-mon).
            var day = first
            days.insert(day)
            while day != last {
                day = Weekday(rawValue: (day.rawValue + 1) % 7)!
                days.insert(day)
            }
        }
        return days
    }

    /// `07:30` → minutes after midnight (24:00 allowed as the end of a day).
    func clock(_ node: Node, _ what: String) throws(RoutingFileError) -> Int {
        let text = node.string ?? ""
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...59).contains(m),
              (0...23).contains(h) || (h == 24 && m == 0) else {
            throw fail(node, "\(what) must be a time of day such as \"07:30\" (Vietnam time), found '\(text)'")
        }
        return h * 60 + m
    }

    func onCall(_ node: Node) throws(RoutingFileError) -> Schedule.Rotation {
        let map = try mapping(node, "'on_call'", keys: ["people", "handover", "every", "start"])
        let names = try strings(map["people"], "'people'")
        guard !names.isEmpty else { throw fail(node, "'on_call' needs 'people' (who takes turns, in order)") }
        try check(names, in: map["people"], are: "person", known: people.map(\.name))
        guard let handover = map["handover"] else { throw fail(node, "'on_call' needs 'handover', such as \"mon 08:00\" or \"08:00\" (every day)") }
        let words = (handover.string ?? "").split(separator: " ").map(String.init)
        var day: Weekday?
        if words.count == 2 {
            guard let d = Weekday(name: words[0]) else { throw fail(handover, "'handover' starts with a day (mon … sun), found '\(words[0])'") }
            day = d
        }
        guard (1...2).contains(words.count) else { throw fail(handover, "'handover' must be such as \"mon 08:00\" or \"08:00\"") }
        var clockNode = handover
        if case var .scalar(scalar) = handover {
            scalar.string = words.last!
            clockNode = .scalar(scalar)
        }
        let minute = try clock(clockNode, "the time in 'handover'")
        var every: Int64 = day == nil ? 86_400_000 : 7 * 86_400_000
        if let given = try duration(map["every"], "every"), let given {
            guard given > 0 else { throw fail(map["every"], "'every' must be longer than 0s") }
            every = given
        }
        var start = CivilDay(number: 0)
        if let n = map["start"] {
            guard let text = n.string, let civil = CivilDay(text) else { throw fail(n, "'start' must be a date such as 2026-01-05") }
            start = civil
        }
        return Schedule.Rotation(people: names, handoverDay: day, handoverMinute: minute, every: every, start: start)
    }
}
