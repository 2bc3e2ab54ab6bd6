import Foundation
import Hummingbird
import Storage
import WatchModel

/// `GET /api/v1/outages?site=S&from=&to=`: when each of a site's paths was down, from its probes'
/// `probe_success`: a minute in which every probe of a path that measured failed is a minute of
/// outage; minutes with no result at all are "no data" (office dark, agent stopped, or backlog
/// not yet delivered).
struct OutageRoutes {
    let store: any MetricStore
    static let bucket: TimestampMs = 60_000

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/outages") { request, _ -> Response in try await outages(request) }
    }

    func outages(_ request: Request) async throws -> Response {
        let (values, labels) = QueryRoutes.parameters(request)
        guard let site = labels["site"], !site.isEmpty else { return Reply.error(.badRequest, "'site' is missing") }
        let now = WallClock.nowMs()
        guard let from = QueryRoutes.time(values["from"], default: now - 86_400_000, now: now),
              let to = QueryRoutes.time(values["to"], default: now, now: now), from < to, to - from <= 400 * 86_400_000 else {
            return Reply.error(.badRequest, "'from' < 'to', at most 400 days apart, in epoch milliseconds (or negative seconds from now)")
        }
        // path → minute → (any success, any failure)
        var minutes: [String: [TimestampMs: (up: Bool, down: Bool)]] = [:]
        var measured = Set<TimestampMs>()
        for key in try await store.series(metric: "probe_success", matching: ["site": site]) {
            let path = key[label: "path"] ?? "default"
            for p in try await store.points(key, from: from, to: to) {
                let minute = p.timestamp / Self.bucket * Self.bucket
                var state = minutes[path, default: [:]][minute] ?? (false, false)
                if p.value >= 1 { state.up = true } else { state.down = true }
                minutes[path, default: [:]][minute] = state
                measured.insert(minute)
            }
        }
        var outages: [[String: Any]] = []
        for (path, states) in minutes.sorted(by: { $0.key < $1.key }) {
            let down = states.filter { $0.value.down && !$0.value.up }.keys.sorted()
            for run in Self.runs(down) {
                outages.append(["path": path, "start": run.start, "end": run.end, "minutes": (run.end - run.start) / Self.bucket])
            }
        }
        // Silence longer than five minutes between the first and the last result.
        var silent: [[String: Any]] = []
        let sorted = measured.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) where b - a > 5 * Self.bucket {
            silent.append(["start": a + Self.bucket, "end": b, "minutes": (b - a - Self.bucket) / Self.bucket])
        }
        return Reply.json(["site": site, "from": from, "to": to, "outages": outages, "no_data": silent])
    }

    /// Consecutive minutes as [start, end) runs.
    static func runs(_ minutes: [TimestampMs]) -> [(start: TimestampMs, end: TimestampMs)] {
        var out: [(start: TimestampMs, end: TimestampMs)] = []
        for m in minutes {
            if let last = out.last, last.end == m { out[out.count - 1].end = m + bucket } else { out.append((m, m + bucket)) }
        }
        return out
    }
}
