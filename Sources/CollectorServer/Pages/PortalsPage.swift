import Hummingbird
import Storage
import WatchModel

/// `GET /portals`: each government portal's latency and availability over the last 24 hours as
/// every site sees it, so a portal problem (slow from most sites) is told from a last-mile problem
/// (slow from one commune) at a glance.
struct PortalsPage {
    let access: any AccessStore
    let store: any MetricStore
    let pages: any PageAccess

    /// A site is in trouble with a portal above the PortalSlow rule's p95 (5 s) or below this availability.
    static let slowP95 = 5.0
    static let poorAvailability = 0.95
    /// Most sites in trouble: the portal itself.
    static let portalShare = 0.5

    func add(to router: Router<BasicRequestContext>) {
        router.get("/portals") { request, _ -> Response in
            guard try await pages.viewer(request) != nil else { return PageLayout.toLogin(request) }
            return try await page(request)
        }
    }

    /// One portal as one site saw it over the day.
    struct SiteView {
        var site: String
        var latency = QuantileSketch()
        var count = 0
        var ok = 0.0
        var tries = 0
        var median: Double? { count > 0 ? latency.quantile(0.5) : nil }
        var p95: Double? { count > 0 ? latency.quantile(0.95) : nil }
        var availability: Double? { tries > 0 ? ok / Double(tries) : nil }
        var troubled: Bool { (p95 ?? 0) > PortalsPage.slowP95 || (availability ?? 1) < PortalsPage.poorAvailability }
    }

    /// portal target → site → what it saw, from the hourly summaries of the day.
    func views(from: TimestampMs, to: TimestampMs) async throws -> (names: [String: String], views: [String: [String: SiteView]]) {
        var names: [String: String] = [:]
        var views: [String: [String: SiteView]] = [:]
        for key in try await store.series(metric: "probe_http_total_seconds", matching: [:]) {
            guard let target = key[label: "target"], let site = key[label: "site"] else { continue }
            names[target] = names[target] ?? key[label: "probe"]
            var v = views[target]?[site] ?? SiteView(site: site)
            for r in try await store.rollups(key, resolution: Rollup.hour, from: from, to: to) where r.count > 0 {
                v.latency.merge(r.sketch)
                v.count += r.count
            }
            views[target, default: [:]][site] = v
        }
        for key in try await store.series(metric: "probe_success", matching: ["kind": "http"]) {
            guard let target = key[label: "target"], let site = key[label: "site"] else { continue }
            names[target] = names[target] ?? key[label: "probe"]
            var v = views[target]?[site] ?? SiteView(site: site)
            for r in try await store.rollups(key, resolution: Rollup.hour, from: from, to: to) where r.count > 0 {
                v.ok += r.sum
                v.tries += r.count
            }
            views[target, default: [:]][site] = v
        }
        return (names, views)
    }

    func page(_ request: Request) async throws -> Response {
        let lang = PageLayout.language(request)
        let l = lang.t, e = Html.escape
        let now = WallClock.nowMs()
        let (names, views) = try await views(from: now - 86_400_000, to: now)
        let sites = Dictionary(try await access.sites().map { ($0.code, $0) }) { a, _ in a }
        var b = "<h1>" + l("Cổng dịch vụ công", "Government portals") + " <small>" + l("24 giờ qua, nhìn từ mọi điểm", "last 24 hours, as every site sees them") + "</small></h1>"
        b += "<p class=\"muted\"><small>" + l("Một điểm gặp sự cố với cổng khi p95 > 5 s hoặc tỉ lệ truy cập được < 95 %. Phần lớn các điểm gặp sự cố: lỗi ở phía cổng; chỉ vài điểm: lỗi đường truyền của các điểm đó.",
                                            "A site is in trouble with a portal when its p95 is above 5 s or it reaches it less than 95 % of the time. Most sites in trouble: the portal; a few: those sites' last mile.") + "</small></p>"
        guard !views.isEmpty else { return PageLayout.page(request, lang, title: l("Cổng dịch vụ", "Portals"), body: b + "<p>" + l("Chưa đo cổng dịch vụ nào.", "No portal measured yet.") + "</p>") }
        b += "<div class=\"scroll\"><table class=\"stack\"><thead><tr><th>" + l("Cổng", "Portal") + "</th><th class=\"n\">" + l("Số điểm", "Sites") + "</th><th class=\"n\">"
            + l("Trung vị", "Median") + "</th><th class=\"n\">p95</th><th class=\"n\">" + l("Truy cập được", "Availability") + "</th><th>" + l("Nhận định", "Verdict") + "</th></tr></thead><tbody>"
        let suffix = lang.english ? "?lang=en" : ""
        for target in views.keys.sorted() {
            let perSite = views[target]!.values.sorted { $0.site < $1.site }
            var all = QuantileSketch(), count = 0, ok = 0.0, tries = 0
            for v in perSite { all.merge(v.latency); count += v.count; ok += v.ok; tries += v.tries }
            let troubled = perSite.filter(\.troubled)
            let share = Double(troubled.count) / Double(max(perSite.count, 1))
            let verdict: String
            if troubled.isEmpty {
                verdict = "<span class=\"ok\">" + l("bình thường", "fine") + "</span>"
            } else if share >= Self.portalShare {
                verdict = "<span class=\"bad\" data-verdict=\"portal\">" + l("lỗi ở cổng", "the portal") + "</span> <small>(\(troubled.count)/\(perSite.count) " + l("điểm", "sites") + ")</small>"
            } else {
                verdict = "<span class=\"warn\" data-verdict=\"last-mile\">" + l("đường truyền của ", "last mile of ") + troubled.prefix(5).map { v in
                    "<a href=\"/sites/\(e(Html.query(v.site)))\(suffix)\">\(e(sites[v.site]?.name ?? v.site))</a>"
                }.joined(separator: ", ") + (troubled.count > 5 ? " …" : "") + "</span>"
            }
            // data-l: the column's name, shown before the value where a phone lays the row out as a card.
            b += "<tr data-portal=\"\(e(target))\"><td class=\"main\"><b>\(e(names[target] ?? target))</b><br><small>\(e(target))</small></td><td class=\"n\" data-l=\"\(l("Số điểm", "Sites"))\">\(perSite.count)</td>"
            b += "<td class=\"n\" data-l=\"\(l("Trung vị", "Median"))\">\(lang.ms(count > 0 ? all.quantile(0.5) : nil))</td><td class=\"n\" data-l=\"p95\">\(lang.ms(count > 0 ? all.quantile(0.95) : nil))</td>"
            b += "<td class=\"n\" data-l=\"\(l("Truy cập được", "Availability"))\">\(lang.percent(tries > 0 ? ok / Double(tries) : nil))</td><td class=\"main\">\(verdict)</td></tr>"
            // Every site's view, folded (a <details> opens without script).
            b += "<tr class=\"more\"><td colspan=\"6\" class=\"main\"><details><summary>" + l("Từng điểm", "Per site") + "</summary><table><tbody>"
            for v in perSite.sorted(by: { ($0.troubled ? 0 : 1, $0.site) < ($1.troubled ? 0 : 1, $1.site) }) {
                b += "<tr\(v.troubled ? " class=\"warn\"" : "")><td><a href=\"/sites/\(e(Html.query(v.site)))\(suffix)\">\(e(sites[v.site]?.name ?? v.site))</a></td>"
                b += "<td class=\"n\">\(lang.ms(v.median))</td><td class=\"n\">\(lang.ms(v.p95))</td><td class=\"n\">\(lang.percent(v.availability))</td></tr>"
            }
            b += "</tbody></table></details></td></tr>"
        }
        b += "</tbody></table></div>"
        return PageLayout.page(request, lang, title: l("Cổng dịch vụ", "Portals"), body: b)
    }
}
