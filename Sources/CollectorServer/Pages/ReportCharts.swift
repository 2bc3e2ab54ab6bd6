import Reports

/// The report page's pictures, inline SVG: each component's points as a stacked bar (per site and
/// for the top of the ranking), and how the line's availability is spread over the sites.
enum ReportCharts {
    /// One colour per component, in `ScoreComponent.allCases` order: line figures warm, PC cool.
    static func colour(_ c: ScoreComponent) -> String {
        switch c {
        case .lineAvailability: "#c62828"
        case .outages: "#e06a00"
        case .hoursOn4G: "#e0a100"
        case .latency: "#7b57b5"
        case .loss: "#d6609c"
        case .signal4G: "#8c564b"
        case .portalTime: "#1f77b4"
        case .portalAvailability: "#17becf"
        case .pcAge: "#17324d"
        case .memory: "#2a9d5c"
        case .disk: "#7a8a99"
        case .osSupport: "#9a9a1a"
        }
    }

    /// What a planner calls each component, short enough for a legend.
    static func name(_ c: ScoreComponent, _ lang: PageLanguage) -> String {
        switch c {
        case .lineAvailability: lang.t("Sẵn sàng đường truyền", "Line availability")
        case .outages: lang.t("Số lần mất kết nối", "Outages")
        case .hoursOn4G: lang.t("Giờ chạy 4G", "Hours on 4G")
        case .latency: lang.t("Độ trễ p95", "Latency p95")
        case .loss: lang.t("Mất gói", "Loss")
        case .signal4G: lang.t("Sóng 4G yếu", "Poor 4G signal")
        case .portalTime: lang.t("Thời gian tải cổng", "Portal time")
        case .portalAvailability: lang.t("Truy cập được cổng", "Portal availability")
        case .pcAge: lang.t("Tuổi CPU", "CPU age")
        case .memory: "RAM"
        case .disk: lang.t("Ổ đĩa trống", "Free disk")
        case .osSupport: lang.t("Hỗ trợ hệ điều hành", "OS support")
        }
    }

    /// A colour square and name for each component.
    static func legend(_ lang: PageLanguage) -> String {
        "<ul class=\"legend\">" + ScoreComponent.allCases.map {
            "<li><span class=\"sw\" style=\"background:\(colour($0))\"></span>\(Html.escape(name($0, lang)))</li>"
        }.joined() + "</ul>"
    }

    /// One site's score as a bar 0–100 of its components' points (the points add up to the score).
    static func bar(_ score: UpgradeScore, _ lang: PageLanguage) -> String {
        var out = "<svg class=\"bar\" width=\"120\" height=\"10\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
            + "<rect width=\"100\" height=\"8\" fill=\"#eef1f4\"/>"
        var x = 0.0
        for p in score.parts {
            guard let points = p.points, points > 0 else { continue }
            out += "<rect x=\"\(f(x))\" width=\"\(f(points))\" height=\"8\" fill=\"\(colour(p.component))\"><title>\(Html.escape(name(p.component, lang))): \(lang.number(points, 1))</title></rect>"
            x += points
        }
        return out + "</svg>"
    }

    /// The `rows` (the top of the ranking) as horizontal bars stacked by component, on a 0–100 scale.
    static func top(_ rows: [PlannerReport.Row], _ lang: PageLanguage) -> String {
        let width = 640.0, left = 230.0, right = 34.0, rowH = 18.0, top = 4.0, axis = 16.0
        let plot = width - left - right
        let height = top + Double(rows.count) * rowH + axis
        var out = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(lang.t("Điểm ưu tiên theo thành phần", "Score by component"))\">"
        for v in stride(from: 0, through: 100, by: 25) {
            let x = left + Double(v) / 100 * plot
            out += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(height - axis))\" stroke=\"#e3e6ea\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(height - 4))\" text-anchor=\"middle\">\(v)</text>"
        }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowH
            let site = row.figures.site.name
            let shown = site.count > 34 ? String(site.prefix(33)) + "…" : site
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 12))\" text-anchor=\"end\">\(row.rank.map { "\($0). " } ?? "")\(Html.escape(shown))</text>"
            var x = left
            for p in row.score.parts {
                guard let points = p.points, points > 0 else { continue }
                let w = points / 100 * plot
                out += "<rect x=\"\(f(x))\" y=\"\(f(y + 3))\" width=\"\(f(w))\" height=\"\(f(rowH - 6))\" fill=\"\(colour(p.component))\">"
                    + "<title>\(Html.escape(name(p.component, lang))): \(lang.number(points, 1))</title></rect>"
                x += w
            }
            out += "<text x=\"\(f(x + 4))\" y=\"\(f(y + 12))\">\(row.score.score.map { lang.number($0, 1) } ?? "–")</text>"
        }
        return out + "</svg>"
    }

    /// Availability classes, worst first: the lower bound of each (the last one has no data).
    static let availabilityBounds: [(Double, String)] = [(0, "< 95"), (0.95, "95–98"), (0.98, "98–99"), (0.99, "99–99.5"), (0.995, "99.5–99.9"), (0.999, "≥ 99.9")]

    /// How many sites fall in each availability class, and how many have no line data.
    static func availabilityCounts(_ rows: [PlannerReport.Row]) -> (classes: [Int], missing: Int) {
        var classes = Array(repeating: 0, count: availabilityBounds.count), missing = 0
        for row in rows {
            guard let a = row.figures.lineAvailability else { missing += 1; continue }
            let i = availabilityBounds.lastIndex { a >= $0.0 } ?? 0
            classes[i] += 1
        }
        return (classes, missing)
    }

    /// Columns: sites per availability class of the dedicated line, and those without data.
    static func availability(_ rows: [PlannerReport.Row], _ lang: PageLanguage) -> String {
        let (classes, missing) = availabilityCounts(rows)
        let labels = availabilityBounds.map { lang.english ? $0.1 : $0.1.replacingOccurrences(of: ".", with: ",") } + [lang.t("không có dữ liệu", "no data")]
        let counts = classes + [missing]
        let colours = ["#c62828", "#e06a00", "#e0a100", "#9a9a1a", "#2a9d5c", "#1e7a46", "#c4cbd2"]
        let width = 560.0, left = 8.0, top = 14.0, bottom = 30.0, height = 170.0
        let colW = (width - 2 * left) / Double(counts.count)
        let most = Double(max(counts.max() ?? 1, 1))
        var out = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(lang.t("Phân bố độ sẵn sàng đường truyền", "Line availability distribution"))\">"
        for (i, n) in counts.enumerated() {
            let h = Double(n) / most * (height - top - bottom)
            let x = left + Double(i) * colW
            out += "<rect x=\"\(f(x + 6))\" y=\"\(f(height - bottom - h))\" width=\"\(f(colW - 12))\" height=\"\(f(h))\" fill=\"\(colours[i])\"/>"
            out += "<text x=\"\(f(x + colW / 2))\" y=\"\(f(height - bottom - h - 3))\" text-anchor=\"middle\" data-count=\"\(n)\">\(n)</text>"
            out += "<text x=\"\(f(x + colW / 2))\" y=\"\(f(height - bottom + 14))\" text-anchor=\"middle\">\(Html.escape(labels[i]))</text>"
        }
        out += "<text x=\"\(f(width / 2))\" y=\"\(f(height - 2))\" text-anchor=\"middle\">\(lang.t("% thời gian đường truyền hoạt động", "% of the time the line was up"))</text>"
        return out + "</svg>"
    }

    private static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
