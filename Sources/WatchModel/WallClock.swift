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
        let (y, m, d) = CivilDay(number: floorDivide(seconds, 86400)).date
        return "\(y)-\(pad(Int64(m)))-\(pad(Int64(d)))"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for UTC milliseconds.
    public static func iso8601(ms: TimestampMs) -> String {
        let seconds = floorDivide(ms, 1000)
        let (y, m, d) = CivilDay(number: floorDivide(seconds, 86400)).date
        let rest = seconds - floorDivide(seconds, 86400) * 86400
        let millis = ms - seconds * 1000
        return "\(y)-\(pad(Int64(m)))-\(pad(Int64(d)))T\(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60)).\(pad(millis, 3))Z"
    }

    private static func pad(_ value: Int64, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
