import Alerting
import Hummingbird
import Storage
import WatchModel

/// The incidents page's forms: acknowledge, note, silence, each through the same AlertService
/// calls as the API, then back to `/incidents` (303, so a reload does not post again). Support and
/// admin only, with the session's CSRF token; a refusal is a page that says why, never a crash.
extension IncidentsPage {
    func addActions(to router: Router<BasicRequestContext>) {
        router.post("/incidents/:id/acknowledge") { request, context -> Response in
            try await act(request, context) { alerting, id, form, person in
                let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard note.count <= 2000 else { throw Self.tooLong }
                _ = try await alerting.acknowledge(incident: id, by: person, note: note)
                return "acknowledged"
            }
        }
        router.post("/incidents/:id/note") { request, context -> Response in
            try await act(request, context) { alerting, id, form, person in
                let text = (form["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { throw ActionRefused(status: .badRequest, vi: "Ghi chú đang trống.", en: "The note is empty.") }
                guard text.count <= 2000 else { throw Self.tooLong }
                try await alerting.addNote(incident: id, by: person, text: text)
                return "noted"
            }
        }
        router.post("/incidents/:id/silence") { request, context -> Response in
            try await act(request, context) { alerting, id, form, person in
                guard try await alerting.incident(id)?.labels["site"] != nil else {
                    throw ActionRefused(status: .badRequest, vi: "Sự cố của nút hoặc cổng được tạm tắt theo từng điểm.", en: "A node's or portal's incident is silenced site by site.")
                }
                let hours = try Self.silenceHours(form["for"] ?? "", now: WallClock.nowMs())
                let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !reason.isEmpty, reason.count <= 500 else {
                    throw ActionRefused(status: .badRequest, vi: "Xin ghi lý do tạm tắt (tối đa 500 ký tự).", en: "Please give the reason for the silence (at most 500 characters).")
                }
                _ = try await alerting.silence(incident: id, by: person, hours: hours, comment: reason)
                return "silenced"
            }
        }
    }

    static let tooLong = ActionRefused(status: .badRequest, vi: "Ghi chú quá dài (tối đa 2000 ký tự).", en: "The note is too long (at most 2000 characters).")

    /// The page's silence choices in hours: `1h`, `4h`, or `morning` (the next 08:00 in Viet Nam).
    static func silenceHours(_ choice: String, now: TimestampMs) throws -> Double {
        switch choice {
        case "1h": return 1
        case "4h": return 4
        case "morning":
            let day: TimestampMs = 86_400_000, eight: TimestampMs = 8 * 3_600_000
            let local = now + PageLanguage.offset
            var next = floorDivide(local, day) * day + eight
            if next <= local { next += day }
            return Double(next - local) / 3_600_000
        default:
            throw ActionRefused(status: .badRequest, vi: "Thời gian tạm tắt không hợp lệ: chọn 1 giờ, 4 giờ hoặc đến 08:00 sáng.",
                                en: "Unknown silence duration '\(choice)': choose 1 hour, 4 hours or until 08:00 next morning.")
        }
    }

    /// Admits the caller (support or admin, CSRF checked), runs `action` and goes back to the list;
    /// what is refused is said on the page with the refusal's status.
    func act(_ request: Request, _ context: BasicRequestContext,
             _ action: @Sendable (AlertService, String, [String: String], String) async throws -> String) async throws -> Response {
        var request = request
        let lang = PageLayout.language(request)
        let caller: Caller
        do { caller = try await staff.require(.actOnIncidents, &request) } catch let refused as AccessRefused {
            return try await refusal(request, refused, lang)
        }
        guard let alerting else {
            return PageLayout.notFound(request, lang, what: lang.t("Bộ thu chạy không có luật cảnh báo.", "The collector runs without alert rules."))
        }
        let form = AcknowledgeRoutes.form(String(buffer: try await request.collectBody(upTo: 1 << 20)))
        do {
            let done = try await action(alerting, IncidentRoutes.id(context), form, caller.personName ?? "admin")
            return Response(status: .seeOther, headers: [.location: "/incidents?done=\(done)" + (lang.english ? "&lang=en" : "")])
        } catch let refused as ActionRefused {
            let viewer = try await pages.viewer(request) ?? PageViewer(name: "admin", role: StaffRole.admin.rawValue)
            return try await page(request, viewer: viewer, message: (false, refused.text(lang.code)), status: refused.status)
        }
    }

    /// Not signed in: to the sign-in page. Signed in but refused: the list (as that person may see
    /// it) with the reason, 403: a role that only reads, or a form without this session's token.
    func refusal(_ request: Request, _ refused: AccessRefused, _ lang: PageLanguage) async throws -> Response {
        guard refused.response.status == .forbidden, let account = try? await staff.signedIn(request).0 else {
            var back = Response(status: .seeOther, headers: [.location: "/login?next=" + Html.query("/incidents")])
            if refused.response.status != .unauthorized { back = refused.response }
            return back
        }
        let text = account.role.may(.actOnIncidents)
            ? lang.t("Biểu mẫu không còn hợp lệ (thiếu hoặc sai mã CSRF của phiên). Hãy tải lại trang rồi thử lại.",
                     "The form is no longer valid (the session's CSRF token is missing or wrong). Reload the page and try again.")
            : lang.t("Vai trò \(account.role.rawValue) chỉ được xem sự cố; nhận xử lý, ghi chú và tạm tắt dành cho tổ hỗ trợ (support) và quản trị (admin).",
                     "The \(account.role.rawValue) role may only look at incidents; acknowledging, notes and silences are for support and admin.")
        guard let viewer = try await pages.viewer(request) else { return refused.response }
        return try await page(request, viewer: viewer, message: (false, text), status: .forbidden)
    }

    /// `GET /incidents/:id`: the incident with its whole history, and the forms.
    func detail(_ request: Request, id: String, viewer: PageViewer) async throws -> Response {
        let lang = PageLayout.language(request)
        let l = lang.t, e = Html.escape
        guard let alerting, let i = try await alerting.incident(id) else {
            return PageLayout.notFound(request, lang, what: l("Không có sự cố này.", "There is no such incident."))
        }
        let sites = Dictionary(try await access.sites().map { ($0.code, $0) }) { a, _ in a }
        let now = WallClock.nowMs()
        let members = (i.labels["sites"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let row = Row(record: i, team: "", members: members, districts: [])
        let token = i.state == "resolved" ? nil : await csrf(request, viewer: viewer)
        let context = RowContext(lang: lang, sites: sites, token: token, now: now,
                                 silences: await alerting.evaluator.silences.filter { $0.starts <= now && now < $0.ends })
        var b = "<p><a href=\"/incidents\(lang.english ? "?lang=en" : "")\">← " + l("Tất cả sự cố", "All incidents") + "</a></p>"
        b += try await card(row, context, members: [])
        if let resolved = i.resolvedAt { b += "<p>" + l("Hết lúc", "Resolved") + " \(lang.time(resolved))</p>" }
        b += "<h2>" + l("Diễn biến", "History") + "</h2><ul class=\"history\">"
        let history = try await alerting.incidents.history(incident: id)
        for entry in history.reversed() {
            b += "<li><small>\(lang.time(entry.at, year: true))</small> <b>\(e(AcknowledgeRoutes.kind(entry.kind, lang.code)))</b> · \(e(entry.by))" + (entry.text.isEmpty ? "" : "<br>\(e(entry.text))") + "</li>"
        }
        if history.isEmpty { b += "<li class=\"muted\">" + l("Chưa có.", "Nothing yet.") + "</li>" }
        b += "</ul>"
        return PageLayout.page(request, lang, title: i.summary.isEmpty ? i.rule : i.summary, body: b)
    }
}
