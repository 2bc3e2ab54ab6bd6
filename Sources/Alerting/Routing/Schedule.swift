import WatchModel

/// When a team works and who is on call: working hours in local time (Vietnam, UTC+7, no
/// daylight saving), public holidays off, and an on-call rotation handing over at a fixed time.
public struct Schedule: Sendable, Hashable {
    /// Vietnam's offset from UTC.
    public static let vietnam: Int64 = 7 * 3_600_000

    /// One stretch of working time on some days: `from` included, `to` excluded, in minutes
    /// after local midnight (`to` may be 24:00).
    public struct Hours: Sendable, Hashable {
        public var days: Set<Weekday>
        public var from: Int
        public var to: Int

        public init(days: Set<Weekday>, from: Int, to: Int) {
            self.days = days
            self.from = from
            self.to = to
        }
    }

    /// People taking turns: `people[0]` from the first handover on or after `start`, the next
    /// one at each handover after that, round and round.
    public struct Rotation: Sendable, Hashable {
        public var people: [String]
        /// nil: every day at `handoverMinute`.
        public var handoverDay: Weekday?
        /// Minutes after local midnight.
        public var handoverMinute: Int
        /// How long one turn lasts, in milliseconds.
        public var every: Int64
        /// The day the rotation starts counting from (1970-01-01 when the file says none).
        public var start: CivilDay

        public init(people: [String], handoverDay: Weekday?, handoverMinute: Int, every: Int64, start: CivilDay = CivilDay(number: 0)) {
            self.people = people
            self.handoverDay = handoverDay
            self.handoverMinute = handoverMinute
            self.every = every
            self.start = start
        }
    }

    public var name: String
    public var workingHours: [Hours]
    public var holidays: Set<CivilDay>
    public var onCall: Rotation?
    public var utcOffset: Int64
    /// Where it was declared ("alerts/routing.yml:40").
    public var origin: String

    public init(name: String, workingHours: [Hours] = [], holidays: Set<CivilDay> = [], onCall: Rotation? = nil,
                utcOffset: Int64 = Schedule.vietnam, origin: String = "") {
        self.name = name
        self.workingHours = workingHours
        self.holidays = holidays
        self.onCall = onCall
        self.utcOffset = utcOffset
        self.origin = origin
    }

    /// Whether `instant` falls in working hours (never on a holiday).
    public func isWorkingTime(_ instant: TimestampMs) -> Bool {
        let day = CivilDay(containing: instant, utcOffset: utcOffset)
        guard !holidays.contains(day) else { return false }
        let intoDay = instant - day.start(utcOffset: utcOffset)
        return workingHours.contains { hours in
            hours.days.contains(day.weekday) && intoDay >= Int64(hours.from) * 60_000 && intoDay < Int64(hours.to) * 60_000
        }
    }

    /// The first instant at or after `instant` when working time is (or is not) on, looking up to
    /// a year and a month ahead; nil when that never comes (no working days at all).
    public func next(working: Bool, from instant: TimestampMs) -> TimestampMs? {
        if isWorkingTime(instant) == working { return instant }
        // Working time only changes at midnight and at the hours' edges: try those in order.
        let first = CivilDay(containing: instant, utcOffset: utcOffset).number
        for number in first...(first + 400) {
            let start = CivilDay(number: number).start(utcOffset: utcOffset)
            let edges = ([0] + workingHours.flatMap { [$0.from, $0.to] }).map { start + Int64($0) * 60_000 }.sorted()
            if let edge = edges.first(where: { $0 > instant && isWorkingTime($0) == working }) { return edge }
        }
        return nil
    }

    /// The name of the person on call at `instant`; nil without a rotation.
    public func onCall(at instant: TimestampMs) -> String? {
        guard let rotation = onCall, !rotation.people.isEmpty, rotation.every > 0 else { return nil }
        var day = rotation.start
        if let weekday = rotation.handoverDay {
            day = CivilDay(number: day.number + positiveModulo(Int64(weekday.rawValue - day.weekday.rawValue), 7))
        }
        let firstHandover = day.start(utcOffset: utcOffset) + Int64(rotation.handoverMinute) * 60_000
        let turn = floorDivide(instant - firstHandover, rotation.every)
        return rotation.people[Int(positiveModulo(turn, Int64(rotation.people.count)))]
    }
}
