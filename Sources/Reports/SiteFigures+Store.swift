import Storage
import WatchModel

extension SiteFigures {
    /// RSRP and SNR below these are poor (the bands of the PoorSignalRSRP and PoorSignalSNR alert rules).
    public static let poorRSRP = -110.0
    public static let poorSNR = 0.0

    /// The figures of `site` over `period`, read through the store. The line's minutes come from
    /// its raw results where they still exist and from five-minute summaries past raw retention;
    /// the other figures from five-minute summaries (kept a year by default), hourly ones for
    /// periods longer than 31 days.
    public static func collect(site: Site, period: ReportPeriod, store: any MetricStore) async throws -> SiteFigures {
        let (from, to) = period.bounds
        let last = to - 1
        var figures = SiteFigures(site: site)
        let code = site.code

        // The line: the agent's confirmed path state where it sends one, else every probe's success.
        var timeline = LineTimeline()
        var summaries: [(path: String, rollups: [Rollup])] = []
        for path in ["dedicated", "4g"] {
            var keys = try await store.series(metric: "probe_path_up", matching: ["site": code, "path": path])
            if keys.isEmpty { keys = try await store.series(metric: "probe_success", matching: ["site": code, "path": path]) }
            for key in keys {
                timeline.add(path: path, points: try await store.points(key, from: from, to: last))
                let rollups = try await store.rollups(key, resolution: Rollup.fiveMinutes, from: from, to: last)
                summaries.append((path, rollups.filter { $0.start >= from && $0.start + Rollup.fiveMinutes <= to }))
            }
        }
        for s in summaries { timeline.add(path: s.path, summaries: s.rollups) }
        let measured = timeline.measuredMinutes("dedicated")
        figures.lineMeasuredMinutes = measured
        if measured > 0 {
            let down = timeline.outageMinutes("dedicated").count
            figures.lineAvailability = Double(measured - down) / Double(measured)
            figures.outageCount = timeline.outages("dedicated").count
            figures.outageMinutes = down
        }
        if timeline.has("4g") {
            figures.hoursOn4G = Double(timeline.minutes("dedicated", downWhileUp: "4g")) / 60
        }

        let rtt = try await Summary.of("probe_icmp_rtt_median_seconds", ["site": code, "path": "dedicated"], from, last, store)
        figures.rttP50 = rtt.quantile(0.5)
        figures.rttP95 = rtt.quantile(0.95)
        figures.lossMean = try await Summary.of("probe_icmp_loss_ratio", ["site": code, "path": "dedicated"], from, last, store).mean

        let rsrp = try await Summary.of("probe_modem_rsrp_dbm", ["site": code], from, last, store)
        let snr = try await Summary.of("probe_modem_snr_db", ["site": code], from, last, store)
        figures.rsrpMedian = rsrp.quantile(0.5)
        figures.snrMedian = snr.quantile(0.5)
        let shares = [rsrp.share { $0 < poorRSRP }, snr.share { $0 < poorSNR }].compactMap { $0 }
        figures.poorSignalShare = shares.max()

        figures.portalMedianSeconds = try await Summary.of("probe_http_total_seconds", ["site": code], from, last, store).quantile(0.5)
        figures.portalAvailability = try await Summary.of("probe_success", ["site": code, "kind": "http"], from, last, store).mean

        // The PC as it was at the end of the period: its newest snapshot in the period, else before it.
        let inPeriod = try await store.events(site: code, from: from, to: last, limit: 10_000)
        var inventory = inPeriod.first { $0.kind == Event.inventory }
        if inventory == nil {
            inventory = try await store.events(site: code, from: 0, to: from - 1, limit: 10_000).first { $0.kind == Event.inventory }
        }
        figures.hardware = inventory.flatMap(Hardware.init(inventory:))
        return figures
    }
}

/// The summaries of every series of one metric matching some labels, merged: count, sum, min,
/// max and one quantile sketch (merged once per bucket, without the per-merge p95 `Rollup.merge` keeps).
struct Summary {
    var spans: [Double] = []
    var count = 0
    var sum = 0.0
    var low = Double.infinity
    var high = -Double.infinity
    var sketch = QuantileSketch()

    /// Five-minute buckets up to 31 days; hourly beyond (a year is 105,120 five-minute buckets a series).
    static func resolution(_ from: TimestampMs, _ to: TimestampMs) -> Int64 {
        to - from > 31 * 86_400_000 ? Rollup.hour : Rollup.fiveMinutes
    }

    static func of(_ metric: String, _ labels: [String: String], _ from: TimestampMs, _ to: TimestampMs, _ store: any MetricStore) async throws -> Summary {
        var summary = Summary()
        let resolution = resolution(from, to)
        for key in try await store.series(metric: metric, matching: labels) {
            for r in try await store.rollups(key, resolution: resolution, from: from, to: to)
            where r.count > 0 && r.start >= from / resolution * resolution {
                summary.spans.append(r.mean)
                summary.count += r.count
                summary.sum += r.sum
                summary.low = min(summary.low, r.min)
                summary.high = max(summary.high, r.max)
                summary.sketch.merge(r.sketch)
            }
        }
        return summary
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    /// Nearest-rank quantile from the merged sketches (within 1%), kept within the values seen.
    func quantile(_ q: Double) -> Double? {
        guard count > 0, let v = sketch.quantile(q) else { return nil }
        return min(max(v, low), high)
    }

    /// Share of the spans whose mean is `poor`.
    func share(_ poor: (Double) -> Bool) -> Double? {
        spans.isEmpty ? nil : Double(spans.filter(poor).count) / Double(spans.count)
    }
}
