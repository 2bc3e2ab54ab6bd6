import Reports
import Storage
import Testing
import WatchModel

/// The planner report on a small province whose figures and scores are worked out by hand.
@Suite struct PlannerReportTests {
    func near(_ a: Double?, _ b: Double, within tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    @Test func figuresOfADayMatchTheHandCount() async throws {
        let f = try await ReportFixture.province()
        let report = try await PlannerReport.compute(period: ReportFixture.day, area: .all, metrics: f.store, registry: f.store)
        let a = try #require(report.rows.first { $0.figures.site.code == "QNG-A" }).figures
        // 1,440 minutes measured (the cuts before and after the day are not in it); 30 down.
        #expect(a.lineMeasuredMinutes == 1440)
        #expect(near(a.lineAvailability, 1410.0 / 1440))   // 0.979166…
        #expect(a.outageCount == 1 && a.outageMinutes == 30)
        // The 30 minutes of the cut the office worked over 4G: 0.5 h.
        #expect(near(a.hoursOn4G, 0.5))
        // Every round 0.1 s: both percentiles are 0.1; loss 144 × 0.1 / 1440 = 0.01.
        #expect(near(a.rttP50, 0.1) && near(a.rttP95, 0.1))
        #expect(near(a.lossMean, 0.01))
        // A sent no modem, portal or inventory data: missing, not 0.
        #expect(a.rsrpMedian == nil && a.snrMedian == nil && a.poorSignalShare == nil)
        #expect(a.portalMedianSeconds == nil && a.portalAvailability == nil && a.hardware == nil)

        let b = try #require(report.rows.first { $0.figures.site.code == "QNG-B" }).figures
        // Two cuts of 10 minutes when both line probes failed; minute 500 (one probe up) is not one.
        #expect(b.lineMeasuredMinutes == 1440 && b.outageCount == 2 && b.outageMinutes == 20)
        #expect(near(b.lineAvailability, 1420.0 / 1440))   // 0.986111…
        #expect(b.hoursOn4G == nil, "no 4G data: unknown, not 0 hours")
        #expect(b.rttP50 == nil && b.rttP95 == nil && b.lossMean == nil)
        // 72 of 288 five-minute spans below −110 dBm; SNR never below 0: the larger share, 0.25.
        #expect(near(b.poorSignalShare, 0.25))
        #expect(near(b.rsrpMedian, -95, within: 0.95) && near(b.snrMedian, 5))
        // Portal: 3 s each time it answered; 1,384 of 1,440 successes.
        #expect(near(b.portalMedianSeconds, 3) && near(b.portalAvailability, 1384.0 / 1440))
        // The newest inventory in the day, not the one of three days before.
        let hw = try #require(b.hardware)
        #expect(hw.cpuModel == "Intel(R) Core(TM) i3-2120 CPU @ 3.30GHz" && hw.cpuYear == 2011)
        #expect(hw.memoryBytes == 2 << 30 && hw.diskBytes == 100_000_000_000 && near(hw.diskFreeRatio, 0.1))
        #expect(hw.os == "Debian GNU/Linux 10" && hw.osEndOfLife == "2024-06-30")

        let c = try #require(report.rows.first { $0.figures.site.code == "QNG-C" }).figures
        #expect(c.lineMeasuredMinutes == 0 && c.lineAvailability == nil && c.outageCount == nil && c.outageMinutes == nil)
        #expect(c.hoursOn4G == nil && c.rttP95 == nil && c.hardware == nil)
    }

    @Test func scoresAndTheirBreakdownMatchTheHandCount() async throws {
        let f = try await ReportFixture.province()
        let report = try await PlannerReport.compute(period: ReportFixture.day, area: .all, metrics: f.store, registry: f.store)
        #expect(report.rows.map(\.figures.site.code) == ["QNG-B", "QNG-A", "QNG-C"])
        #expect(report.rows.map(\.rank) == [1, 2, nil])

        // QNG-A, with data for line_availability 25, outages 10, hours_on_4g 5, latency 10, loss 10
        // (60 of the 100 weight points); each part = 100 × weight × sub-score / 60.
        //   line_availability  (1 − 1410/1440) / 0.05 = 0.41667   → 100 × 25 × 0.41667 / 60 = 17.3611
        //   outages            1 cut in 1/30 of a month = 30 a month, / 10 → clamped to 1 → 16.6667
        //   hours_on_4g        0.5 h × 30 = 15 h a month / 72 = 0.20833 → 1.7361
        //   latency            (0.1 − 0.05) / 0.25 = 0.2         → 3.3333
        //   loss               0.01 / 0.05 = 0.2                 → 3.3333
        //   score 42.4306, coverage 0.6
        let a = try #require(report.rows.first { $0.figures.site.code == "QNG-A" }).score
        #expect(near(a.coverage, 0.6))
        #expect(near(a[.lineAvailability].subScore, 30.0 / 1440 / 0.05) && near(a[.lineAvailability].points, 17.361111, within: 1e-5))
        #expect(a[.lineAvailability].weight == 25 && near(a[.lineAvailability].raw, 1410.0 / 1440))
        #expect(a[.outages].raw == 1 && a[.outages].subScore == 1 && near(a[.outages].points, 16.666667, within: 1e-5))
        #expect(near(a[.hoursOn4G].subScore, 15.0 / 72) && near(a[.hoursOn4G].points, 1.736111, within: 1e-5))
        #expect(near(a[.latency].subScore, 0.2) && near(a[.latency].points, 3.333333, within: 1e-5))
        #expect(near(a[.loss].subScore, 0.2) && near(a[.loss].points, 3.333333, within: 1e-5))
        for missing in [ScoreComponent.signal4G, .portalTime, .portalAvailability, .pcAge, .memory, .disk, .osSupport] {
            #expect(a[missing].raw == nil && a[missing].subScore == nil && a[missing].points == nil, "\(missing)")
        }
        #expect(near(a.score, 42.430556, within: 1e-5))

        // QNG-B: no 4G path, no RTT, no loss: 75 weight points with data; each part = 100 × w × s / 75.
        //   line_availability  (20/1440) / 0.05 = 0.27778 → 25 × 0.27778 = 6.9444 → 9.2593
        //   outages            2 cuts = 60 a month → 1      → 10     → 13.3333
        //   signal_4g          0.25                         → 1.25   → 1.6667
        //   portal_time        (3 − 1) / 4 = 0.5            → 2.5    → 3.3333
        //   portal_availability (56/1440) / 0.05 = 0.77778  → 3.8889 → 5.1852
        //   pc_age             2026 − 2011 = 15 y, (15 − 3) / 7 → 1 → 10 → 13.3333
        //   memory             2 GiB: (8 − 2) / 6 = 1       → 5      → 6.6667
        //   disk               10% free: (0.25 − 0.1) / 0.2 = 0.75 → 3.75 → 5
        //   os_support         Debian 10, end of life 2024-06-30: past → 1 → 5 → 6.6667
        //   sum of w × s = 48.3333; score 48.3333 × 100 / 75 = 64.4444, coverage 0.75
        let b = try #require(report.rows.first { $0.figures.site.code == "QNG-B" }).score
        #expect(near(b.coverage, 0.75))
        #expect(near(b[.lineAvailability].points, 9.259259, within: 1e-5))
        #expect(b[.outages].raw == 2 && near(b[.outages].points, 13.333333, within: 1e-5))
        #expect(near(b[.signal4G].points, 1.666667, within: 1e-5) && near(b[.portalTime].points, 3.333333, within: 1e-5))
        #expect(near(b[.portalAvailability].subScore, 56.0 / 1440 / 0.05) && near(b[.portalAvailability].points, 5.185185, within: 1e-5))
        #expect(b[.pcAge].raw == 15 && b[.pcAge].subScore == 1 && near(b[.pcAge].points, 13.333333, within: 1e-5))
        #expect(b[.memory].raw == 2 && near(b[.memory].points, 6.666667, within: 1e-5))
        #expect(near(b[.disk].subScore, 0.75) && near(b[.disk].points, 5, within: 1e-5))
        #expect(b[.osSupport].subScore == 1 && (b[.osSupport].raw ?? 0) < 0 && near(b[.osSupport].points, 6.666667, within: 1e-5))
        #expect(b[.hoursOn4G].points == nil && b[.latency].points == nil && b[.loss].points == nil)
        #expect(near(b.score, 64.444444, within: 1e-5))
        #expect(near(b.parts.compactMap(\.points).reduce(0, +), b.score ?? -1), "the parts add up to the score")

        // QNG-C: nothing measured: no score, no rank, every part missing.
        let c = try #require(report.rows.last).score
        #expect(c.score == nil && c.coverage == 0 && c.parts.allSatisfy { $0.points == nil })
    }

    @Test func weightsChangeTheRanking() async throws {
        let f = try await ReportFixture.province()
        // Only the line's availability counts: A (0.41667) is then ahead of B (0.27778), each
        // score 100 × sub-score; the PC's age, though measured for B, adds nothing.
        var only: [ScoreComponent: Double] = [:]
        for c in ScoreComponent.allCases { only[c] = 0 }
        only[.lineAvailability] = 1
        let weights = try ScoreWeights(only)
        let report = try await PlannerReport.compute(period: ReportFixture.day, area: .all, weights: weights, metrics: f.store, registry: f.store)
        #expect(report.rows.map(\.figures.site.code) == ["QNG-A", "QNG-B", "QNG-C"])
        #expect(near(report.rows[0].score.score, 41.666667, within: 1e-5) && near(report.rows[1].score.score, 27.777778, within: 1e-5))
        #expect(report.rows[1].score[.pcAge].subScore == 1 && report.rows[1].score[.pcAge].points == 0)

        #expect(throws: ScoreWeightsError.negative(.loss, -1)) { try ScoreWeights([.loss: -1]) }
        #expect(throws: ScoreWeightsError.allZero) { try ScoreWeights(Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0, 0) })) }
        #expect(try ScoreWeights([.pcAge: 30])[.pcAge] == 30 && ScoreWeights.defaults[.lineAvailability] == 25)
        #expect(ScoreComponent.allCases.reduce(0) { $0 + ScoreWeights.defaults[$1] } == 100)
    }

    @Test func areaSelectsSites() async throws {
        let f = try await ReportFixture.province()
        let district = try await PlannerReport.compute(period: ReportFixture.day, area: .district("Ba Tơ"), metrics: f.store, registry: f.store)
        #expect(district.rows.map(\.figures.site.code) == ["QNG-B", "QNG-C"])
        let listed = try await PlannerReport.compute(period: ReportFixture.day, area: .sites(["QNG-C", "QNG-A"]), metrics: f.store, registry: f.store)
        #expect(listed.rows.map(\.figures.site.code) == ["QNG-A", "QNG-C"])
        await #expect(throws: PlannerReportError.unknownSites(["QNG-X"])) {
            try await PlannerReport.compute(period: ReportFixture.day, area: .sites(["QNG-A", "QNG-X"]), metrics: f.store, registry: f.store)
        }
        await #expect(throws: PlannerReportError.self) {
            try await PlannerReport.compute(period: .range(from: 10, to: 10), area: .all, metrics: f.store, registry: f.store)
        }
    }

    @Test func theTableShowsMissingAsADash() async throws {
        let f = try await ReportFixture.province()
        let table = try await PlannerReport.compute(period: ReportFixture.day, area: .all, metrics: f.store, registry: f.store).table()
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 5 && lines[0] == "Planner report 2026-03-10 00:00 – 2026-03-11 00:00")
        #expect(lines[2].hasPrefix("1  QNG-B") && lines[2].contains("64.4") && lines[2].contains("98.61"))
        #expect(lines[3].hasPrefix("2  QNG-A") && lines[3].contains("42.4") && lines[3].contains("97.92"))
        // C: no rank, no score, every figure a dash; never "0" or "100".
        let c = lines[4].split(separator: " ").map(String.init)
        #expect(c.first == "-" && c.contains("QNG-C") && !c.contains("0") && !c.contains("100.00"), "\(lines[4])")
    }
}

/// The report as JSON, what the pages will render.
@Suite struct PlannerReportJSONTests {
    @Test func missingIsNullAndTheBreakdownIsThere() async throws {
        let f = try await ReportFixture.province()
        let report = try await PlannerReport.compute(period: ReportFixture.day, area: .all, metrics: f.store, registry: f.store)
        let json = try JSONValue.parse(report.json())
        #expect(json[path: "period", "label"] == .string("2026-03-10 00:00 – 2026-03-11 00:00"))
        #expect(json[path: "period", "from"] == .number(1_773_075_600_000) && json[path: "weights", "pc_age"] == .number(10))
        let sites = json["sites"]?.array ?? []
        #expect(sites.map { $0[path: "site", "code"] } == [.string("QNG-B"), .string("QNG-A"), .string("QNG-C")])
        let b = sites[0], a = sites[1], c = sites[2]
        #expect(b["rank"] == .number(1) && b[path: "site", "name"] == .string("Xã Ba Tơ") && b[path: "figures", "outage_count"] == .number(2))
        #expect(b[path: "hardware", "cpu_year"] == .number(2011) && b[path: "hardware", "os_end_of_life"] == .string("2024-06-30"))
        let parts = b["components"]?.array ?? []
        #expect(parts.count == ScoreComponent.allCases.count)
        let pcAge = parts.first { $0["name"] == .string("pc_age") }
        #expect(pcAge?["raw"] == .number(15) && pcAge?["sub_score"] == .number(1) && pcAge?["weight"] == .number(10) && pcAge?["title"] == .string("Tuổi CPU"))
        let latency = parts.first { $0["name"] == .string("latency") }
        #expect(latency?["raw"] == .null && latency?["points"] == .null && latency?["weight"] == .number(10))
        #expect(a["hardware"] == .null && a[path: "figures", "rsrp_median_dbm"] == .null && a[path: "figures", "outage_minutes"] == .number(30))
        #expect(c["rank"] == .null && c["score"] == .null && c["coverage"] == .number(0) && c[path: "figures", "line_availability"] == .null)
        #expect(c[path: "site", "latitude"] == .null && a[path: "site", "latitude"] == .number(15.25))
    }
}
