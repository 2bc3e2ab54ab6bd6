/// A day of the week as schedules write it (`mon` … `sun`), Monday first.
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Comparable {
    case mon = 0, tue, wed, thu, fri, sat, sun

    /// `mon`, `monday`, `Mon` … (the three-letter form is the one the examples use).
    public init?(name: String) {
        let text = name.lowercased()
        guard let i = Weekday.fullNames.firstIndex(where: { $0 == text || $0.prefix(3) == text }) else { return nil }
        self = Weekday(rawValue: i)!
    }

    static let fullNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
}

/// A calendar day in a schedule's local time (Vietnam: UTC+7, no daylight saving), counted in
/// days since 1970-01-01 so that arithmetic stays exact without a calendar library.
public struct CivilDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// Days since 1970-01-01.
    public let number: Int64

    public init(number: Int64) { self.number = number }

    /// nil for a day that does not exist (2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let candidate = CivilDay(number: CivilDay.days(year: Int64(year), month: Int64(month), day: Int64(day)))
        guard candidate.date == (year, month, day) else { return nil }
        self = candidate
    }

    /// `2026-09-02`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The local day an instant falls on, `utcOffset` milliseconds ahead of UTC.
    public init(containing instant: TimestampMs, utcOffset: Int64) {
        number = floorDivide(instant + utcOffset, CivilDay.millisecondsPerDay)
    }

    /// 1970-01-01 was a Thursday.
    public var weekday: Weekday { Weekday(rawValue: Int(positiveModulo(number + 3, 7)))! }

    /// The instant this day's local midnight is.
    public func start(utcOffset: Int64) -> TimestampMs { number * CivilDay.millisecondsPerDay - utcOffset }

    public var date: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = number + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    public var description: String {
        let (y, m, d) = date
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    public static func < (a: CivilDay, b: CivilDay) -> Bool { a.number < b.number }

    /// Howard Hinnant's days_from_civil (month 1–12; the day may run past the month's end).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// `a / b` rounded towards minus infinity (days and turns before 1970 or before a start count right).
public func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// `a mod b` in `0..<b` for a positive `b`.
public func positiveModulo(_ a: Int64, _ b: Int64) -> Int64 {
    let r = a % b
    return r < 0 ? r + b : r
}
