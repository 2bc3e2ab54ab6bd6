import Foundation
import Hummingbird
import Reports
import Storage
import WatchModel

/// `GET /api/v1/outages?site=S&from=&to=`: when each of a site's paths was down, from its probes'
/// `probe_success`: a minute in which every probe of a path that measured failed is a minute of
/// outage; minutes with no result at all are "no data" (office dark, agent stopped, or backlog
/// not yet delivered). The derivation is `LineTimeline`'s, shared with the planner report.
struct OutageRoutes {
    let store: any MetricStore

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
        var timeline = LineTimeline()
        for key in try await store.series(metric: "probe_success", matching: ["site": site]) {
            timeline.add(path: key[label: "path"] ?? "default", points: try await store.points(key, from: from, to: to))
        }
        let outages: [[String: Any]] = timeline.outages.map { ["path": $0.path, "start": $0.start, "end": $0.end, "minutes": $0.minutes] }
        // Silence longer than five minutes between the first and the last result.
        let silent: [[String: Any]] = timeline.silences(longerThan: 5 * LineTimeline.minute).map {
            ["start": $0.start, "end": $0.end, "minutes": ($0.end - $0.start) / LineTimeline.minute]
        }
        return Reply.json(["site": site, "from": from, "to": to, "outages": outages, "no_data": silent])
    }
}
