#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock helpers without Foundation: the agent links only the Swift standard library and libc.
public enum WallClock {
    /// Now, in UTC milliseconds.
    public static func nowMs() -> TimestampMs {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return TimestampMs(ts.tv_sec) * 1000 + TimestampMs(ts.tv_nsec / 1_000_000)
    }

    /// `YYYY-MM-DD` (UTC) for Unix seconds.
    public static func isoDate(seconds: Int64) -> String {
        let (y, m, d) = civil(days: floorDiv(seconds, 86400))
        return "\(y)-\(pad(m))-\(pad(d))"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for UTC milliseconds.
    public static func iso8601(ms: TimestampMs) -> String {
        let seconds = floorDiv(ms, 1000)
        let (y, m, d) = civil(days: floorDiv(seconds, 86400))
        let rest = seconds - floorDiv(seconds, 86400) * 86400
        let millis = ms - seconds * 1000
        return "\(y)-\(pad(m))-\(pad(d))T\(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60)).\(pad(millis, 3))Z"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func pad(_ value: Int64, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    private static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
