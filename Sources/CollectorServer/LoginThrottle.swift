import WatchModel

/// Slows down password guessing: after `freeFailures` wrong passwords for one login, one more
/// try per `spacingMs`; a success, or `forgetMs` without a failure, starts afresh. No I/O, time passed in.
struct LoginThrottle: Sendable {
    var freeFailures = 5
    var spacingMs: TimestampMs = 30_000
    var forgetMs: TimestampMs = 15 * 60_000
    /// Bounds the memory a flood of invented logins can take.
    var maxKeys = 10_000
    private var failures: [String: (count: Int, last: TimestampMs)] = [:]

    init() {}

    /// Milliseconds to wait before `key` may try again; nil when it may try now.
    func wait(_ key: String, now: TimestampMs) -> TimestampMs? {
        guard let entry = failures[key], now - entry.last < forgetMs, entry.count >= freeFailures else { return nil }
        let next = entry.last + spacingMs
        return next > now ? next - now : nil
    }

    mutating func failed(_ key: String, now: TimestampMs) {
        if failures.count >= maxKeys { failures = failures.filter { now - $0.value.last < forgetMs } }
        // Still full of recent failures (a flood of invented logins): start afresh rather than grow.
        if failures.count >= maxKeys { failures.removeAll() }
        let old = failures[key].flatMap { now - $0.last < forgetMs ? $0.count : nil } ?? 0
        failures[key] = (old + 1, now)
    }

    mutating func succeeded(_ key: String) { failures[key] = nil }
}
