import Storage
import WatchModel

/// Which sites a planner report covers.
public enum ReportArea: Sendable, Hashable {
    case all
    /// The sites of one district (as written in the registry).
    case district(String)
    /// These site codes, in any order.
    case sites([String])

    func includes(_ site: Site) -> Bool {
        switch self {
        case .all: true
        case let .district(name): site.district == name
        case let .sites(codes): codes.contains(site.code)
        }
    }
}

/// The planner report: each site's figures over a period and its upgrade priority, ranked
/// (highest score first; sites without any data last, by code).
public struct PlannerReport: Sendable {
    /// One site's line in the report.
    public struct Row: Sendable, Hashable {
        /// 1-based; sites without a score have none.
        public var rank: Int?
        public var figures: SiteFigures
        public var score: UpgradeScore
    }

    public var period: ReportPeriod
    public var area: ReportArea
    public var weights: ScoreWeights
    public var rows: [Row]

    /// Reads every site of `area` from the registry and its figures from the store.
    /// Site codes asked for that the registry does not know are an error (a typo would otherwise
    /// just drop a commune from the report).
    public static func compute(period: ReportPeriod, area: ReportArea, weights: ScoreWeights = .defaults,
                               metrics: any MetricStore, registry: any AccessStore) async throws -> PlannerReport {
        let (from, to) = period.bounds
        guard from < to else { throw PlannerReportError.emptyPeriod(from: from, to: to) }
        let known = try await registry.sites()
        if case let .sites(codes) = area {
            let unknown = codes.filter { code in !known.contains { $0.code == code } }
            guard unknown.isEmpty else { throw PlannerReportError.unknownSites(unknown) }
        }
        var figures: [SiteFigures] = []
        for site in known where area.includes(site) {
            figures.append(try await SiteFigures.collect(site: site, period: period, store: metrics))
        }
        return PlannerReport(period: period, area: area, weights: weights, figures: figures)
    }

    /// A report from figures already collected: scores them and ranks them.
    public init(period: ReportPeriod, area: ReportArea, weights: ScoreWeights, figures: [SiteFigures]) {
        self.period = period
        self.area = area
        self.weights = weights
        let end = period.bounds.to - 1
        var rows = figures.map { Row(rank: nil, figures: $0, score: UpgradeScore($0, at: end, weights: weights)) }
        rows.sort { a, b in
            switch (a.score.score, b.score.score) {
            case let (x?, y?) where x != y: x > y
            case (_?, nil): true
            case (nil, _?): false
            default: a.figures.site.code < b.figures.site.code
            }
        }
        var rank = 0
        for i in rows.indices where rows[i].score.score != nil {
            rank += 1
            rows[i].rank = rank
        }
        self.rows = rows
    }

    /// The ranked table as plain text, for a terminal: rank, site, district, score, coverage and the headline figures.
    public func table() -> String {
        let header = ["#", "site", "name", "district", "score", "data", "line avail", "outages", "out min", "4G h", "rtt p95 ms", "loss %"]
        let lines = rows.map { r -> [String] in
            let f = r.figures
            var line: [String] = [r.rank.map(String.init) ?? "-", f.site.code, f.site.name, f.site.district]
            line += [Self.fixed(r.score.score, 1), Self.fixed(r.score.coverage * 100, 0) + "%"]
            line += [Self.fixed(f.lineAvailability.map { $0 * 100 }, 2), f.outageCount.map(String.init) ?? "-", f.outageMinutes.map(String.init) ?? "-"]
            line += [Self.fixed(f.hoursOn4G, 1), Self.fixed(f.rttP95.map { $0 * 1000 }, 0), Self.fixed(f.lossMean.map { $0 * 100 }, 2)]
            return line
        }
        let all = [header] + lines
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        var text = "Planner report \(period.label)\n"
        for line in all {
            let cells = line.enumerated().map { (i, cell) -> String in cell + String(repeating: " ", count: widths[i] - cell.count) }
            text += cells.joined(separator: "  ") + "\n"
        }
        return text
    }

    /// `value` with `digits` decimals, "-" when missing (never 0).
    static func fixed(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let negative = rounded < 0
        let whole = Int64(abs(rounded) * scale + 0.5)
        let integer = whole / Int64(scale), fraction = whole % Int64(scale)
        var text = "\(negative ? "-" : "")\(integer)"
        if digits > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }
}

/// A report that cannot be made, and why.
public enum PlannerReportError: Error, Hashable, CustomStringConvertible {
    case emptyPeriod(from: TimestampMs, to: TimestampMs)
    case unknownSites([String])

    public var description: String {
        switch self {
        case let .emptyPeriod(from, to): "the period is empty: from \(from) must be before to \(to) (UTC milliseconds)"
        case let .unknownSites(codes): "not in the site registry: \(codes.joined(separator: ", "))"
        }
    }
}
