import Alerting
import Foundation
import Hummingbird
import Storage
import WatchModel

/// What a person may not do to an incident, said in both languages (the page picks one, the API sends English).
struct ActionRefused: Error {
    let status: HTTPResponse.Status
    let vi: String
    let en: String

    func text(_ language: String) -> String { language == "en" ? en : vi }
}

/// What the acknowledge page, the API and the CLI share: acknowledging, notes and silences, each
/// written to the incident's history.
extension AlertService {
    /// The collector's own address, once its port is known, when no public URL was configured.
    func listening(at url: String) { publicURL.withLock { $0 = url } }

    /// The signed, expiring page for the incident (`lifetime`: the configured one when nil).
    func acknowledgeLink(for incident: String, lifetime: Duration? = nil) -> (url: String, expires: TimestampMs) {
        let signed = links.token(for: incident, now: WallClock.nowMs(), lifetime: lifetime)
        return (publicURL.withLock { $0 } + "/ack/" + signed.token, signed.expires)
    }

    /// The incident as it stands: the stored record with what the evaluator follows now laid over
    /// it (or the evaluator's alone, for an incident not recorded yet); nil when neither knows it.
    func incident(_ id: String) async throws -> IncidentRecord? {
        let stored = try await incidents.incident(id: id)
        guard let view = await evaluator.openIncidents().first(where: { Self.id(of: $0) == id }) else { return stored }
        return overlay(view, on: stored, rules: await evaluator.rules)
    }

    /// The incidents the evaluator follows now (`open`), or every recorded one with those laid over; newest first.
    func incidentList(open: Bool, site: String?, limit: Int) async throws -> [IncidentRecord] {
        let live = await evaluator.openIncidents().filter { site == nil || $0.labels["site"] == site }
        let rules = await evaluator.rules
        var byID: [String: IncidentRecord] = [:]
        for r in try await incidents.incidents(open: open, site: site, limit: open ? 10_000 : limit) { byID[r.id] = r }
        // Open: only what the evaluator follows now (a record left open by a restart is not).
        let stored = byID
        if open { byID = [:] }
        for view in live {
            let id = Self.id(of: view)
            byID[id] = overlay(view, on: stored[id], rules: rules)
        }
        return Array(byID.values.sorted { ($0.since, $0.id) > ($1.since, $1.id) }.prefix(limit))
    }

    /// `KEY@SINCE`, as the records are keyed.
    static func id(of view: IncidentView) -> String { "\(view.key)@\(view.since ?? 0)" }

    func overlay(_ view: IncidentView, on stored: IncidentRecord?, rules: [AlertRule]) -> IncidentRecord {
        let now = WallClock.nowMs()
        let rule = rules.first { $0.name == view.rule }
        var r = stored ?? IncidentRecord(id: Self.id(of: view), key: view.key, rule: view.rule, severity: rule?.severity.rawValue ?? "",
                                         labels: view.labels, state: view.phase.rawValue, since: view.since ?? 0, updatedAt: now)
        if r.summary.isEmpty, let rule {
            let notice = AlertNotice(rule: rule, labels: view.labels, change: .fired, value: view.value, since: r.since, at: now, key: view.key)
            r.summary = notice.text("summary", language: language) ?? ""
        }
        r.state = view.phase.rawValue
        r.acknowledgedBy = view.acknowledgedBy ?? r.acknowledgedBy
        r.value = view.value
        r.muted = view.muted
        return r
    }

    func existing(_ id: String) async throws -> IncidentRecord {
        guard let r = try await incident(id) else {
            throw ActionRefused(status: .notFound, vi: "Không tìm thấy sự cố này.", en: "no incident '\(id)'")
        }
        return r
    }

    /// Someone takes the incident: the evaluator stops escalating, the receivers are told, the history says who.
    func acknowledge(incident id: String, by person: String, note: String = "") async throws -> IncidentRecord {
        var r = try await existing(id)
        switch r.state {
        case "resolved":
            throw ActionRefused(status: .gone, vi: "Sự cố đã hết, không cần nhận xử lý.", en: "incident '\(id)' is resolved already")
        case "acknowledged":
            throw ActionRefused(status: .conflict, vi: "\(r.acknowledgedBy ?? "Người khác") đã nhận xử lý sự cố này.",
                                en: "incident '\(id)' was acknowledged already by \(r.acknowledgedBy ?? "someone")")
        case "pending":
            throw ActionRefused(status: .conflict, vi: "Sự cố chưa báo động, chưa thể nhận xử lý.", en: "incident '\(id)' is pending, not firing yet")
        default: break
        }
        let now = WallClock.nowMs()
        let notices = await evaluator.acknowledge(key: r.key, by: person, now: now)
        if notices.isEmpty, let view = await evaluator.openIncidents().first(where: { Self.id(of: $0) == id }) {
            // Someone else was quicker (two phones at once): the first one keeps it.
            throw ActionRefused(status: .conflict, vi: "\(view.acknowledgedBy ?? "Người khác") đã nhận xử lý sự cố này.",
                                en: "incident '\(id)' was acknowledged already by \(view.acknowledgedBy ?? "someone")")
        }
        r.state = "acknowledged"
        r.acknowledgedBy = person
        r.acknowledgedAt = now
        r.updatedAt = now
        try await incidents.save(incident: r)
        try await incidents.append(IncidentEntry(incident: id, at: now, kind: "acknowledged", by: person, text: note))
        // Told when the evaluator follows it; a record it no longer follows (a restart) is still written.
        var told: [AlertNotice] = []
        for notice in notices { told.append(await described(notice)) }
        await tell(told)
        logger.info("incident acknowledged", metadata: ["incident": "\(id)", "by": "\(person)"])
        return r
    }

    /// A line in the incident's history ("the power company says 14:00").
    func addNote(incident id: String, by person: String, text: String) async throws {
        let r = try await existing(id)
        if try await incidents.incident(id: id) == nil { try await incidents.save(incident: r) }
        try await incidents.append(IncidentEntry(incident: id, at: WallClock.nowMs(), kind: "note", by: person, text: text))
    }

    /// No messages about this alert at this site for `hours`; the incident is still kept.
    func silence(incident id: String, by person: String, hours: Double, comment: String) async throws -> Silence {
        let r = try await existing(id)
        guard hours > 0, hours <= 31 * 24 else {
            throw ActionRefused(status: .badRequest, vi: "Số giờ tạm tắt phải từ 0 đến 744.", en: "hours must be more than 0 and at most 744")
        }
        let now = WallClock.nowMs()
        var matchers = ["alertname": r.rule]
        if let site = r.labels["site"] { matchers["site"] = site }
        let silence = Silence(id: RandomHex.make(bytes: 8), matchers: matchers, starts: now, ends: now + TimestampMs(hours * 3_600_000),
                              createdBy: person, comment: comment)
        try await addSilence(silence)
        if try await incidents.incident(id: id) == nil { try await incidents.save(incident: r) }
        let hoursText = hours == hours.rounded() ? String(Int(hours)) : String(format: "%.1f", hours)
        try await incidents.append(IncidentEntry(incident: id, at: now, kind: "silenced", by: person,
                                                 text: "\(hoursText) h" + (comment.isEmpty ? "" : ": \(comment)")))
        return silence
    }
}
