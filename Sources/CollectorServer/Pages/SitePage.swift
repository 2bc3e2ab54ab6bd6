import Hummingbird
import Reports
import Storage
import WatchModel

/// `GET /sites/CODE?range=24h|7d|30d`: what a team looks at before driving out: the line's
/// latency and loss (SmokePing-style), the 4G path and signal, portal timings by phase, the PC
/// and devices with recent changes, the outage timeline, open and past incidents.
struct SitePage {
    let access: any AccessStore
    let store: any MetricStore
    let incidents: any IncidentStore
    let alerts: (any PageAlerts)?
    let pages: any PageAccess

    func add(to router: Router<BasicRequestContext>) {
        router.get("/sites/:code") { request, context -> Response in
            guard try await pages.viewer(request) != nil else { return PageLayout.toLogin(request) }
            let lang = PageLayout.language(request)
            let code = context.parameters.get("code")?.removingPercentEncoding ?? ""
            guard let site = try await access.site(code) else {
                return PageLayout.notFound(request, lang, what: lang.t("Không có điểm '\(code)' trong danh sách.", "No site '\(code)' in the registry."))
            }
            return try await page(request, site, lang)
        }
    }

    /// The span shown and its chart columns: 24 h in 5-minute columns, 7 d hourly, 30 d in 4-hour columns.
    enum Span: String, CaseIterable {
        case day = "24h", week = "7d", month = "30d"
        var length: Int64 { switch self { case .day: 86_400_000; case .week: 7 * 86_400_000; case .month: 30 * 86_400_000 } }
        var resolution: Int64 { self == .day ? Rollup.fiveMinutes : Rollup.hour }
        var step: Int64 { switch self { case .day: Rollup.fiveMinutes; case .week: Rollup.hour; case .month: 4 * Rollup.hour } }
    }

    func page(_ request: Request, _ site: Site, _ lang: PageLanguage) async throws -> Response {
        let now = WallClock.nowMs()
        let span = request.uri.queryParameters.get("range").flatMap(Span.init(rawValue:)) ?? .day
        let from = (now - span.length) / span.step * span.step
        let code = site.code
        let e = Html.escape, l = lang.t
        let snapshot = await alerts?.snapshot(now: now) ?? AlertSnapshot()
        let paths = SiteState.paths(try await store.latestRows(metric: "probe_path_up", site: code))
        let state = SiteState.of(site, paths: paths[code], incidents: snapshot.incidents[code] ?? [], alerts: snapshot, now: now)

        var b = "<h1>\(e(site.name)) <small>\(e(code))</small></h1><p><span class=\"dot s-\(state.rawValue)\"></span><b>\(state.text(lang))</b>"
        if let heard = paths[code]?.newest { b += " · " + l("báo lần cuối ", "last heard ") + lang.ago(heard, now: now) }
        b += "</p><dl class=\"kv\">"
        for (name, value) in [(l("Huyện/khu vực", "District"), site.district), (l("Đội", "Team"), site.team),
                              (l("Nút mạng", "Upstream node"), site.upstream), (l("Liên hệ", "Contacts"), site.contacts)] where !value.isEmpty {
            b += "<dt>\(name)</dt><dd>\(e(value))</dd>"
        }
        b += "</dl><p class=\"tabs\">"
        for s in Span.allCases {
            let link = "/sites/\(Html.query(code))?range=\(s.rawValue)" + (lang.english ? "&lang=en" : "")
            b += s == span ? "<b>\(s.rawValue)</b>" : "<a href=\"\(e(link))\">\(s.rawValue)</a>"
        }
        b += "</p>"

        b += "<h2>" + l("Đường truyền chuyên dùng: độ trễ và mất gói", "Dedicated line: latency and loss") + "</h2>"
        let targets = try await store.series(metric: "probe_icmp_rtt_median_seconds", matching: ["site": code, "path": "dedicated"])
        let lossOnly = try await store.series(metric: "probe_icmp_loss_ratio", matching: ["site": code, "path": "dedicated"])
        if targets.isEmpty && lossOnly.isEmpty { b += "<p class=\"muted\">" + l("Chưa có kết quả ping qua đường chuyên dùng.", "No ping results over the dedicated line yet.") + "</p>" }
        for key in (targets.isEmpty ? lossOnly : targets).prefix(4) {
            func rollups(_ metric: String) async throws -> [Rollup] {
                try await store.rollups(SeriesKey(metric, labels: key.labels), resolution: span.resolution, from: from, to: now)
            }
            let columns = LatencyChart.columns(median: try await rollups("probe_icmp_rtt_median_seconds"), low: try await rollups("probe_icmp_rtt_min_seconds"),
                                               high: try await rollups("probe_icmp_rtt_max_seconds"), loss: try await rollups("probe_icmp_loss_ratio"),
                                               from: from, step: span.step)
            let medians = columns.compactMap(\.median).sorted()
            let losses = columns.compactMap(\.loss)
            b += "<div class=\"card\"><b>\(e(key[label: "probe"] ?? key[label: "target"] ?? ""))</b> <small>\(e(key[label: "target"] ?? ""))</small> · "
                + l("trung vị ", "median ") + lang.ms(medians.isEmpty ? nil : medians[medians.count / 2]) + " · " + l("mất gói TB ", "mean loss ")
                + lang.percent(losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count), 2)
                + LatencyChart(columns: columns, from: from, to: now).svg(lang, step: span.step) + "</div>"
        }
        b += LatencyChart.legend(lang)

        b += try await outages(code, from: from, to: now, lang)
        b += try await backup(code, lang, now: now)
        b += try await portals(code, lang, now: now)
        b += try await inventory(code, lang, now: now)
        b += try await incidentTables(code, lang)
        return PageLayout.page(request, lang, title: site.name, body: b)
    }

    /// Outages of each path, drawn on a time bar (red: down, green: up, blank: no data) and listed.
    func outages(_ code: String, from: TimestampMs, to: TimestampMs, _ lang: PageLanguage) async throws -> String {
        let l = lang.t
        var timeline = LineTimeline()
        for path in ["dedicated", "4g"] {
            var keys = try await store.series(metric: "probe_path_up", matching: ["site": code, "path": path])
            if keys.isEmpty { keys = try await store.series(metric: "probe_success", matching: ["site": code, "path": path]) }
            for key in keys { timeline.add(path: path, points: try await store.points(key, from: from, to: to)) }
        }
        var b = "<h2>" + l("Mất kết nối", "Outages") + "</h2>"
        let width = 720.0, left = 134.0, span = Double(max(to - from, 1))
        func x(_ t: TimestampMs) -> Int { Int(left + Double(t - from) / span * (width - left - 4)) }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) 52\" role=\"img\" aria-label=\"\(l("Dòng thời gian mất kết nối", "Outage timeline"))\">"
        for (row, path) in ["dedicated", "4g"].enumerated() {
            let y = 4 + row * 22
            svg += "<text x=\"0\" y=\"\(y + 12)\">\(path == "dedicated" ? l("Chuyên dùng", "Dedicated") : "4G")</text>"
            svg += "<rect x=\"\(Int(left))\" y=\"\(y)\" width=\"\(Int(width - left - 4))\" height=\"16\" fill=\"#eef1f4\"/>"
            let minutes = (timeline.paths[path] ?? [:])
            for run in LineTimeline.runs(minutes.filter { !$0.value.isOutage }.keys.sorted()) {
                svg += "<rect x=\"\(x(run.start))\" y=\"\(y)\" width=\"\(max(x(run.end) - x(run.start), 1))\" height=\"16\" fill=\"#2a9d5c\"/>"
            }
            for o in timeline.outages(path) {
                svg += "<rect x=\"\(x(o.start))\" y=\"\(y)\" width=\"\(max(x(o.end) - x(o.start), 2))\" height=\"16\" fill=\"#c62828\"><title>\(lang.time(o.start)) \(lang.minutes(o.minutes))</title></rect>"
            }
        }
        b += svg + "</svg>"
        let all = timeline.outages.sorted { $0.start > $1.start }
        if all.isEmpty {
            b += "<p>" + (timeline.has("dedicated") ? l("Không có lần mất kết nối nào trong khoảng này.", "No outage in this span.")
                                                    : l("Chưa có kết quả đường truyền.", "No path results yet.")) + "</p>"
        } else {
            b += "<div class=\"scroll\"><table><thead><tr><th>" + l("Đường", "Path") + "</th><th>" + l("Từ", "From") + "</th><th>" + l("Đến", "To")
                + "</th><th class=\"n\">" + l("Thời lượng", "Duration") + "</th></tr></thead><tbody>"
            for o in all.prefix(30) {
                b += "<tr><td>\(o.path == "dedicated" ? l("Chuyên dùng", "Dedicated") : Html.escape(o.path))</td><td>\(lang.time(o.start))</td><td>\(lang.time(o.end))</td><td class=\"n\">\(lang.minutes(o.minutes))</td></tr>"
            }
            b += "</tbody></table></div>"
        }
        return b
    }

    /// The 4G path: is it up, how good is the signal, which cell serves it.
    func backup(_ code: String, _ lang: PageLanguage, now: TimestampMs) async throws -> String {
        let l = lang.t
        func newest(_ metric: String, _ extra: [String: String] = [:]) async throws -> WirePoint? {
            try await store.latest(metric: metric, matching: extra.merging(["site": code]) { a, _ in a }).map(\.point).max { $0.timestamp < $1.timestamp }
        }
        let up = try await newest("probe_path_up", ["path": "4g"])
        let rsrp = try await newest("probe_modem_rsrp_dbm"), snr = try await newest("probe_modem_snr_db")
        let rsrq = try await newest("probe_modem_rsrq_db"), cell = try await newest("probe_modem_cell_id")
        let tac = try await newest("probe_modem_tracking_area_code"), registered = try await newest("probe_modem_registered")
        var b = "<h2>" + l("Đường 4G dự phòng", "4G backup path") + "</h2>"
        guard [up, rsrp, snr, cell, registered].contains(where: { $0 != nil }) else {
            return b + "<p class=\"muted\">" + l("Chưa có dữ liệu 4G.", "No 4G data yet.") + "</p>"
        }
        func grade(_ v: Double, good: Double, poor: Double) -> String { v >= good ? "ok" : v < poor ? "bad" : "warn" }
        b += "<dl class=\"kv\">"
        if let up { b += "<dt>" + l("Đường 4G", "4G path") + "</dt><dd class=\"\(up.value >= 1 ? "ok" : "bad")\">" + (up.value >= 1 ? l("hoạt động", "up") : l("không hoạt động", "down")) + " <small>\(lang.ago(up.timestamp, now: now))</small></dd>" }
        if let registered { b += "<dt>" + l("Đăng ký mạng", "Registered") + "</dt><dd>" + (registered.value >= 1 ? l("có", "yes") : l("không", "no")) + "</dd>" }
        if let rsrp { b += "<dt>RSRP</dt><dd class=\"\(grade(rsrp.value, good: -90, poor: -110))\">\(lang.number(rsrp.value, 0)) dBm</dd>" }
        if let rsrq { b += "<dt>RSRQ</dt><dd>\(lang.number(rsrq.value, 0)) dB</dd>" }
        if let snr { b += "<dt>SNR</dt><dd class=\"\(grade(snr.value, good: 13, poor: 0))\">\(lang.number(snr.value, 1)) dB</dd>" }
        if let cell { b += "<dt>" + l("Trạm phục vụ (cell id)", "Serving cell") + "</dt><dd>\(Int64(cell.value))" + (tac.map { " · TAC \(Int64($0.value))" } ?? "") + "</dd>" }
        return b + "</dl>"
    }

    /// Each portal's newest timings by phase, as this site sees it.
    func portals(_ code: String, _ lang: PageLanguage, now: TimestampMs) async throws -> String {
        let l = lang.t
        let phases = ["resolve", "connect", "tls", "processing", "transfer"]
        var byTarget: [String: (name: String, phases: [String: Double], at: TimestampMs)] = [:]
        for (key, point) in try await store.latest(metric: "probe_http_duration_seconds", matching: ["site": code]) {
            let target = key[label: "target"] ?? ""
            var entry = byTarget[target] ?? (key[label: "probe"] ?? target, [:], point.timestamp)
            if let phase = key[label: "phase"] { entry.phases[phase] = point.value }
            entry.at = max(entry.at, point.timestamp)
            byTarget[target] = entry
        }
        var totals: [String: Double] = [:], success: [String: Double] = [:]
        for (key, point) in try await store.latest(metric: "probe_http_total_seconds", matching: ["site": code]) { totals[key[label: "target"] ?? ""] = point.value }
        for (key, point) in try await store.latest(metric: "probe_success", matching: ["site": code, "kind": "http"]) { success[key[label: "target"] ?? ""] = point.value }
        var b = "<h2>" + l("Cổng dịch vụ: thời gian theo giai đoạn", "Portals: timings by phase") + "</h2>"
        guard !byTarget.isEmpty || !success.isEmpty else { return b + "<p class=\"muted\">" + l("Chưa đo cổng dịch vụ nào.", "No portal measured yet.") + "</p>" }
        b += "<div class=\"scroll\"><table class=\"stack\"><thead><tr><th>" + l("Cổng", "Portal") + "</th>"
        let names = [l("phân giải", "resolve"), l("kết nối", "connect"), "TLS", l("xử lý", "processing"), l("tải về", "transfer")]
        for n in names { b += "<th class=\"n\">\(n)</th>" }
        b += "<th class=\"n\">" + l("tổng", "total") + "</th><th>" + l("Kết quả", "Result") + "</th></tr></thead><tbody>"
        for target in Set(byTarget.keys).union(success.keys).sorted() {
            let entry = byTarget[target]
            b += "<tr><td class=\"main\">\(Html.escape(entry?.name ?? target))<br><small>\(Html.escape(target))</small></td>"
            for (p, n) in zip(phases, names) { b += "<td class=\"n\" data-l=\"\(n)\">\(lang.ms(entry?.phases[p]))</td>" }
            b += "<td class=\"n\" data-l=\"\(l("tổng", "total"))\"><b>\(lang.ms(totals[target]))</b></td>"
            b += success[target].map { $0 >= 1 ? "<td class=\"ok\">" + l("được", "ok") + "</td>" : "<td class=\"bad\">" + l("lỗi", "failed") + "</td>" } ?? "<td>–</td>"
            b += "</tr>"
        }
        return b + "</tbody></table></div>"
    }

    /// The PC (newest inventory), the devices polled by SNMP, and the last changes seen.
    func inventory(_ code: String, _ lang: PageLanguage, now: TimestampMs) async throws -> String {
        let l = lang.t, e = Html.escape
        let events = try await store.events(site: code, from: now - 30 * 86_400_000, to: now, limit: 200)
        var b = "<h2>" + l("Máy tính và thiết bị", "PC and devices") + "</h2>"
        var inventory = events.first { $0.kind == Event.inventory }
        if inventory == nil { inventory = try await store.events(site: code, from: 0, to: now, limit: 1000).first { $0.kind == Event.inventory } }
        if let hw = inventory.flatMap(Hardware.init(inventory:)) {
            b += "<dl class=\"kv\"><dt>" + l("Tên máy", "Host") + "</dt><dd>\(e(hw.hostname))</dd>"
            if let cpu = hw.cpuModel { b += "<dt>CPU</dt><dd>\(e(cpu))" + (hw.cpuYear.map { " (\($0))" } ?? "") + (hw.cpuCores.map { ", \($0) " + l("luồng", "threads") } ?? "") + "</dd>" }
            if let ram = hw.memoryBytes { b += "<dt>RAM</dt><dd>\(lang.number(Double(ram) / 1_073_741_824, 1)) GiB</dd>" }
            if let disk = hw.diskBytes { b += "<dt>" + l("Ổ đĩa", "Disk") + "</dt><dd>\(lang.number(Double(disk) / 1_000_000_000, 0)) GB" + (hw.diskFreeRatio.map { ", " + l("còn trống ", "free ") + lang.percent($0, 0) } ?? "") + "</dd>" }
            if let os = hw.os { b += "<dt>" + l("Hệ điều hành", "OS") + "</dt><dd>\(e(os))" + (hw.osEndOfLife.map { " · " + l("hết hỗ trợ ", "end of support ") + e($0) } ?? "") + "</dd>" }
            b += "<dt>" + l("Kiểm kê lúc", "Inventory taken") + "</dt><dd>\(lang.time(hw.seen, year: true))</dd></dl>"
        } else {
            b += "<p class=\"muted\">" + l("Chưa có kiểm kê máy tính.", "No PC inventory yet.") + "</p>"
        }
        let devices = try await store.latest(metric: "probe_snmp_uptime_seconds", matching: ["site": code])
        if !devices.isEmpty {
            b += "<div class=\"scroll\"><table><thead><tr><th>" + l("Thiết bị (SNMP)", "Device (SNMP)") + "</th><th class=\"n\">" + l("Thời gian chạy", "Uptime") + "</th></tr></thead><tbody>"
            for (key, point) in devices.sorted(by: { $0.key < $1.key }) {
                b += "<tr><td>\(e(key[label: "probe"] ?? ""))<br><small>\(e(key[label: "target"] ?? ""))</small></td><td class=\"n\">\(lang.minutes(Int(point.value / 60)))</td></tr>"
            }
            b += "</tbody></table></div>"
        }
        let changes = events.filter { $0.kind != Event.inventory || !$0.text.isEmpty }.prefix(15)
        b += "<h2>" + l("Thay đổi gần đây (30 ngày)", "Recent changes (30 days)") + "</h2>"
        if changes.isEmpty { return b + "<p class=\"muted\">" + l("Không có thay đổi.", "No change.") + "</p>" }
        b += "<div class=\"scroll\"><table><tbody>"
        for ev in changes { b += "<tr><td>\(lang.time(ev.timestamp))</td><td>\(e(ev.kind))</td><td>\(e(ev.text))</td></tr>" }
        return b + "</tbody></table></div>"
    }

    /// Open incidents (as the alerting follows them now) and past ones (from the incident store).
    func incidentTables(_ code: String, _ lang: PageLanguage) async throws -> String {
        let l = lang.t, e = Html.escape
        let open: [IncidentRecord]
        if let alerts { open = try await alerts.incidentList(open: true, site: code, limit: 50) } else {
            open = try await incidents.incidents(open: true, site: code, limit: 50)
        }
        let past = try await incidents.incidents(open: false, site: code, limit: 60).filter { $0.state == "resolved" }.prefix(20)
        func table(_ rows: [IncidentRecord]) -> String {
            var t = "<div class=\"scroll\"><table><thead><tr><th>" + l("Cảnh báo", "Alert") + "</th><th>" + l("Trạng thái", "State") + "</th><th>"
                + l("Từ", "Since") + "</th><th>" + l("Đến", "Until") + "</th></tr></thead><tbody>"
            for r in rows {
                t += "<tr><td>\(e(r.summary.isEmpty ? r.rule : r.summary))<br><small>\(e(r.rule)) · \(e(r.severity))</small></td>"
                t += "<td>\(e(Self.state(r.state, lang)))" + (r.acknowledgedBy.map { "<br><small>\(e($0))</small>" } ?? "") + (r.muted ? " <small>(" + l("tắt tiếng", "muted") + ")</small>" : "") + "</td>"
                t += "<td>\(lang.time(r.since))</td><td>\(r.resolvedAt.map { lang.time($0) } ?? "–")</td></tr>"
            }
            return t + "</tbody></table></div>"
        }
        var b = "<h2>" + l("Sự cố đang mở", "Open incidents") + " (\(open.count))</h2>"
        b += open.isEmpty ? "<p>" + l("Không có sự cố đang mở.", "No open incident.") + "</p>" : table(open)
        b += "<h2>" + l("Sự cố đã qua", "Past incidents") + "</h2>"
        b += past.isEmpty ? "<p class=\"muted\">" + l("Chưa có.", "None.") + "</p>" : table(Array(past))
        return b
    }

    static func state(_ state: String, _ lang: PageLanguage) -> String {
        switch state {
        case "pending": lang.t("chờ xác nhận", "pending")
        case "firing": lang.t("đang báo động", "firing")
        case "acknowledged": lang.t("đã nhận xử lý", "acknowledged")
        case "flapping": lang.t("chập chờn", "flapping")
        case "resolved": lang.t("đã hết", "resolved")
        default: state
        }
    }
}
