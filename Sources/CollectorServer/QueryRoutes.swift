import Foundation
import Hummingbird
import Storage
import WatchModel

/// The query API (docs/api.md): range with step and aggregation, latest value per series, events.
/// Any query parameter that is not one of the reserved names matches a label.
struct QueryRoutes {
    let store: any MetricStore
    static let reserved: Set<String> = ["metric", "from", "to", "step", "agg", "limit", "res"]

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/query_range") { request, _ -> Response in try await range(request) }
        router.get("/api/v1/latest") { request, _ -> Response in try await latest(request) }
        router.get("/api/v1/events") { request, _ -> Response in try await events(request) }
    }

    static func parameters(_ request: Request) -> (values: [String: String], labels: [String: String]) {
        var values: [String: String] = [:], labels: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let k = String(key).removingPercentEncoding ?? String(key), v = String(value).removingPercentEncoding ?? String(value)
            if reserved.contains(k) { values[k] = v } else { labels[k] = v }
        }
        return (values, labels)
    }

    /// A series' labels as a JSON object for a reply.
    static func labels(_ key: SeriesKey) -> [String: String] {
        Dictionary(key.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Milliseconds since the epoch, or seconds relative to now when negative ("-3600" = an hour ago).
    static func time(_ text: String?, default value: TimestampMs, now: TimestampMs) -> TimestampMs? {
        guard let text else { return value }
        guard let number = Int64(text) else { return nil }
        return number < 0 ? now + number * 1000 : number
    }

    func range(_ request: Request) async throws -> Response {
        let (values, labels) = Self.parameters(request)
        guard let metric = values["metric"], !metric.isEmpty else { return Reply.error(.badRequest, "'metric' is missing") }
        let now = WallClock.nowMs()
        guard let from = Self.time(values["from"], default: now - 3_600_000, now: now),
              let to = Self.time(values["to"], default: now, now: now), from <= to else {
            return Reply.error(.badRequest, "'from' and 'to' are epoch milliseconds (or negative seconds from now), from ≤ to")
        }
        let step = values["step"].map { Int64($0) } ?? 0
        guard let step, step >= 0 else { return Reply.error(.badRequest, "'step' is a number of milliseconds") }
        guard let aggregation = Downsample.Aggregation(rawValue: values["agg"] ?? "mean") else {
            return Reply.error(.badRequest, "'agg' is one of \(Downsample.Aggregation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let resolution: Int64?
        switch values["res"] {
        case nil, "raw": resolution = nil
        case "5m": resolution = Rollup.fiveMinutes
        case "1h": resolution = Rollup.hour
        case let other?: return Reply.error(.badRequest, "'res' is raw, 5m or 1h, not '\(other)'")
        }
        var result: [[String: Any]] = []
        if let resolution {
            // Rollups (kept for a year at 5 minutes, five years at an hour): one row per bucket.
            guard step == 0 || step >= resolution else {
                return Reply.error(.badRequest, "'step' with 'res' is at least the resolution (\(resolution) ms)")
            }
            for key in try await store.series(metric: metric, matching: labels) {
                var rows = try await store.rollups(key, resolution: resolution, from: from, to: to)
                // Longer spans (a day, a week) merge the buckets; the p95 then comes from their sketches.
                if step > resolution { rows = Rollup.regroup(rows, from: from / resolution * resolution, step: step) }
                result.append(["metric": key.metric, "labels": Self.labels(key),
                               "rollups": rows.map { ["start": $0.start, "count": $0.count, "mean": $0.mean, "min": $0.min, "max": $0.max, "p95": $0.p95] }])
            }
            return Reply.json(["series": result, "resolution": values["res"]!])
        }
        for key in try await store.series(metric: metric, matching: labels) {
            let points = try await store.points(key, from: from, to: to)
            let rows = step > 0 ? Downsample.buckets(points, from: from, to: to, step: step, aggregation)
                                : points.map { ($0.timestamp, $0.value) }
            result.append(["metric": key.metric, "labels": Self.labels(key),
                           "points": rows.map { [$0.0, $0.1] }])
        }
        return Reply.json(["series": result])
    }

    func latest(_ request: Request) async throws -> Response {
        let (values, labels) = Self.parameters(request)
        guard let metric = values["metric"], !metric.isEmpty else { return Reply.error(.badRequest, "'metric' is missing") }
        // Written directly: the stored label text is already a JSON object, and a label set is
        // parsed only when the query matches on more than the site.
        let others = labels.filter { $0.key != "site" }
        var body = "{\"series\":["
        var first = true
        for row in try await store.latestRows(metric: metric, site: labels["site"]) {
            if !others.isEmpty {
                let decoded = LabelText.decode(row.labelsJSON)
                guard others.allSatisfy({ decoded[$0.key] == $0.value }) else { continue }
            }
            body += (first ? "" : ",") + "{\"metric\":" + JSONWriter.quote(metric) + ",\"labels\":" + row.labelsJSON
                + ",\"timestamp\":\(row.timestamp),\"value\":" + JSONWriter.number(row.value) + "}"
            first = false
        }
        body += "]}"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    func events(_ request: Request) async throws -> Response {
        let (values, labels) = Self.parameters(request)
        let now = WallClock.nowMs()
        guard let from = Self.time(values["from"], default: now - 7 * 86_400_000, now: now),
              let to = Self.time(values["to"], default: now, now: now) else {
            return Reply.error(.badRequest, "'from' and 'to' are epoch milliseconds (or negative seconds from now)")
        }
        let limit = min(Int(values["limit"] ?? "") ?? 100, 10_000)
        let events = try await store.events(site: labels["site"], from: from, to: to, limit: limit)
        return Reply.json(["events": events.map { e -> [String: Any] in
            var object: [String: Any] = ["timestamp": e.timestamp, "kind": e.kind, "labels": e.labels, "text": e.text]
            if let document = e.document { object["document"] = document }
            return object
        }])
    }
}
