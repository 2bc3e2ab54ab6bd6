import Foundation
import Reports
import Storage
import Testing
import WatchModel

/// Calendar periods in Vietnam's time (UTC+7): where a month, a quarter and a year begin and end.
@Suite struct ReportPeriodTests {
    /// Midnight of a date in Asia/Ho_Chi_Minh, from Foundation's calendar (an independent reckoning).
    func midnight(_ y: Int, _ m: Int, _ d: Int) -> TimestampMs {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        let date = calendar.date(from: DateComponents(year: y, month: m, day: d))!
        return TimestampMs(date.timeIntervalSince1970 * 1000)
    }

    @Test func boundariesAreVietnameseMidnights() {
        // 2026-03-01 00:00 in Vietnam is 2026-02-28 17:00 UTC.
        #expect(ReportPeriod.month(year: 2026, month: 3).bounds == (1_772_298_000_000, 1_774_976_400_000))
        #expect(ReportPeriod.month(year: 2026, month: 3).bounds.from == midnight(2026, 3, 1))
        #expect(ReportPeriod.month(year: 2024, month: 2).bounds == (midnight(2024, 2, 1), midnight(2024, 3, 1)))
        #expect(ReportPeriod.month(year: 2024, month: 2).length == 29 * 86_400_000, "a leap February")
        #expect(ReportPeriod.month(year: 2026, month: 12).bounds == (midnight(2026, 12, 1), midnight(2027, 1, 1)))
        #expect(ReportPeriod.quarter(year: 2026, quarter: 1).bounds == (1_767_200_400_000, 1_774_976_400_000))
        #expect(ReportPeriod.quarter(year: 2026, quarter: 4).bounds == (1_790_787_600_000, 1_798_736_400_000))
        #expect(ReportPeriod.year(2026).bounds == (midnight(2026, 1, 1), midnight(2027, 1, 1)))
        #expect(ReportPeriod.range(from: 5, to: 9).bounds == (5, 9))
        #expect(ReportPeriod.quarter(year: 2026, quarter: 2).label == "2026-Q2" && ReportPeriod.month(year: 2026, month: 3).label == "2026-03")
    }

    @Test func parsingNamesOfPeriods() {
        #expect(ReportPeriod(parsing: "2026-03") == .month(year: 2026, month: 3))
        #expect(ReportPeriod(parsing: "2026-Q4") == .quarter(year: 2026, quarter: 4))
        #expect(ReportPeriod(parsing: "2026") == .year(2026))
        for bad in ["2026-13", "2026-3", "26-03", "2026-Q5", "2026-03-01", "", "tháng 3"] {
            #expect(ReportPeriod(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func aResultJustBeforeMidnightBelongsToTheDayBefore() async throws {
        let store = MemoryStore()
        try await store.upsert(Site(code: "QNG-M", name: "Phường Nghĩa Lộ"))
        let march = ReportPeriod.month(year: 2026, month: 3).bounds.from
        // Down at 23:59:30 on 28 February (Vietnam), up at 00:00:30 on 1 March.
        let points = [WirePoint(timestamp: march - 30_000, value: 0), WirePoint(timestamp: march + 30_000, value: 1)]
        _ = try await store.ingest(IngestBatch(agentID: "agt-m", site: "QNG-M", batchID: "1", catalog: 1,
                                               definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_path_up", ["path": "dedicated"]))],
                                               series: [WireSeries(id: 1, points: points)], events: []))
        let inMarch = try await PlannerReport.compute(period: .month(year: 2026, month: 3), area: .all, metrics: store, registry: store).rows[0].figures
        #expect(inMarch.lineMeasuredMinutes == 1 && inMarch.lineAvailability == 1 && inMarch.outageCount == 0 && inMarch.outageMinutes == 0)
        let inFebruary = try await PlannerReport.compute(period: .month(year: 2026, month: 2), area: .all, metrics: store, registry: store).rows[0].figures
        #expect(inFebruary.lineMeasuredMinutes == 1 && inFebruary.lineAvailability == 0 && inFebruary.outageCount == 1 && inFebruary.outageMinutes == 1)
        let inApril = try await PlannerReport.compute(period: .month(year: 2026, month: 4), area: .all, metrics: store, registry: store).rows[0]
        #expect(inApril.figures.lineAvailability == nil && inApril.score.score == nil && inApril.rank == nil)
    }

    @Test func pastRawRetentionTheLineIsReadFromFiveMinuteSummaries() async throws {
        let store = MemoryStore()
        try await store.upsert(Site(code: "QNG-R", name: "Xã Sơn Hà"))
        let day = ReportPeriod.range(from: 1_773_075_600_000, to: 1_773_075_600_000 + 3_600_000)
        // One result a minute for an hour; down in minutes 10–19. Then the raw points expire.
        let points = (0..<60).map { WirePoint(timestamp: day.bounds.from + TimestampMs($0) * 60_000 + 5_000, value: (10..<20).contains($0) ? 0 : 1) }
        _ = try await store.ingest(IngestBatch(agentID: "agt-r", site: "QNG-R", batchID: "1", catalog: 1,
                                               definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_path_up", ["path": "dedicated"]))],
                                               series: [WireSeries(id: 1, points: points)], events: []))
        var retention = Retention()
        retention.rawDays = 1
        _ = try await store.enforce(retention, now: day.bounds.to + 2 * 86_400_000)
        #expect(try await store.points(SeriesKey("probe_path_up", ["path": "dedicated", "site": "QNG-R"]), from: 0, to: .max).isEmpty)
        let figures = try await PlannerReport.compute(period: day, area: .all, metrics: store, registry: store).rows[0].figures
        // Buckets 10–14 and 15–19 are all down: the same 10 minutes, one cut.
        #expect(figures.lineMeasuredMinutes == 60 && figures.outageMinutes == 10 && figures.outageCount == 1)
        #expect(figures.lineAvailability == 50.0 / 60)
    }
}
