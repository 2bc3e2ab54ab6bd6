import WatchModel

extension PlannerReport {
    /// The report as one JSON document, for the pages and an API route: the period, the weights,
    /// and per site (in rank order) its registry entry, score, coverage, figures, hardware and
    /// score components. Missing figures are `null`, never 0.
    public func json() -> String {
        let (from, to) = period.bounds
        var head = JSONWriter()
        head.add("label", period.label)
        head.add("from", number: Double(from))
        head.add("to", number: Double(to))
        var weightsJSON = JSONWriter()
        for c in ScoreComponent.allCases { weightsJSON.add(c.rawValue, number: weights[c]) }
        var root = JSONWriter()
        root.add("period", raw: head.object)
        root.add("weights", raw: weightsJSON.object)
        root.add("sites", raw: "[" + rows.map(Self.json(row:)).joined(separator: ",") + "]")
        return root.object
    }

    static func json(row: Row) -> String {
        let f = row.figures, s = f.site
        var site = JSONWriter()
        site.add("code", s.code)
        site.add("name", s.name)
        site.add("kind", s.kind.rawValue)
        site.add("district", s.district)
        site.add("province", s.province)
        site.add("latitude", number: s.latitude)
        site.add("longitude", number: s.longitude)
        var figures = JSONWriter()
        figures.add("line_measured_minutes", number: Double(f.lineMeasuredMinutes))
        figures.add("line_availability", number: f.lineAvailability)
        figures.add("outage_count", number: f.outageCount.map(Double.init))
        figures.add("outage_minutes", number: f.outageMinutes.map(Double.init))
        figures.add("hours_on_4g", number: f.hoursOn4G)
        figures.add("rtt_p50_seconds", number: f.rttP50)
        figures.add("rtt_p95_seconds", number: f.rttP95)
        figures.add("loss_mean", number: f.lossMean)
        figures.add("rsrp_median_dbm", number: f.rsrpMedian)
        figures.add("snr_median_db", number: f.snrMedian)
        figures.add("poor_signal_share", number: f.poorSignalShare)
        figures.add("portal_median_seconds", number: f.portalMedianSeconds)
        figures.add("portal_availability", number: f.portalAvailability)
        var out = JSONWriter()
        out.add("rank", number: row.rank.map(Double.init))
        out.add("site", raw: site.object)
        out.add("score", number: row.score.score)
        out.add("coverage", number: row.score.coverage)
        out.add("figures", raw: figures.object)
        out.add("hardware", raw: f.hardware.map(json(hardware:)) ?? "null")
        out.add("components", raw: "[" + row.score.parts.map(json(part:)).joined(separator: ",") + "]")
        return out.object
    }

    static func json(hardware h: Hardware) -> String {
        var o = JSONWriter()
        o.add("seen", number: Double(h.seen))
        o.add("hostname", h.hostname)
        o.add("cpu_model", h.cpuModel)
        o.add("cpu_year", number: h.cpuYear.map(Double.init))
        o.add("cpu_cores", number: h.cpuCores.map(Double.init))
        o.add("memory_bytes", number: h.memoryBytes.map(Double.init))
        o.add("disk_bytes", number: h.diskBytes.map(Double.init))
        o.add("disk_free_ratio", number: h.diskFreeRatio)
        o.add("os", h.os)
        o.add("os_end_of_life", h.osEndOfLife)
        return o.object
    }

    static func json(part p: UpgradeScore.Part) -> String {
        var o = JSONWriter()
        o.add("name", p.name)
        o.add("title", p.component.title)
        o.add("raw", number: p.raw)
        o.add("unit", p.unit)
        o.add("sub_score", number: p.subScore)
        o.add("weight", number: p.weight)
        o.add("points", number: p.points)
        return o.object
    }
}
