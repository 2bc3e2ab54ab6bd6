import Alerting
import Foundation
import Hummingbird
import Notifiers
import Storage
import WatchModel

/// Incidents for the support teams: the open ones, acknowledging, and the delivery log (admin token).
struct IncidentRoutes {
    let access: any AccessStore
    let alerting: AlertService

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/incidents") { request, _ -> Response in
            guard try await access.admits(request) else { return Reply.error(.unauthorized, "the admin token is required") }
            let open = await alerting.evaluator.openIncidents()
            return Reply.json(["incidents": open.map { i -> [String: Any] in
                var object: [String: Any] = ["key": i.key, "alert": i.rule, "labels": i.labels, "state": i.phase.rawValue]
                if let since = i.since { object["since"] = since }
                if let by = i.acknowledgedBy { object["acknowledged_by"] = by }
                if let value = i.value { object["value"] = value }
                if i.muted { object["muted"] = true }
                return object
            }])
        }
        router.post("/api/v1/incidents/acknowledge") { request, context -> Response in
            guard try await access.admits(request) else { return Reply.error(.unauthorized, "the admin token is required") }
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
                  let key = object["key"] as? String, let by = object["by"] as? String, !by.isEmpty else {
                return Reply.error(.badRequest, "expected {\"key\": INCIDENT_KEY, \"by\": NAME}")
            }
            let notices = await alerting.evaluator.acknowledge(key: key, by: by, now: WallClock.nowMs())
            guard !notices.isEmpty else { return Reply.error(.notFound, "no firing or flapping incident '\(key)'") }
            await alerting.queue.send(notices)
            return Reply.json(["acknowledged": key, "by": by])
        }
        router.post("/api/v1/silences") { request, _ -> Response in
            guard try await access.admits(request) else { return Reply.error(.unauthorized, "the admin token is required") }
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
                  let matchers = object["matchers"] as? [String: String], !matchers.isEmpty,
                  let by = object["by"] as? String, !by.isEmpty else {
                return Reply.error(.badRequest, "expected {\"matchers\": {LABEL: VALUE, …}, \"by\": NAME, \"ends\": MS or \"minutes\": N, \"starts\": MS, \"comment\": TEXT}")
            }
            let now = WallClock.nowMs()
            let starts = (object["starts"] as? NSNumber)?.int64Value ?? now
            let ends = (object["ends"] as? NSNumber)?.int64Value ?? (object["minutes"] as? NSNumber).map { starts + $0.int64Value * 60_000 }
            guard let ends, ends > starts, ends - starts <= 31 * 86_400_000 else {
                return Reply.error(.badRequest, "a silence needs 'ends' (epoch ms) or 'minutes', after its start and at most 31 days long")
            }
            let silence = Silence(id: RandomHex.make(bytes: 8), matchers: matchers, starts: starts, ends: ends, createdBy: by,
                                  comment: object["comment"] as? String ?? "")
            await alerting.evaluator.silence(silence)
            return Reply.json(["silence": Self.json(silence)], status: .created)
        }
        router.get("/api/v1/silences") { request, _ -> Response in
            guard try await access.admits(request) else { return Reply.error(.unauthorized, "the admin token is required") }
            let now = WallClock.nowMs()
            return Reply.json(["silences": await alerting.evaluator.silences.filter { $0.ends > now }.map(Self.json)])
        }
        router.delete("/api/v1/silences/:id") { request, context -> Response in
            guard try await access.admits(request) else { return Reply.error(.unauthorized, "the admin token is required") }
            let id = context.parameters.get("id") ?? ""
            guard await alerting.evaluator.expire(silence: id, now: WallClock.nowMs()) else { return Reply.error(.notFound, "no silence '\(id)'") }
            return Reply.json(["expired": id])
        }
        router.get("/api/v1/deliveries") { request, _ -> Response in
            guard try await access.admits(request) else { return Reply.error(.unauthorized, "the admin token is required") }
            let log = await alerting.queue.log
            return Reply.json(["deliveries": log.suffix(1000).map { a -> [String: Any] in
                var object: [String: Any] = ["time": a.time, "receiver": a.receiver, "alert": a.alert, "change": a.change,
                                             "attempt": a.attempt, "delivered": a.error == nil]
                if let error = a.error { object["error"] = error }
                return object
            }])
        }
    }

    static func json(_ s: Silence) -> [String: Any] {
        ["id": s.id, "matchers": s.matchers, "starts": s.starts, "ends": s.ends, "created_by": s.createdBy, "comment": s.comment]
    }
}
