import Testing
import TestSupport
import DemoProvince
import WatchModel

/// The demo's live trouble: the history of a few sites ends with their line cut (and one with its
/// 4G down too), so the alerting has incidents to raise; every other site's last minutes are fine.
@Suite(.ownThread) struct DemoTroubleTests {
    /// The newest value of `probe_path_up` on `path` in the last batch.
    func newestPathUp(_ history: DemoHistory, _ path: String) -> Double? {
        guard let last = history.batches().last,
              let id = last.definitions.first(where: { $0.key.metric == "probe_path_up" && $0.key[label: "path"] == path })?.id else { return nil }
        return last.series.first { $0.id == id }?.points.max { $0.timestamp < $1.timestamp }?.value
    }

    @Test func threeSitesEndInTroubleAndTheOthersDoNot() {
        let now: TimestampMs = 1_796_000_000_000
        let province = DemoProvince(sites: 24, seed: 2026)
        let troubled = province.sites.filter { $0.trouble != nil }
        #expect(troubled.map(\.index) == [2, 5, 10], "\(troubled.map(\.site.code))")
        #expect(troubled.map(\.trouble) == [.lineDown, .dark, .lineDown])
        #expect(troubled[0].site.district == troubled[2].site.district, "one team gets both cut lines")
        for demo in province.sites {
            let history = DemoHistory(site: demo, seed: province.seed, days: 1, now: now)
            let lastMinutes = stride(from: history.to - DemoProvince.troubleMinutes * DemoHistory.minute, to: history.to, by: Int(DemoHistory.minute))
            if demo.trouble != nil {
                #expect(lastMinutes.allSatisfy(history.lineDown), "\(demo.site.code): cut for the last \(DemoProvince.troubleMinutes) minutes")
                #expect(newestPathUp(history, "dedicated") == 0, "\(demo.site.code)")
                #expect(newestPathUp(history, "4g") == (demo.trouble == .dark ? 0 : 1), "\(demo.site.code): 4G \(demo.trouble == .dark ? "down" : "up")")
            } else {
                #expect(!lastMinutes.contains(where: history.lineDown), "\(demo.site.code): nothing live")
                #expect(newestPathUp(history, "dedicated") == 1, "\(demo.site.code)")
            }
        }
    }

    /// `demo --keep-reporting`: after the history each agent goes on with the same figures a minute
    /// at a time, and the live trouble stays (the cut line is still cut, the others still fine).
    @Test func keepReportingContinuesTheHistoryWithTheSameTrouble() {
        let now: TimestampMs = 1_796_000_000_000
        let province = DemoProvince(sites: 12, seed: 2026)
        for demo in province.sites {
            let history = DemoHistory(site: demo, seed: province.seed, days: 1, now: now)
            #expect(history.outageMinutes <= 24 * 60, "\(demo.site.code): outage minutes counted within the history only")
            let next = history.continuation(from: history.to, to: history.to + 5 * DemoHistory.minute)
            func pathUp(_ path: String) -> [WirePoint] {
                let id = next.definitions.first { $0.key.metric == "probe_path_up" && $0.key[label: "path"] == path }?.id
                return next.series.first { $0.id == id }?.points ?? []
            }
            let line = pathUp("dedicated")
            #expect(line.count == 5, "\(demo.site.code): one line result a minute: \(line.count)")
            #expect(line.allSatisfy { $0.timestamp >= history.to && $0.timestamp < history.to + 5 * DemoHistory.minute })
            #expect(next.site == demo.site.code)
            if demo.trouble != nil {
                #expect(line.allSatisfy { $0.value == 0 }, "\(demo.site.code): still cut")
            } else if !history.lineDown(at: history.to) {
                #expect(line.allSatisfy { $0.value == 1 }, "\(demo.site.code): still fine")
            }
        }
    }
}
