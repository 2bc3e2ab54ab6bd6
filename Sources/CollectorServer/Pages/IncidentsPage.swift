import Alerting
import Hummingbird
import Storage
import WatchModel

/// `GET /incidents`: the open incidents grouped as the teams receive them (by the routing file's
/// teams, else the site's team, else its district; a node's or a portal's incident with the sites
/// it gathers), with forms to acknowledge, annotate and silence for those who may act; the
/// incidents resolved in the last 24 hours below. `GET /incidents/:id`: one incident's history.
struct IncidentsPage {
    let access: any AccessStore
    /// nil when the collector runs without alert rules: the page says so.
    let alerting: AlertService?
    let staff: StaffAuthentication
    let pages: any PageAccess

    /// How far back the resolved incidents reach.
    static let recentWindow: TimestampMs = 86_400_000

    func add(to router: Router<BasicRequestContext>) {
        router.get("/incidents") { request, _ -> Response in
            guard let viewer = try await pages.viewer(request) else { return PageLayout.toLogin(request) }
            return try await page(request, viewer: viewer)
        }
        router.get("/incidents/:id") { request, context -> Response in
            guard let viewer = try await pages.viewer(request) else { return PageLayout.toLogin(request) }
            return try await detail(request, id: IncidentRoutes.id(context), viewer: viewer)
        }
        addActions(to: router)
    }

    /// An open incident as the page shows it: the record, where it is, and who receives it.
    struct Row {
        var record: IncidentRecord
        var team: String
        /// Member sites of a node's or portal's incident (its `sites` label); empty for one site's.
        var members: [String]
        var districts: Set<String>
    }

    /// The forms' token when the person may act from the page (support or admin, signed in by a session).
    func csrf(_ request: Request, viewer: PageViewer) async -> String? {
        guard let role = StaffRole(rawValue: viewer.role), role.may(.actOnIncidents) else { return nil }
        return try? await staff.signedIn(request).1.csrfToken
    }

    func page(_ request: Request, viewer: PageViewer, message: (ok: Bool, text: String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = PageLayout.language(request)
        let l = lang.t, e = Html.escape
        let title = l("Sự cố", "Incidents")
        guard let alerting else {
            return PageLayout.page(request, lang, title: title, body: "<h1>\(title)</h1><p>" + l("Bộ thu chạy không có luật cảnh báo (--alert-rules): không có sự cố.",
                                                                                                  "The collector runs without alert rules (--alert-rules): no incidents.") + "</p>")
        }
        let form = PageLayout.form(request)
        let now = WallClock.nowMs()
        let sites = Dictionary(try await access.sites().map { ($0.code, $0) }) { a, _ in a }
        let routing = alerting.dispatcher.withLock { $0.config }
        func team(_ labels: [String: String], members: [String]) -> String {
            var labels = labels
            let first = (labels["site"].map { [$0] } ?? []) + members
            if (labels["district"] ?? "").isEmpty, let d = first.lazy.compactMap({ sites[$0]?.district }).first(where: { !$0.isEmpty }) { labels["district"] = d }
            if let t = routing.team(for: labels) { return t.name }
            if let t = first.lazy.compactMap({ sites[$0]?.team }).first(where: { !$0.isEmpty }) { return t }
            return labels["district"] ?? ""
        }
        func row(_ r: IncidentRecord) -> Row {
            let members = (r.labels["sites"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var districts = Set(((r.labels["site"].map { [$0] } ?? []) + members).compactMap { sites[$0]?.district })
            if let d = r.labels["district"] { districts.insert(d) }
            return Row(record: r, team: team(r.labels, members: members), members: members, districts: districts)
        }
        // What the evaluator follows now (pending ones are not told yet), and the nodes' and portals'
        // incidents (recorded, not followed one by one) while one of their sites still has that alert.
        let live = try await alerting.incidentList(open: true, site: nil, limit: 10_000).filter { $0.state != "pending" }
        let groups = try await alerting.incidents.incidents(open: true, site: nil, limit: 1_000).filter { r in
            guard r.state != "resolved", r.labels["sites"] != nil else { return false }
            let members = row(r).members
            return live.contains { Self.gathers(r, $0, members: members) }
        }
        var open = (groups + live).map(row)
        let recent = try await alerting.incidents.incidents(open: false, site: nil, limit: 500)
            .filter { $0.state == "resolved" && ($0.resolvedAt ?? 0) >= now - Self.recentWindow }.prefix(100).map(row)
        let teams = Set((open + recent).map(\.team)).sorted()
        let districts = Set(sites.values.map(\.district).filter { !$0.isEmpty }).sorted()
        let chosenTeam = form["team"].flatMap { $0.isEmpty ? nil : $0 }, chosenDistrict = form["district"].flatMap { $0.isEmpty ? nil : $0 }
        func chosen(_ r: Row) -> Bool { (chosenTeam == nil || r.team == chosenTeam) && (chosenDistrict == nil || r.districts.contains(chosenDistrict!)) }
        open = open.filter(chosen)
        let recentShown = recent.filter(chosen)
        let token = await csrf(request, viewer: viewer)
        let silences = await alerting.evaluator.silences.filter { $0.starts <= now && now < $0.ends }

        var b = ""
        if let message { b += "<p class=\"flash \(message.ok ? "ok" : "bad")\" role=\"status\">\(e(message.text))</p>" }
        if let done = form["done"], let text = Self.doneText(done, lang) { b += "<p class=\"flash ok\" role=\"status\">\(e(text))</p>" }
        b += "<h1>\(title) <small>" + l("đang mở", "open") + ": \(open.count)</small></h1>"
        b += "<form class=\"filters\" method=\"get\" action=\"/incidents\">"
        b += Self.select("team", l("Tổ", "Team"), teams, chosenTeam, lang) + Self.select("district", l("Huyện", "District"), districts, chosenDistrict, lang)
        b += "<button>" + l("Lọc", "Filter") + "</button></form>"
        if token == nil {
            b += "<p class=\"muted\"><small>" + l("Vai trò của anh/chị chỉ được xem; nhận xử lý, ghi chú và tạm tắt dành cho tổ hỗ trợ.",
                                                  "Your role may only look; acknowledging, notes and silences are for support staff.") + "</small></p>"
        }
        if open.isEmpty { b += "<p class=\"ok\">" + l("Không có sự cố đang mở.", "No open incident.") + "</p>" }
        // By team; within a team a node's or portal's incident first with the sites it gathers.
        let context = RowContext(lang: lang, sites: sites, token: token, now: now, silences: silences)
        for name in Set(open.map(\.team)).sorted(by: { ($0.isEmpty ? 1 : 0, $0) < ($1.isEmpty ? 1 : 0, $1) }) {
            let mine = open.filter { $0.team == name }
            b += "<section class=\"team\" data-team=\"\(e(name))\"><h2>\(e(name.isEmpty ? l("Chưa phân tổ", "No team") : name)) <small>(\(mine.count))</small></h2>"
            let grouped = mine.filter { !$0.members.isEmpty }
            var shown = Set<String>()
            for g in grouped.sorted(by: Self.order) {
                let inside = mine.filter { $0.members.isEmpty && Self.gathers(g.record, $0.record, members: g.members) }
                shown.formUnion(inside.map(\.record.id))
                b += try await card(g, context, members: inside)
            }
            let rest = mine.filter { $0.members.isEmpty && !shown.contains($0.record.id) }.sorted(by: Self.order)
            for r in rest where !r.record.muted { b += try await card(r, context, members: []) }
            // Not told to the team (a cut line explains them, or a silence): folded away, still there.
            let quiet = rest.filter(\.record.muted)
            if !quiet.isEmpty {
                b += "<details class=\"quiet\"><summary>\(quiet.count) " + l("sự cố không báo (do sự cố khác tại điểm, hoặc đang tạm tắt)",
                                                                       "not told (explained by another incident at the site, or silenced)") + "</summary>"
                for r in quiet { b += try await card(r, context, members: []) }
                b += "</details>"
            }
            b += "</section>"
        }
        b += "<h2>" + l("Đã hết trong 24 giờ qua", "Resolved in the last 24 hours") + " <small>(\(recentShown.count))</small></h2>"
        if recentShown.isEmpty { b += "<p class=\"muted\">" + l("Chưa có.", "None.") + "</p>" } else {
            b += "<div class=\"scroll\"><table class=\"recent\"><thead><tr><th>" + l("Cảnh báo", "Alert") + "</th><th>" + l("Điểm", "Site") + "</th><th>"
                + l("Từ", "Since") + "</th><th>" + l("Hết lúc", "Resolved") + "</th></tr></thead><tbody>"
            for r in recentShown {
                b += "<tr><td><a href=\"\(Self.link(r.record.id, lang))\">\(e(r.record.summary.isEmpty ? r.record.rule : r.record.summary))</a><br><small>\(e(r.record.rule))</small></td>"
                b += "<td>\(place(r, context))</td><td>\(lang.time(r.record.since))</td><td>\(r.record.resolvedAt.map { lang.time($0) } ?? "–")</td></tr>"
            }
            b += "</tbody></table></div>"
        }
        b += "<p class=\"muted\"><small>" + l("Giờ Việt Nam (UTC+7).", "Times in Viet Nam time (UTC+7).") + "</small></p>"
        return PageLayout.page(request, lang, title: title, body: b, status: status)
    }

    /// What every card needs besides its incident.
    struct RowContext {
        let lang: PageLanguage
        let sites: [String: Site]
        let token: String?
        let now: TimestampMs
        let silences: [Silence]
    }

    /// Whether a node's or portal's incident gathers a site's: one of its sites, and its rule's name
    /// with the grouping's suffix (DedicatedLineDown → DedicatedLineDownUpstream, PortalDown → PortalDownEverywhere).
    static func gathers(_ group: IncidentRecord, _ one: IncidentRecord, members: [String]) -> Bool {
        group.rule.hasPrefix(one.rule) && group.rule != one.rule && members.contains(one.labels["site"] ?? "")
    }

    /// Critical first, then the newest.
    static func order(_ a: Row, _ b: Row) -> Bool {
        let rank = ["critical": 0, "warning": 1, "info": 2]
        return (rank[a.record.severity] ?? 3, -a.record.since, a.record.id) < (rank[b.record.severity] ?? 3, -b.record.since, b.record.id)
    }

    /// The site (name linked to its page, code, district), or the node / portal of a grouped incident.
    func place(_ r: Row, _ c: RowContext) -> String {
        let e = Html.escape, lang = c.lang
        if let code = r.record.labels["site"] {
            let site = c.sites[code]
            return "<a href=\"/sites/\(e(Html.query(code)))\(lang.english ? "?lang=en" : "")\">\(e(site?.name ?? code))</a> <small>\(e(code))"
                + (site.map { $0.district.isEmpty ? "" : " · " + e($0.district) } ?? "") + "</small>"
        }
        let what = r.record.labels["upstream"].map { lang.t("Nút ", "Node ") + $0 } ?? r.record.labels["district"].map { lang.t("Huyện ", "District ") + $0 }
            ?? r.record.labels["probe"].map { lang.t("Cổng ", "Portal ") + $0 } ?? ""
        return "<b>\(e(what))</b> <small>\(r.members.count) " + lang.t("điểm", "sites") + "</small>"
    }

    /// One open incident: what, where, since when, its state, who took it, its notes, and the forms.
    func card(_ r: Row, _ c: RowContext, members: [Row]) async throws -> String {
        let e = Html.escape, lang = c.lang, l = lang.t, i = r.record
        var b = "<article class=\"card inc sev-\(e(i.severity))\" data-incident=\"\(e(i.id))\" data-state=\"\(e(i.state))\">"
        b += "<h3><a href=\"\(Self.link(i.id, lang))\">\(e(i.summary.isEmpty ? i.rule : i.summary))</a></h3>"
        b += "<p>\(place(r, c))</p><p><small>\(e(i.rule)) · \(e(i.severity)) · " + l("từ", "since") + " \(lang.time(i.since)) (\(lang.ago(i.since, now: c.now)))</small></p>"
        b += "<p><span class=\"st st-\(e(i.state))\">\(e(SitePage.state(i.state, lang)))</span>"
        if let by = i.acknowledgedBy { b += " <small>" + l("bởi", "by") + " \(e(by))\(i.acknowledgedAt.map { " · " + lang.time($0) } ?? "")</small>" }
        let silence = c.silences.first { s in s.matchers["alertname"] == i.rule && s.matchers["site"] == i.labels["site"] }
        if let silence { b += " <small class=\"muted\">" + l("tạm tắt đến", "silenced until") + " \(lang.time(silence.ends)) (\(e(silence.createdBy)))</small>" }
        else if i.muted { b += " <small class=\"muted\">(" + l("không báo", "not told") + ")</small>" }
        b += "</p>"
        if !r.members.isEmpty {
            b += "<p class=\"members\"><small>" + l("Các điểm", "Sites") + ": " + r.members.map { code in
                "<a href=\"/sites/\(e(Html.query(code)))\(lang.english ? "?lang=en" : "")\">\(e(c.sites[code]?.name ?? code))</a>"
            }.joined(separator: ", ") + "</small></p>"
        }
        let notes = try await alerting?.incidents.history(incident: i.id).filter { $0.kind == "note" || $0.kind == "silenced" || ($0.kind == "acknowledged" && !$0.text.isEmpty) } ?? []
        if !notes.isEmpty {
            b += "<ul class=\"notes\">" + notes.suffix(5).map { n in
                "<li><small>\(lang.time(n.at)) · \(e(n.by))</small> \(e(n.kind == "silenced" ? l("tạm tắt ", "silenced ") + n.text : n.text))</li>"
            }.joined() + "</ul>"
        }
        if let token = c.token { b += forms(i, token: token, lang) }
        for m in members.sorted(by: Self.order) { b += try await card(m, c, members: []) }
        return b + "</article>"
    }

    /// Acknowledge (when firing or flapping), a note, a silence: plain forms, no script.
    func forms(_ i: IncidentRecord, token: String, _ lang: PageLanguage) -> String {
        let e = Html.escape, l = lang.t
        let base = "/incidents/\(e(Html.query(i.id)))"
        let q = lang.english ? "?lang=en" : ""
        let hidden = "<input type=\"hidden\" name=\"csrf\" value=\"\(e(token))\">"
        var b = "<div class=\"acts\">"
        if i.state == "firing" || i.state == "flapping" {
            b += "<form method=\"post\" action=\"\(base)/acknowledge\(q)\" class=\"ack\">\(hidden)<button>" + l("Nhận xử lý", "Acknowledge") + "</button></form>"
        }
        b += "<details><summary>" + l("Ghi chú", "Add note") + "</summary><form method=\"post\" action=\"\(base)/note\(q)\" class=\"note\">\(hidden)"
        b += "<textarea name=\"text\" rows=\"2\" maxlength=\"2000\" required aria-label=\"\(l("Ghi chú", "Note"))\"></textarea><button>" + l("Lưu ghi chú", "Save note") + "</button></form></details>"
        // A node's or portal's incident is silenced site by site (its own silence would match the rule everywhere).
        guard i.labels["site"] != nil else { return b + "</div>" }
        b += "<details><summary>" + l("Tạm tắt", "Silence") + "</summary><form method=\"post\" action=\"\(base)/silence\(q)\" class=\"silence\">\(hidden)"
        b += "<select name=\"for\" aria-label=\"\(l("Thời gian", "Duration"))\"><option value=\"1h\">1 " + l("giờ", "hour") + "</option><option value=\"4h\" selected>4 "
            + l("giờ", "hours") + "</option><option value=\"morning\">" + l("đến 08:00 sáng", "until 08:00 next morning") + "</option></select>"
        b += "<input name=\"reason\" required maxlength=\"500\" placeholder=\"\(l("Lý do", "Reason"))\" aria-label=\"\(l("Lý do", "Reason"))\"><button>" + l("Tạm tắt", "Silence") + "</button></form></details>"
        return b + "</div>"
    }

    /// The incident's own page.
    static func link(_ id: String, _ lang: PageLanguage) -> String {
        "/incidents/" + Html.escape(Html.query(id)) + (lang.english ? "?lang=en" : "")
    }

    static func select(_ name: String, _ label: String, _ values: [String], _ chosen: String?, _ lang: PageLanguage) -> String {
        var b = "<label>\(label)<select name=\"\(name)\"><option value=\"\">" + lang.t("Tất cả", "All") + "</option>"
        for v in values where !v.isEmpty { b += "<option\(v == chosen ? " selected" : "")>\(Html.escape(v))</option>" }
        return b + "</select></label>"
    }

    /// The line shown after a form was taken (`?done=`).
    static func doneText(_ done: String, _ lang: PageLanguage) -> String? {
        switch done {
        case "acknowledged": lang.t("Đã nhận xử lý sự cố.", "Incident acknowledged.")
        case "noted": lang.t("Đã thêm ghi chú.", "Note added.")
        case "silenced": lang.t("Đã tạm tắt cảnh báo.", "Alert silenced.")
        default: nil
        }
    }
}
