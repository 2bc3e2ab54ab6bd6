import Alerting
import Foundation
import Hummingbird
import Notifiers
import Storage
import WatchModel

/// Incidents for the support teams: open and past ones with their history, acknowledging, notes,
/// silences, and the delivery log. Reading needs a signed-in viewer (or better); acting on incidents
/// needs support or admin; the admin token may do both. A person acts under their account's name.
struct IncidentRoutes {
    let staff: StaffAuthentication
    let alerting: AlertService

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/incidents", use: staff.allow(.readPages) { request, _, _ -> Response in
            let state = request.uri.queryParameters.get("state") ?? "open"
            guard state == "open" || state == "all" else { return Reply.error(.badRequest, "state is open or all, not '\(state)'") }
            let limit = request.uri.queryParameters.get("limit").map { Int($0) ?? -1 } ?? 500
            guard (1...10_000).contains(limit) else { return Reply.error(.badRequest, "limit is 1…10000") }
            let list = try await alerting.incidentList(open: state == "open", site: request.uri.queryParameters.get("site"), limit: limit)
            return Reply.json(["incidents": list.map(Self.json)])
        })
        router.get("/api/v1/incidents/:id", use: staff.allow(.readPages) { request, context, _ -> Response in
            let id = Self.id(context)
            guard let incident = try await alerting.incident(id) else { return Reply.error(.notFound, "no incident '\(id)'") }
            var object = Self.json(incident)
            object["history"] = try await alerting.incidents.history(incident: id).map { ["at": $0.at, "kind": $0.kind, "by": $0.by, "text": $0.text] }
            object["acknowledge_url"] = alerting.acknowledgeLink(for: id).url
            return Reply.json(["incident": object])
        })
        router.post("/api/v1/incidents/:id/link", use: staff.allow(.actOnIncidents) { request, context, _ -> Response in
            let object = (try? await Reply.object(request, limit: 4096)) ?? [:]
            let id = Self.id(context)
            guard try await alerting.incident(id) != nil else { return Reply.error(.notFound, "no incident '\(id)'") }
            let seconds = (object["seconds"] as? NSNumber)?.int64Value
            if let seconds, !(1...(31 * 86_400)).contains(seconds) { return Reply.error(.badRequest, "seconds is 1…2678400") }
            let link = alerting.acknowledgeLink(for: id, lifetime: seconds.map { .seconds($0) })
            return Reply.json(["url": link.url, "expires": link.expires])
        })
        router.post("/api/v1/incidents/:id/acknowledge", use: staff.allow(.actOnIncidents) { request, context, caller -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request, limit: 64 << 10) } catch let refusal as Refusal { return refusal.reply }
            guard let by = caller.personName ?? (object["by"] as? String), !by.isEmpty else { return Reply.error(.badRequest, "expected {\"by\": NAME, \"note\": TEXT}") }
            do {
                let incident = try await alerting.acknowledge(incident: Self.id(context), by: by, note: object["note"] as? String ?? "")
                return Reply.json(["incident": Self.json(incident)])
            } catch let refused as ActionRefused {
                return Reply.error(refused.status, refused.en)
            }
        })
        router.post("/api/v1/incidents/:id/notes", use: staff.allow(.actOnIncidents) { request, context, caller -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request, limit: 64 << 10) } catch let refusal as Refusal { return refusal.reply }
            guard let by = caller.personName ?? (object["by"] as? String), !by.isEmpty, let text = object["text"] as? String, !text.isEmpty else {
                return Reply.error(.badRequest, "expected {\"by\": NAME, \"text\": NOTE}")
            }
            do {
                try await alerting.addNote(incident: Self.id(context), by: by, text: text)
                return Reply.json(["noted": Self.id(context)], status: .created)
            } catch let refused as ActionRefused {
                return Reply.error(refused.status, refused.en)
            }
        })
        router.post("/api/v1/incidents/:id/silence", use: staff.allow(.actOnIncidents) { request, context, caller -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request, limit: 64 << 10) } catch let refusal as Refusal { return refusal.reply }
            guard let by = caller.personName ?? (object["by"] as? String), !by.isEmpty, let hours = (object["hours"] as? NSNumber)?.doubleValue else {
                return Reply.error(.badRequest, "expected {\"by\": NAME, \"hours\": N, \"comment\": TEXT}")
            }
            do {
                let silence = try await alerting.silence(incident: Self.id(context), by: by, hours: hours, comment: object["comment"] as? String ?? "")
                return Reply.json(["silence": Self.json(silence)], status: .created)
            } catch let refused as ActionRefused {
                return Reply.error(refused.status, refused.en)
            }
        })
        router.post("/api/v1/incidents/acknowledge", use: staff.allow(.actOnIncidents) { request, context, caller -> Response in
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
                  let key = object["key"] as? String, let by = caller.personName ?? (object["by"] as? String), !by.isEmpty else {
                return Reply.error(.badRequest, "expected {\"key\": INCIDENT_KEY, \"by\": NAME}")
            }
            // The same as by id (told, and written to the history); every refusal stays a 404, as it always was.
            guard let view = await alerting.evaluator.openIncidents().first(where: { $0.key == key }),
                  view.phase == .firing || view.phase == .flapping else {
                return Reply.error(.notFound, "no firing or flapping incident '\(key)'")
            }
            do {
                _ = try await alerting.acknowledge(incident: AlertService.id(of: view), by: by)
            } catch let refused as ActionRefused {
                return Reply.error(.notFound, refused.en)
            }
            return Reply.json(["acknowledged": key, "by": by])
        })
        router.post("/api/v1/silences", use: staff.allow(.actOnIncidents) { request, _, caller -> Response in
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
                  let matchers = object["matchers"] as? [String: String], !matchers.isEmpty,
                  let by = caller.personName ?? (object["by"] as? String), !by.isEmpty else {
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
            try await alerting.addSilence(silence)
            return Reply.json(["silence": Self.json(silence)], status: .created)
        })
        router.get("/api/v1/silences", use: staff.allow(.readPages) { request, _, _ -> Response in
            return Reply.json(["silences": try await alerting.currentSilences().map(Self.json)])
        })
        router.delete("/api/v1/silences/:id", use: staff.allow(.actOnIncidents) { request, context, _ -> Response in
            let id = context.parameters.get("id") ?? ""
            guard try await alerting.expireSilence(id: id) else { return Reply.error(.notFound, "no silence '\(id)' on now or to come") }
            return Reply.json(["expired": id])
        })
        // The same as DELETE, for clients that only POST (the CLI).
        router.post("/api/v1/silences/:id/expire", use: staff.allow(.actOnIncidents) { request, context, _ -> Response in
            let id = context.parameters.get("id") ?? ""
            guard try await alerting.expireSilence(id: id) else { return Reply.error(.notFound, "no silence '\(id)' on now or to come") }
            return Reply.json(["expired": id])
        })
        router.get("/api/v1/deliveries", use: staff.allow(.readPages) { request, _, _ -> Response in
            let log = await alerting.queue.log
            return Reply.json(["deliveries": log.suffix(1000).map { a -> [String: Any] in
                var object: [String: Any] = ["time": a.time, "receiver": a.receiver, "alert": a.alert, "change": a.change,
                                             "attempt": a.attempt, "delivered": a.error == nil]
                if let error = a.error { object["error"] = error }
                return object
            }])
        })
    }

    /// The incident id from the path (percent-encoded there: it holds the rule's labels).
    static func id(_ context: BasicRequestContext) -> String {
        let raw = context.parameters.get("id") ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    static func json(_ i: IncidentRecord) -> [String: Any] {
        var object: [String: Any] = ["id": i.id, "key": i.key, "alert": i.rule, "severity": i.severity, "labels": i.labels, "state": i.state,
                                     "since": i.since, "summary": i.summary, "updated": i.updatedAt]
        if let by = i.acknowledgedBy { object["acknowledged_by"] = by }
        if let at = i.acknowledgedAt { object["acknowledged_at"] = at }
        if let at = i.resolvedAt { object["resolved_at"] = at }
        if let value = i.value { object["value"] = value }
        if i.muted { object["muted"] = true }
        return object
    }

    static func json(_ s: Silence) -> [String: Any] {
        ["id": s.id, "matchers": s.matchers, "starts": s.starts, "ends": s.ends, "created_by": s.createdBy, "comment": s.comment]
    }
}
