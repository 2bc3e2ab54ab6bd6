import Reports
import WatchModel

/// The report page's content: the choice of period and area, the exports, the charts, the ranked
/// table with each score's breakdown, and how the score is made.
extension ReportPage {
    static func body(_ report: PlannerReport, _ chosen: Chosen, _ lang: PageLanguage, now: TimestampMs) -> String {
        let l = lang.t, e = Html.escape
        let area = chosen.district ?? l("Toàn tỉnh", "Whole province")
        let ranked = report.rows.filter { $0.rank != nil }
        let (from, to) = report.period.bounds
        var b = "<h1>" + l("Báo cáo ưu tiên nâng cấp", "Upgrade priority report") + " <small data-period=\"\(e(report.period.label))\">"
            + e(report.period.label) + " · " + e(area) + "</small></h1>"
        b += "<p class=\"muted\"><small>" + ReportPeriod.localDateTime(from) + " – " + ReportPeriod.localDateTime(to) + " (UTC+7) · "
            + "\(report.rows.count) " + l("điểm", "sites") + ", \(ranked.count) " + l("được xếp hạng", "ranked")
            + (ranked.count < report.rows.count ? ", \(report.rows.count - ranked.count) " + l("không có dữ liệu", "without data") : "") + "</small></p>"
        b += form(chosen, lang, now: now)
        var query = "period=" + Html.query(report.period.label)
        if let district = chosen.district { query += "&district=" + Html.query(district) }
        b += "<p class=\"actions\"><a id=\"csv\" href=\"/report.csv?\(e(query))\" download>" + l("Tải về CSV", "Download CSV") + "</a>"
            + "<a href=\"/api/v1/report?\(e(query))\">JSON</a><a href=\"#formula\">" + l("Cách tính điểm", "How the score is made") + "</a>"
            + "<small class=\"muted\">" + l("In hoặc lưu PDF: lệnh In của trình duyệt (A4 ngang).", "Print or save as PDF: the browser's Print (A4 landscape).") + "</small></p>"

        guard !ranked.isEmpty else {
            b += "<p>" + l("Không có dữ liệu đo trong kỳ này cho khu vực này.", "No measurements in this period for this area.") + "</p>"
            return b + formula(report.weights, lang)
        }
        b += "<section class=\"report-part\"><h2>" + l("Biểu đồ", "Charts") + "</h2><div class=\"grid two\"><div class=\"card\"><h3>"
            + l("\(min(15, ranked.count)) điểm ưu tiên cao nhất, theo thành phần", "Top \(min(15, ranked.count)) by component") + "</h3>"
            + ReportCharts.top(Array(ranked.prefix(15)), lang) + ReportCharts.legend(lang) + "</div><div class=\"card\"><h3>"
            + l("Độ sẵn sàng đường truyền chuyên dùng", "Dedicated line availability") + "</h3>"
            + ReportCharts.availability(report.rows, lang) + "</div></div></section>"
        b += "<section class=\"report-part\"><h2>" + l("Bảng xếp hạng", "Ranking") + "</h2>" + table(report, lang) + "</section>"
        return b + formula(report.weights, lang)
    }

    /// A plain GET form: one list of periods (months, quarters, years) and the district.
    static func form(_ chosen: Chosen, _ lang: PageLanguage, now: TimestampMs) -> String {
        let l = lang.t, e = Html.escape
        let (year, month, _) = ReportPeriod.localDate(now)
        let months = (0..<24).map { back -> ReportPeriod in
            let n = year * 12 + (month - 1) - back
            return .month(year: n / 12, month: n % 12 + 1)
        }
        let quarters = (0..<8).map { back -> ReportPeriod in
            let n = year * 4 + (month - 1) / 3 - back
            return .quarter(year: n / 4, quarter: n % 4 + 1)
        }
        let years = (0..<3).map { ReportPeriod.year(year - $0) }
        func options(_ periods: [ReportPeriod]) -> String {
            periods.map { "<option value=\"\($0.label)\"\($0 == chosen.period ? " selected" : "")>\($0.label)</option>" }.joined()
        }
        var b = "<form class=\"filters\" method=\"get\" action=\"/report\">"
        if lang.english { b += "<input type=\"hidden\" name=\"lang\" value=\"en\">" }
        b += "<label>" + l("Kỳ báo cáo", "Period") + "<select name=\"period\">"
        if !(months + quarters + years).contains(chosen.period) { b += "<option value=\"\(e(chosen.period.label))\" selected>\(e(chosen.period.label))</option>" }
        b += "<optgroup label=\"" + l("Tháng", "Month") + "\">" + options(months) + "</optgroup>"
        b += "<optgroup label=\"" + l("Quý", "Quarter") + "\">" + options(quarters) + "</optgroup>"
        b += "<optgroup label=\"" + l("Năm", "Year") + "\">" + options(years) + "</optgroup></select></label>"
        b += "<label>" + l("Khu vực", "Area") + "<select name=\"district\"><option value=\"\">" + l("Toàn tỉnh", "Whole province") + "</option>"
        for d in chosen.districts { b += "<option value=\"\(e(d))\"\(d == chosen.district ? " selected" : "")>\(e(d))</option>" }
        return b + "</select></label><button type=\"submit\">" + l("Xem", "Show") + "</button></form>"
    }

    /// The ranked table; under each site a line of its points per component that folds out into
    /// the raw figure, sub-score, weight and points of every component.
    static func table(_ report: PlannerReport, _ lang: PageLanguage) -> String {
        let l = lang.t, e = Html.escape
        let headers = ["#", l("Điểm", "Site"), l("Huyện", "District"), l("Mức ưu tiên", "Score"), l("Sẵn sàng", "Availability"),
                       l("Mất kết nối", "Outages"), l("Giờ 4G", "4G hours"), "RTT p50 / p95", l("Mất gói", "Loss"),
                       l("Sóng 4G", "4G signal"), l("Cổng dịch vụ", "Portals"), l("Phần cứng", "Hardware")]
        var b = "<div class=\"scroll\"><table class=\"report\"><thead><tr>"
        for (i, h) in headers.enumerated() { b += (i == 0 || (3...10).contains(i) ? "<th class=\"n\">" : "<th>") + h + "</th>" }
        b += "</tr></thead><tbody>"
        let suffix = lang.english ? "?lang=en" : ""
        for row in report.rows {
            let f = row.figures, s = f.site, score = row.score
            b += "<tr data-site=\"\(e(s.code))\" data-rank=\"\(row.rank.map(String.init) ?? "")\"><td class=\"n\">\(row.rank.map(String.init) ?? "–")</td>"
            b += "<td><a href=\"/sites/\(e(Html.query(s.code)))\(suffix)\">\(e(s.name))</a><br><small>\(e(s.code))</small></td><td>\(e(s.district))</td>"
            b += "<td class=\"n\"><b data-score>\(score.score.map { lang.number($0, 1) } ?? "–")</b>" + ReportCharts.bar(score, lang)
                + "<small>" + l("dữ liệu ", "data ") + lang.percent(score.coverage, 0) + "</small></td>"
            b += "<td class=\"n\" data-availability>\(lang.percent(f.lineAvailability, 2))</td>"
            b += "<td class=\"n\" data-outages>\(f.outageCount.map(String.init) ?? "–")<br><small>\(f.outageMinutes.map { lang.minutes($0) } ?? "")</small></td>"
            b += "<td class=\"n\">\(f.hoursOn4G.map { lang.number($0, 1) + " h" } ?? "–")</td>"
            b += "<td class=\"n\">\(lang.ms(f.rttP50))<br>\(lang.ms(f.rttP95))</td><td class=\"n\">\(lang.percent(f.lossMean, 2))</td>"
            b += "<td class=\"n\">" + (f.rsrpMedian.map { lang.number($0, 0) + " dBm" } ?? "–") + "<br>" + (f.snrMedian.map { "SNR " + lang.number($0, 0) + " dB" } ?? "")
                + (f.poorSignalShare.map { "<br><small>" + l("yếu ", "poor ") + lang.percent($0, 0) + "</small>" } ?? "") + "</td>"
            b += "<td class=\"n\">" + (f.portalMedianSeconds.map { lang.number($0, 1) + " s" } ?? "–") + "<br>" + lang.percent(f.portalAvailability, 1) + "</td>"
            b += "<td>" + hardware(f.hardware, lang) + "</td></tr>"
            b += "<tr class=\"parts\"><td colspan=\"\(headers.count)\">" + breakdown(score, lang) + "</td></tr>"
        }
        return b + "</tbody></table></div>"
    }

    /// The summary line (the points of each component with data) and, folded, every component.
    static func breakdown(_ score: UpgradeScore, _ lang: PageLanguage) -> String {
        guard score.score != nil else { return "<small class=\"muted\">" + lang.t("Không có dữ liệu: không tính điểm.", "No data: no score.") + "</small>" }
        let l = lang.t, e = Html.escape
        let counted = score.parts.filter { ($0.points ?? 0) > 0 }.sorted { $0.points! > $1.points! }
        var b = "<details><summary>" + l("Điểm thành phần: ", "Points: ")
            + (counted.isEmpty ? l("không thành phần nào có điểm", "no component adds points") : counted.map {
                "<span class=\"sw\" style=\"background:\(ReportCharts.colour($0.component))\"></span>\(e(ReportCharts.name($0.component, lang))) \(lang.number($0.points!, 1))"
            }.joined(separator: " · ")) + "</summary>"
        b += "<table class=\"parts\"><thead><tr><th>" + l("Thành phần", "Component") + "</th><th class=\"n\">" + l("Số đo", "Figure")
            + "</th><th class=\"n\">" + l("Điểm con (0–1)", "Sub-score (0–1)") + "</th><th class=\"n\">" + l("Trọng số", "Weight")
            + "</th><th class=\"n\">" + l("Điểm", "Points") + "</th></tr></thead><tbody>"
        for p in score.parts {
            b += "<tr data-component=\"\(p.name)\"><td><span class=\"sw\" style=\"background:\(ReportCharts.colour(p.component))\"></span>\(e(ReportCharts.name(p.component, lang)))</td>"
            b += "<td class=\"n\">\(raw(p, lang))</td><td class=\"n\">\(p.subScore.map { lang.number($0, 2) } ?? "–")</td>"
            b += "<td class=\"n\">\(lang.number(p.weight, p.weight == p.weight.rounded() ? 0 : 1))</td><td class=\"n\" data-points>\(p.points.map { lang.number($0, 1) } ?? "–")</td></tr>"
        }
        return b + "</tbody></table></details>"
    }

    /// A component's figure in the unit people read it in.
    static func raw(_ p: UpgradeScore.Part, _ lang: PageLanguage) -> String {
        guard let v = p.raw else { return lang.t("không có dữ liệu", "no data") }
        switch p.unit {
        case "ratio": return lang.percent(v, 2)
        case "seconds": return p.component == .latency ? lang.ms(v) : lang.number(v, 1) + " s"
        case "hours": return lang.number(v, 1) + " h"
        case "years": return lang.number(v, 0) + lang.t(" năm", " years")
        case "GiB": return lang.number(v, 1) + " GiB"
        case "days": return v <= 0 ? lang.t("đã hết hỗ trợ", "past end of life") : lang.number(v, 0) + lang.t(" ngày còn lại", " days left")
        default: return lang.number(v, 0)
        }
    }

    /// "Core i3-2120 (2011) · 2 GiB · 10 % free · Debian GNU/Linux 10 (EOL 2024-06-30)".
    static func hardware(_ hw: Hardware?, _ lang: PageLanguage) -> String {
        guard let hw else { return "–" }
        let e = Html.escape
        var parts: [String] = []
        if let model = hw.cpuModel {
            var short = model
            for noise in ["(R)", "(TM)", "(tm)", " CPU", " Processor"] { short = short.replacingOccurrences(of: noise, with: "") }
            if let at = short.range(of: " @") { short = String(short[..<at.lowerBound]) }
            parts.append(e(short) + (hw.cpuYear.map { " (\($0))" } ?? ""))
        }
        if let memory = hw.memoryBytes { parts.append(lang.number(Double(memory) / 1_073_741_824, 0) + " GiB RAM") }
        if let free = hw.diskFreeRatio { parts.append(lang.t("đĩa trống ", "disk free ") + lang.percent(free, 0)) }
        if let os = hw.os { parts.append(e(os) + (hw.osEndOfLife.map { " <small>(" + lang.t("hết hỗ trợ ", "EOL ") + $0 + ")</small>" } ?? "")) }
        return parts.isEmpty ? "–" : "<small>" + parts.joined(separator: " · ") + "</small>"
    }

    /// docs/report.md in short, with the weights this collector uses.
    static func formula(_ weights: ScoreWeights, _ lang: PageLanguage) -> String {
        let l = lang.t
        let rules: [ScoreComponent: (String, String)] = [
            .lineAvailability: ("(1 − sẵn sàng) / 5 %: 100 % → 0, 95 % trở xuống → 1", "(1 − availability) / 5 %: 100 % → 0, 95 % or worse → 1"),
            .outages: ("số lần mất kết nối mỗi 30 ngày đo / 10", "outages per 30 days measured / 10"),
            .hoursOn4G: ("giờ chạy bằng 4G mỗi 30 ngày đo / 72", "hours on 4G per 30 days measured / 72"),
            .latency: ("(RTT p95 − 50 ms) / 250 ms", "(RTT p95 − 50 ms) / 250 ms"),
            .loss: ("mất gói trung bình / 5 %", "mean loss / 5 %"),
            .signal4G: ("tỉ lệ thời gian sóng yếu (RSRP < −110 dBm hoặc SNR < 0 dB)", "share of the time with a poor signal (RSRP < −110 dBm or SNR < 0 dB)"),
            .portalTime: ("(trung vị − 1 s) / 4 s", "(median − 1 s) / 4 s"),
            .portalAvailability: ("(1 − tỉ lệ truy cập được) / 5 %", "(1 − success share) / 5 %"),
            .pcAge: ("(tuổi CPU − 3 năm) / 7 năm", "(CPU age − 3 years) / 7 years"),
            .memory: ("(8 GiB − RAM) / 6 GiB", "(8 GiB − RAM) / 6 GiB"),
            .disk: ("(25 % − tỉ lệ trống) / 20 %", "(25 % − free share) / 20 %"),
            .osSupport: ("1 khi đã hết hỗ trợ, 0,5 khi còn dưới một năm, còn lại 0", "1 past end of life, 0.5 within a year of it, else 0"),
        ]
        var b = "<section id=\"formula\" class=\"report-part\"><h2>" + l("Cách tính điểm ưu tiên", "How the upgrade priority score is made") + "</h2><p>"
            + l("Mỗi thành phần cho một điểm con từ 0 (tốt) đến 1 (xấu nhất được tính). <b>Điểm</b> = 100 × Σ(trọng số × điểm con) / Σ(trọng số), chỉ tính các thành phần có dữ liệu; điểm của một thành phần = 100 × trọng số × điểm con / Σ(trọng số có dữ liệu), nên các điểm thành phần cộng lại bằng điểm. Thiếu dữ liệu không làm điểm tốt lên hay xấu đi; <b>dữ liệu</b> (độ phủ) = phần trọng số có dữ liệu. Trọng số đặt trong <code>[report.weights]</code> của collector.toml; chi tiết trong docs/report.md.",
                "Each component gives a sub-score from 0 (fine) to 1 (as bad as it counts). <b>Score</b> = 100 × Σ(weight × sub-score) / Σ(weight), over the components with data; a component's points = 100 × weight × sub-score / Σ(weight with data), so the points add up to the score. Missing data neither helps nor hurts; <b>data</b> (coverage) = the share of the weight that had data. Weights are set in <code>[report.weights]</code> of collector.toml; details in docs/report.md.")
            + "</p><div class=\"scroll\"><table><thead><tr><th>" + l("Thành phần", "Component") + "</th><th class=\"n\">" + l("Trọng số", "Weight")
            + "</th><th>" + l("Điểm con", "Sub-score") + "</th></tr></thead><tbody>"
        for c in ScoreComponent.allCases {
            let w = weights[c]
            b += "<tr data-weight=\"\(c.rawValue)\"><td><span class=\"sw\" style=\"background:\(ReportCharts.colour(c))\"></span>\(Html.escape(ReportCharts.name(c, lang))) <small><code>\(c.rawValue)</code></small></td>"
            b += "<td class=\"n\">\(lang.number(w, w == w.rounded() ? 0 : 1))</td><td>\(Html.escape(l(rules[c]!.0, rules[c]!.1)))</td></tr>"
        }
        return b + "</tbody></table></div></section>"
    }
}
