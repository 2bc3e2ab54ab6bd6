import Foundation
import Hummingbird
import Reports
import Storage
import WatchModel

/// `GET /report`: the planner report (docs/report.md) for a chosen period and area, ranked, each
/// site's score broken down, with charts; `GET /report.csv` and `GET /api/v1/report` give the same
/// report as a download and as JSON. Only roles that may read reports (planner, admin, the admin
/// token) see it; the others get a 403 page saying who may.
struct ReportPage {
    let access: any AccessStore
    let store: any MetricStore
    let pages: any PageAccess
    let weights: ScoreWeights
    var cache = ReportCache()
    /// Sites read at once: the reads are independent, and SQLite's pool serves several readers.
    static let parallelSites = 4

    func add(to router: Router<BasicRequestContext>) {
        router.get("/report") { request, _ -> Response in
            let lang = PageLayout.language(request)
            guard let viewer = try await pages.viewer(request) else { return PageLayout.toLogin(request) }
            guard Self.mayRead(viewer) else { return forbidden(request, lang, viewer) }
            return try await page(request, lang)
        }
        router.get("/report.csv") { request, _ -> Response in
            let lang = PageLayout.language(request)
            guard let viewer = try await pages.viewer(request) else { return PageLayout.toLogin(request) }
            guard Self.mayRead(viewer) else { return forbidden(request, lang, viewer) }
            let chosen: Chosen
            do { chosen = try await choose(request) } catch let bad as BadQuery {
                return PageLayout.page(request, lang, title: lang.t("Báo cáo", "Report"), body: Self.problem(bad, lang), status: .badRequest)
            }
            let report = try await compute(chosen)
            // The byte order mark: planners open the file in Excel, which reads Vietnamese as UTF-8 only with it.
            let name = "communewatch-report-\(chosen.period.label)-\(Self.slug(chosen.district ?? "province")).csv"
            return PageLayout.compressed(request, Array(report.csv(byteOrderMark: true).utf8), status: .ok, contentType: "text/csv; charset=utf-8",
                                         extra: [.contentDisposition: "attachment; filename=\"\(name)\""])
        }
        router.get("/api/v1/report") { request, _ -> Response in
            guard let viewer = try await pages.viewer(request) else {
                return Reply.error(.unauthorized, "sign in as a planner or admin, or send 'Authorization: Bearer ADMIN_TOKEN'")
            }
            guard Self.mayRead(viewer) else {
                return Reply.error(.forbidden, "signed in as '\(viewer.name)' (\(viewer.role)), who may not read reports (planner or admin)")
            }
            let chosen: Chosen
            do { chosen = try await choose(request) } catch let bad as BadQuery { return Reply.error(.badRequest, bad.english) }
            let report = try await compute(chosen)
            return PageLayout.compressed(request, Array(report.json().utf8), status: .ok, contentType: "application/json")
        }
    }

    static func mayRead(_ viewer: PageViewer) -> Bool { StaffRole(rawValue: viewer.role)?.may(.readReports) == true }

    /// The period and area a request asks for.
    struct Chosen {
        var period: ReportPeriod
        /// Nil: the whole province.
        var district: String?
        /// Every district of the registry, for the form.
        var districts: [String]
    }

    /// A query the report cannot be made from, said in both languages.
    struct BadQuery: Error {
        let vietnamese: String
        let english: String
    }

    /// `period` (2026-03, 2026-Q1, 2026; default: the last full month, or this month while the
    /// data is younger) and `district` (empty: the whole province).
    func choose(_ request: Request) async throws -> Chosen {
        let q = PageLayout.form(request)
        let districts = Set(try await access.sites().map(\.district)).filter { !$0.isEmpty }.sorted()
        let district = q["district"].flatMap { $0.isEmpty ? nil : $0 }
        if let district, !districts.contains(district) {
            throw BadQuery(vietnamese: "Không có huyện \"\(district)\" trong danh sách điểm.", english: "no district '\(district)' in the site registry")
        }
        let period: ReportPeriod
        if let text = q["period"], !text.isEmpty {
            guard let parsed = ReportPeriod(parsing: text) else {
                throw BadQuery(vietnamese: "Kỳ báo cáo \"\(text)\" không hợp lệ: dùng YYYY-MM (tháng), YYYY-Qn (quý) hoặc YYYY (năm).",
                               english: "the period '\(text)' is not YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year)")
            }
            period = parsed
        } else {
            period = try await defaultPeriod(now: WallClock.nowMs())
        }
        return Chosen(period: period, district: district, districts: districts)
    }

    /// The report of the chosen period and area, read a few sites at a time (`PlannerReport.compute`
    /// reads them one by one), or the one made minutes ago.
    func compute(_ chosen: Chosen) async throws -> PlannerReport {
        let area: ReportArea = chosen.district.map { .district($0) } ?? .all
        let (period, weights, store, access) = (chosen.period, weights, store, access)
        return try await cache.report(.init(period: period, district: chosen.district), now: WallClock.nowMs()) {
            let sites = try await access.sites().filter { chosen.district == nil || $0.district == chosen.district }
            var figures: [SiteFigures] = []
            try await withThrowingTaskGroup(of: SiteFigures.self) { group in
                var next = sites.makeIterator()
                for _ in 0..<Self.parallelSites {
                    guard let site = next.next() else { break }
                    group.addTask { try await SiteFigures.collect(site: site, period: period, store: store) }
                }
                while let done = try await group.next() {
                    figures.append(done)
                    if let site = next.next() { group.addTask { try await SiteFigures.collect(site: site, period: period, store: store) } }
                }
            }
            return PlannerReport(period: period, area: area, weights: weights, figures: figures)
        }
    }

    /// The last full month in Vietnam, unless no line result is stored in it yet (a new
    /// installation, the demo): then the month so far.
    func defaultPeriod(now: TimestampMs) async throws -> ReportPeriod {
        let (year, month, _) = ReportPeriod.localDate(now)
        let previous: ReportPeriod = month == 1 ? .month(year: year - 1, month: 12) : .month(year: year, month: month - 1)
        let (from, to) = previous.bounds
        for metric in ["probe_path_up", "probe_success"] {
            for key in try await store.series(metric: metric, matching: ["path": "dedicated"]) {
                if try await store.rollups(key, resolution: Rollup.hour, from: from, to: to - 1).contains(where: { $0.count > 0 }) { return previous }
            }
        }
        return .month(year: year, month: month)
    }

    func page(_ request: Request, _ lang: PageLanguage) async throws -> Response {
        let l = lang.t
        let chosen: Chosen
        do { chosen = try await choose(request) } catch let bad as BadQuery {
            let fallback = Chosen(period: try await defaultPeriod(now: WallClock.nowMs()), district: nil,
                                  districts: Set(try await access.sites().map(\.district)).filter { !$0.isEmpty }.sorted())
            let body = "<h1>" + l("Báo cáo ưu tiên nâng cấp", "Upgrade priority report") + "</h1>" + Self.problem(bad, lang)
                + Self.form(fallback, lang, now: WallClock.nowMs())
            return PageLayout.page(request, lang, title: l("Báo cáo", "Report"), body: body, status: .badRequest)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let report = try await compute(chosen)
        let read = clock.now - started
        let body = Self.body(report, chosen, lang, now: WallClock.nowMs())
        let written = clock.now - started - read
        return PageLayout.page(request, lang, title: l("Báo cáo", "Report"), body: body,
                               timing: "read;dur=\(OverviewPage.ms(read)), render;dur=\(OverviewPage.ms(written))")
    }

    static func problem(_ bad: BadQuery, _ lang: PageLanguage) -> String {
        "<p class=\"bad\" role=\"alert\">" + Html.escape(lang.t(bad.vietnamese, bad.english)) + "</p>"
    }

    func forbidden(_ request: Request, _ lang: PageLanguage, _ viewer: PageViewer) -> Response {
        let l = lang.t, e = Html.escape
        let body = "<h1>" + l("Không có quyền xem báo cáo", "Not allowed to read the report") + "</h1><p>"
            + l("Báo cáo ưu tiên nâng cấp chỉ dành cho vai trò <b>planner</b> (cán bộ quy hoạch) và <b>admin</b>. Bạn đang đăng nhập là ",
                "The upgrade priority report is for the <b>planner</b> and <b>admin</b> roles only. You are signed in as ")
            + "<b>\(e(viewer.name))</b> (\(e(viewer.role))).</p><p><a href=\"/\">" + l("Về trang tổng quan", "Back to the overview") + "</a></p>"
        return PageLayout.page(request, lang, title: l("Không có quyền", "Forbidden"), body: body, status: .forbidden)
    }

    /// An ASCII piece of a file name: "Trà Bồng" → "tra-bong".
    static func slug(_ text: String) -> String {
        let folded = text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var out = ""
        for u in folded.unicodeScalars {
            if u.isASCII, CharacterSet.alphanumerics.contains(u) {
                out.unicodeScalars.append(u)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "area" : out.lowercased()
    }
}
