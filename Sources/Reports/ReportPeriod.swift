import WatchModel

/// The span a planner report covers: a calendar month, quarter or year in Vietnam's time
/// (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving), or explicit instants.
public enum ReportPeriod: Sendable, Hashable {
    case month(year: Int, month: Int)
    case quarter(year: Int, quarter: Int)
    case year(Int)
    /// [from, to) in UTC milliseconds.
    case range(from: TimestampMs, to: TimestampMs)

    /// Vietnam's offset from UTC: the same all year, so calendar boundaries are plain arithmetic.
    public static let vietnamOffset: TimestampMs = 7 * 3_600_000
    static let day: TimestampMs = 86_400_000

    /// The first instant of the period and the first instant after it, in UTC milliseconds.
    public var bounds: (from: TimestampMs, to: TimestampMs) {
        switch self {
        case let .month(year, month):
            let next = month == 12 ? (year + 1, 1) : (year, month + 1)
            return (Self.midnight(year, month, 1), Self.midnight(next.0, next.1, 1))
        case let .quarter(year, quarter):
            let first = (quarter - 1) * 3 + 1
            return (Self.midnight(year, first, 1), first + 3 > 12 ? Self.midnight(year + 1, 1, 1) : Self.midnight(year, first + 3, 1))
        case let .year(year):
            return (Self.midnight(year, 1, 1), Self.midnight(year + 1, 1, 1))
        case let .range(from, to):
            return (from, to)
        }
    }

    /// Length in milliseconds.
    public var length: TimestampMs { bounds.to - bounds.from }

    /// How people name it: "2026-03", "2026-Q1", "2026", or the two instants in Vietnam's time.
    public var label: String {
        switch self {
        case let .month(year, month): "\(year)-\(Self.pad(month))"
        case let .quarter(year, quarter): "\(year)-Q\(quarter)"
        case let .year(year): "\(year)"
        case let .range(from, to): "\(Self.localDateTime(from)) – \(Self.localDateTime(to))"
        }
    }

    /// Reads "2026-03", "2026-Q1", "2026" (calendar periods in Vietnam's time); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let year = Int(parts[0]), parts[0].count == 4 else { return nil }
        if parts.count == 1 { self = .year(year); return }
        guard parts.count == 2 else { return nil }
        if parts[1].hasPrefix("Q") || parts[1].hasPrefix("q") {
            guard let q = Int(parts[1].dropFirst()), (1...4).contains(q) else { return nil }
            self = .quarter(year: year, quarter: q)
        } else {
            guard let m = Int(parts[1]), (1...12).contains(m), parts[1].count == 2 else { return nil }
            self = .month(year: year, month: m)
        }
    }

    /// Midnight at the start of a day in Vietnam, as UTC milliseconds.
    public static func midnight(_ year: Int, _ month: Int, _ day: Int) -> TimestampMs {
        TimestampMs(daysFromCivil(year, month, day)) * Self.day - vietnamOffset
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        Int(CivilDay.days(year: Int64(y), month: Int64(m), day: Int64(d)))
    }

    /// The Gregorian date of a day count since 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        CivilDay(number: Int64(days)).date
    }

    /// The date in Vietnam of an instant.
    public static func localDate(_ ms: TimestampMs) -> (year: Int, month: Int, day: Int) {
        let local = ms + vietnamOffset
        return civil(fromDays: Int((local - (((local % day) + day) % day)) / day))
    }

    /// "2026-03-01 00:00" in Vietnam's time.
    public static func localDateTime(_ ms: TimestampMs) -> String {
        let (y, m, d) = localDate(ms)
        let minutes = (((ms + vietnamOffset) % day) + day) % day / 60_000
        return "\(y)-\(pad(m))-\(pad(d)) \(pad(Int(minutes / 60))):\(pad(Int(minutes % 60)))"
    }

    static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
