import Reports
import WatchModel

/// Reports made in the last minutes, by period and district: the page, its CSV and its JSON are
/// asked for one after the other, and a month of a province takes seconds to read (every series'
/// raw points are summarised again). A few minutes old is fresh enough for a planner; late uploads
/// from an agent's spool show up once the entry expires.
actor ReportCache {
    struct Key: Hashable {
        var period: ReportPeriod
        var district: String?
    }

    private var entries: [Key: (made: TimestampMs, report: PlannerReport)] = [:]
    let lifetime: TimestampMs
    let capacity: Int

    init(lifetime: TimestampMs = 5 * 60_000, capacity: Int = 16) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The kept report for `key` if younger than the lifetime, else `make`'s (kept).
    func report(_ key: Key, now: TimestampMs, make: @Sendable () async throws -> PlannerReport) async throws -> PlannerReport {
        if let entry = entries[key], now - entry.made < lifetime { return entry.report }
        let report = try await make()
        entries = entries.filter { now - $0.value.made < lifetime }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.made < $1.value.made })?.key { entries[oldest] = nil }
        entries[key] = (now, report)
        return report
    }
}
