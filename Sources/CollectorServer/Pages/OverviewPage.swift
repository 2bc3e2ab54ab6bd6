import Hummingbird
import Storage
import Synchronization
import WatchModel

/// `GET /`: the province at a glance: every site with its state, counts per state, a map from the
/// sites' coordinates, filtered by district, team and state (a plain GET form, no script).
/// One pass over the registry, the newest path results and the alerting's snapshot: no query per site;
/// that pass is kept for `fresh` (a few seconds), so a team refreshing or filtering the page while the
/// evaluator works through a country of sites does not pay for it again.
struct OverviewPage {
    let access: any AccessStore
    let store: any MetricStore
    let alerts: (any PageAlerts)?
    let pages: any PageAccess
    /// How long one read of every site's state serves the page (states change by the minute).
    var fresh: Duration = .seconds(3)
    private let recent = RecentRows()

    init(access: any AccessStore, store: any MetricStore, alerts: (any PageAlerts)?, pages: any PageAccess) {
        self.access = access
        self.store = store
        self.alerts = alerts
        self.pages = pages
    }

    /// The last read of every site's row and when it was made.
    final class RecentRows: Sendable {
        let kept = Mutex<(read: ContinuousClock.Instant, at: TimestampMs, rows: [Row])?>(nil)
    }

    /// Worst first: the order of the list and of the counts.
    static let order: [SiteState] = [.dark, .lineDownOn4G, .agentStopped, .degraded, .maintenance, .unknown, .ok]

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ -> Response in
            guard try await pages.viewer(request) != nil else { return PageLayout.toLogin(request) }
            return try await overview(request)
        }
    }

    /// One site's line on the overview.
    struct Row: Sendable {
        var site: Site
        var state: SiteState
        var heard: TimestampMs?
        var rtt: Double?
        var loss: Double?
    }

    /// Every site with its state and newest line figures.
    func rows(now: TimestampMs) async throws -> [Row] {
        async let sitesRead = access.sites()
        async let pathRows = store.latestRows(metric: "probe_path_up", site: nil)
        async let rttRows = store.latestRows(metric: "probe_icmp_rtt_median_seconds", site: nil)
        async let lossRows = store.latestRows(metric: "probe_icmp_loss_ratio", site: nil)
        let snapshot = await alerts?.snapshot(now: now) ?? AlertSnapshot()
        let paths = SiteState.paths(try await pathRows)
        let rtt = Self.worstOnLine(try await rttRows, now: now, quiet: snapshot.quietAfter)
        let loss = Self.worstOnLine(try await lossRows, now: now, quiet: snapshot.quietAfter)
        return try await sitesRead.map { site in
            let p = paths[site.code]
            return Row(site: site, state: SiteState.of(site, paths: p, incidents: snapshot.incidents[site.code] ?? [], alerts: snapshot, now: now),
                       heard: p?.newest, rtt: rtt[site.code], loss: loss[site.code])
        }
    }

    /// Per site, the highest recent value over the dedicated line among its targets.
    static func worstOnLine(_ rows: [LatestRow], now: TimestampMs, quiet: Int64) -> [String: Double] {
        var out: [String: Double] = [:]
        for row in rows where now - row.timestamp < quiet && row.value.isFinite {
            guard SiteState.label("path", in: row.labelsJSON) == "dedicated", let site = SiteState.label("site", in: row.labelsJSON) else { continue }
            out[site] = max(out[site] ?? row.value, row.value)
        }
        return out
    }

    /// Every site's row as of a read at most `fresh` old, and the time of that read.
    func recentRows() async throws -> (at: TimestampMs, rows: [Row]) {
        let clock = ContinuousClock()
        if let kept = recent.kept.withLock({ $0 }), clock.now - kept.read < fresh { return (kept.at, kept.rows) }
        let read = clock.now
        let now = WallClock.nowMs()
        let rows = try await rows(now: now)
        recent.kept.withLock { $0 = (read, now, rows) }
        return (now, rows)
    }

    func overview(_ request: Request) async throws -> Response {
        let lang = PageLayout.language(request)
        let q = PageLayout.form(request)
        let district = q["district"].flatMap { $0.isEmpty ? nil : $0 }
        let team = q["team"].flatMap { $0.isEmpty ? nil : $0 }
        let stateText = q["state"].flatMap { $0.isEmpty ? nil : $0 }
        let state = stateText.flatMap(SiteState.init(rawValue:))
        let clock = ContinuousClock()
        let started = clock.now
        let (now, all) = try await recentRows()
        let read = clock.now - started
        let area = all.filter { (district == nil || $0.site.district == district) && (team == nil || $0.site.team == team) }
        let rank = Dictionary(uniqueKeysWithValues: Self.order.enumerated().map { ($0.element, $0.offset) })
        let shown = area.filter { state == nil || $0.state == state }
            .sorted { (rank[$0.state]!, $0.site.name, $0.site.code) < (rank[$1.state]!, $1.site.name, $1.site.code) }
        let e = Html.escape
        let l = lang.t
        var b = "<h1>" + l("Tổng quan tỉnh", "Province overview") + " <small>\(area.count) " + l("điểm", "sites") + " · "
            + lang.time(now) + " (UTC+7)</small></h1>"
        if stateText != nil && state == nil {
            b += "<p class=\"bad\">" + l("Trạng thái không hợp lệ: ", "Unknown state: ") + e(stateText!) + "</p>"
        }

        // Filters: a plain form, so it works without script on any phone.
        func options(_ values: [String], _ chosen: String?) -> String {
            "<option value=\"\">" + l("Tất cả", "All") + "</option>" + values.map {
                "<option value=\"\(e($0))\"\($0 == chosen ? " selected" : "")>\(e($0))</option>"
            }.joined()
        }
        let districts = Set(all.map(\.site.district)).filter { !$0.isEmpty }.sorted()
        let teams = Set(all.map(\.site.team)).filter { !$0.isEmpty }.sorted()
        b += "<form class=\"filters\" method=\"get\" action=\"/\">"
        if lang.english { b += "<input type=\"hidden\" name=\"lang\" value=\"en\">" }
        b += "<label>" + l("Huyện/khu vực", "District") + "<select name=\"district\">" + options(districts, district) + "</select></label>"
        b += "<label>" + l("Đội", "Team") + "<select name=\"team\">" + options(teams, team) + "</select></label>"
        b += "<label>" + l("Trạng thái", "State") + "<select name=\"state\"><option value=\"\">" + l("Tất cả", "All") + "</option>"
        for s in Self.order { b += "<option value=\"\(s.rawValue)\"\(s == state ? " selected" : "")>\(s.text(lang))</option>" }
        b += "</select></label><button type=\"submit\">" + l("Lọc", "Filter") + "</button></form>"

        // Counts per state in the chosen area, each a link to that state.
        var base: [String] = []
        if let district { base.append("district=" + Html.query(district)) }
        if let team { base.append("team=" + Html.query(team)) }
        if lang.english { base.append("lang=en") }
        b += "<ul class=\"counts\">"
        var counts: [SiteState: Int] = [:]
        for r in area { counts[r.state, default: 0] += 1 }
        for s in Self.order {
            let n = counts[s] ?? 0
            guard n > 0 || s == .ok else { continue }
            let link = "/?" + (base + ["state=" + s.rawValue]).joined(separator: "&")
            b += "<li><a href=\"\(e(link))\" data-state=\"\(s.rawValue)\"><span class=\"dot s-\(s.rawValue)\"></span>\(s.text(lang)): <b>\(n)</b></a></li>"
        }
        b += "</ul><div class=\"grid two\"><div class=\"scroll\"><table class=\"stack\"><thead><tr><th>" + l("Điểm", "Site") + "</th><th>" + l("Trạng thái", "State")
            + "</th><th>" + l("Huyện", "District") + "</th><th>" + l("Đội", "Team") + "</th><th class=\"n\">" + l("Trễ", "RTT")
            + "</th><th class=\"n\">" + l("Mất gói", "Loss") + "</th><th>" + l("Báo lần cuối", "Last heard") + "</th></tr></thead><tbody>"
        let suffix = lang.english ? "?lang=en" : ""
        let (rttLabel, lossLabel, heardLabel) = (l("Trễ", "RTT"), l("Mất gói", "Loss"), l("Báo lần cuối", "Last heard"))
        for r in shown {
            // data-l: the column's name, shown before the value where a phone lays the row out as a card.
            b += "<tr data-site=\"\(e(r.site.code))\"><td class=\"main\"><a href=\"/sites/\(e(Html.query(r.site.code)))\(suffix)\">\(e(r.site.name))</a> <small>\(e(r.site.code))</small></td>"
            b += "<td><span class=\"dot s-\(r.state.rawValue)\"></span>\(r.state.text(lang))</td><td>\(e(r.site.district))</td><td>\(e(r.site.team))</td>"
            b += "<td class=\"n\" data-l=\"\(rttLabel)\">\(lang.ms(r.rtt))</td><td class=\"n\" data-l=\"\(lossLabel)\">\(lang.percent(r.loss))</td>"
            b += "<td data-l=\"\(heardLabel)\">\(r.heard.map { lang.ago($0, now: now) } ?? "–")</td></tr>"
        }
        if shown.isEmpty { b += "<tr><td colspan=\"7\">" + l("Không có điểm nào khớp bộ lọc.", "No site matches the filters.") + "</td></tr>" }
        b += "</tbody></table></div><div>" + SiteMap.svg(shown.map { ($0.site, $0.state) }, lang: lang) + "</div></div>"
        // Server-Timing: what the reads and the writing cost (browsers' developer tools and scripts/bench-pages show it).
        let written = clock.now - started - read
        return PageLayout.page(request, lang, title: l("Tổng quan", "Overview"), body: b,
                               timing: "read;dur=\(Self.ms(read)), render;dur=\(Self.ms(written))")
    }

    static func ms(_ d: Duration) -> String {
        let (seconds, attoseconds) = d.components
        return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
