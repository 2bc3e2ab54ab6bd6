import WatchModel

extension PlannerReport {
    /// The report as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted,
    /// quotes doubled), one row per site in rank order: the figures, then for each score component
    /// its raw figure, sub-score, weight and points. Missing figures are empty fields, never 0.
    /// `byteOrderMark` starts the text with U+FEFF, which Excel needs to read Vietnamese as UTF-8.
    public func csv(byteOrderMark: Bool = false) -> String {
        var header = ["rank", "site", "name", "kind", "district", "province", "latitude", "longitude", "score", "coverage",
                      "line_measured_minutes", "line_availability", "outage_count", "outage_minutes", "hours_on_4g",
                      "rtt_p50_seconds", "rtt_p95_seconds", "loss_mean", "rsrp_median_dbm", "snr_median_db", "poor_signal_share",
                      "portal_median_seconds", "portal_availability",
                      "cpu_model", "cpu_year", "cpu_cores", "memory_bytes", "disk_bytes", "disk_free_ratio", "os", "os_end_of_life"]
        for c in ScoreComponent.allCases { header += [c.rawValue + "_raw", c.rawValue + "_sub", c.rawValue + "_weight", c.rawValue + "_points"] }
        var lines = [header]
        for row in rows {
            let f = row.figures, s = f.site, hw = f.hardware
            var line: [String] = [row.rank.map(String.init) ?? "", s.code, s.name, s.kind.rawValue, s.district, s.province]
            line += [Self.field(s.latitude), Self.field(s.longitude), Self.field(row.score.score), Self.field(row.score.coverage)]
            line += [String(f.lineMeasuredMinutes), Self.field(f.lineAvailability), Self.count(f.outageCount), Self.count(f.outageMinutes)]
            line += [Self.field(f.hoursOn4G), Self.field(f.rttP50), Self.field(f.rttP95), Self.field(f.lossMean)]
            line += [Self.field(f.rsrpMedian), Self.field(f.snrMedian), Self.field(f.poorSignalShare)]
            line += [Self.field(f.portalMedianSeconds), Self.field(f.portalAvailability)]
            line += [hw?.cpuModel ?? "", Self.count(hw?.cpuYear), Self.count(hw?.cpuCores), Self.count(hw?.memoryBytes)]
            line += [Self.count(hw?.diskBytes), Self.field(hw?.diskFreeRatio), hw?.os ?? "", hw?.osEndOfLife ?? ""]
            for p in row.score.parts { line += [Self.field(p.raw), Self.field(p.subScore), Self.field(p.weight), Self.field(p.points)] }
            lines.append(line)
        }
        let text = lines.map { $0.map(Self.quoted).joined(separator: ",") + "\r\n" }.joined()
        return byteOrderMark ? "\u{FEFF}" + text : text
    }

    /// A number as the JSON API writes it (to 1e-9, which hides binary noise such as
    /// 0.7499999999999999), empty when missing.
    static func field(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return JSONWriter.number(value)
    }

    /// A count, empty when missing.
    static func count(_ value: Int?) -> String { value.map(String.init) ?? "" }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
    static func quoted(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return field }
        var out = "\""
        for ch in field.unicodeScalars {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        return out + "\""
    }
}
