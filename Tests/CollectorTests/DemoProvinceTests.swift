import Foundation
import Testing
import TestSupport
import DemoProvince
import WatchModel

/// `commune-collector demo`: a labelled simulated province put into a real collector through its
/// HTTP API, visible in the registry, the query routes, the outages and the planner report.
@Suite(.ownThread) struct DemoProvinceTests {
    func demo(_ collector: CollectorProcess, _ options: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(try collectorBinary(), ["demo", "--collector", collector.url, "--admin-token", collector.adminToken] + options, timeout: 60)
    }

    func registry(_ collector: CollectorProcess) throws -> [[String: Any]] {
        let reply = try collector.request("GET", "/api/v1/admin/sites", token: collector.adminToken)
        return (reply.json["sites"] as? [[String: Any]] ?? []).filter { ($0["code"] as? String)?.hasPrefix("DEMO-") == true }
    }

    func latest(_ collector: CollectorProcess, _ query: String) throws -> [[String: Any]] {
        try collector.request("GET", "/api/v1/latest?" + query, token: collector.adminToken).json["series"] as? [[String: Any]] ?? []
    }

    @Test func aDemoProvinceFillsEveryPageOnce() throws {
        let collector = try CollectorProcess()
        defer { collector.stop() }
        let started = Date()
        let first = try demo(collector, ["--sites", "12", "--days", "2"])
        print("demo --sites 12 --days 2: \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n\(first.stdout)")
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(first.stdout.split(separator: "\n").last.map(String.init))
        #expect(summary.hasPrefix("demo: 12 sites, "), "\(first.stdout)")

        // The registry: 12 labelled communes in eight districts, on the map, with node and team.
        let sites = try registry(collector)
        #expect(sites.count == 12)
        #expect(sites.allSatisfy { ($0["name"] as? String)?.hasPrefix("[Mô phỏng] ") == true })
        #expect(sites.allSatisfy { $0["province"] as? String == "Tỉnh Mô Phỏng (demo)" })
        #expect(Set(sites.compactMap { $0["district"] as? String }).count == 8)
        #expect(sites.allSatisfy { site in
            guard let lat = site["latitude"] as? Double, let lon = site["longitude"] as? Double else { return false }
            return (14...16).contains(lat) && (108...110).contains(lon)
        }, "coordinates in central Viet Nam")
        #expect(sites.allSatisfy { ($0["upstream"] as? String)?.isEmpty == false && ($0["team"] as? String)?.isEmpty == false })
        let codes = sites.compactMap { $0["code"] as? String }.sorted()

        // Every site has a line RTT, a 4G signal and portal timings by phase, under the agent's names.
        for code in codes {
            let rtt = try latest(collector, "metric=probe_icmp_rtt_median_seconds&site=\(code)&path=dedicated")
            #expect(rtt.count == 1 && ((rtt.first?["value"] as? Double) ?? 0) > 0, "\(code) rtt: \(rtt)")
            let rsrp = try latest(collector, "metric=probe_modem_rsrp_dbm&site=\(code)")
            #expect(rsrp.count == 1 && (-130 ... -50).contains((rsrp.first?["value"] as? Double) ?? 0), "\(code) rsrp: \(rsrp)")
            let phases = try latest(collector, "metric=probe_http_duration_seconds&site=\(code)")
            let names = Set(phases.compactMap { ($0["labels"] as? [String: String])?["phase"] })
            #expect(names == ["resolve", "connect", "tls", "processing", "transfer"], "\(code) phases: \(names)")
            #expect(Set(phases.compactMap { ($0["labels"] as? [String: String])?["target"] }).count == 3, "three portals")
        }
        // The last hour at one round a minute.
        let hour = try collector.request("GET", "/api/v1/query_range?metric=probe_icmp_loss_ratio&site=\(codes[0])&path=dedicated&from=-3600",
                                         token: collector.adminToken)
        let points = ((hour.json["series"] as? [[String: Any]])?.first?["points"] as? [Any])?.count ?? 0
        #expect((58...61).contains(points), "\(points) rounds in the last hour")
        let events = try collector.request("GET", "/api/v1/events?site=\(codes[0])&from=-180000&limit=1000", token: collector.adminToken)
        #expect((events.json["events"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "inventory" }, "the PC's inventory")

        // The sites built to lose their line show outages; the report ranks them with figures.
        // Sites 3, 6, 8 and 11 of 12 (one in eight flaps, two in eight lose the line for hours).
        let troubled = first.stdout.split(separator: "\n").filter { $0.hasPrefix("demo: long outages:") || $0.hasPrefix("demo: flapping line:") }
            .flatMap { $0.split(separator: " ").filter { $0.hasPrefix("DEMO-") }.map(String.init) }
        #expect(troubled.count == 4, "\(first.stdout)")
        for code in troubled {
            let reply = try collector.request("GET", "/api/v1/outages?site=\(code)&from=-172800", token: collector.adminToken)
            let outages = (reply.json["outages"] as? [[String: Any]] ?? []).filter { $0["path"] as? String == "dedicated" }
            #expect(!outages.isEmpty, "\(code): \(reply.body)")
        }
        let now = WallClock.nowMs()
        let report = try run(try collectorBinary(), ["report", "--from", "\(now - 2 * 86_400_000)", "--to", "\(now)"] + collector.storeOptions)
        #expect(report.status == 0, "\(report.stderr)")
        let rows = report.stdout.split(separator: "\n").dropFirst(2).map(String.init)
        #expect(rows.count == 12, "\(report.stdout)")
        #expect(rows.allSatisfy { $0.contains("DEMO-") && $0.contains("[Mô phỏng]") })
        let top = rows.prefix(3).compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
        #expect(top.contains { troubled.contains($0) }, "a site with outages among the first three:\n\(report.stdout)")
        #expect(rows.allSatisfy { !$0.split(separator: " ").suffix(6).contains("-") }, "every figure present:\n\(report.stdout)")

        // Twice: nothing duplicated; bad options are named.
        let second = try demo(collector, ["--sites", "12", "--days", "2"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("12 demo sites were already there") && second.stdout.contains("demo: 0 sites, 0 batches, 0 samples"), "\(second.stdout)")
        #expect(try registry(collector).count == 12)
        let bad = try demo(collector, ["--sites", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("--sites must be 1…3300"), "\(bad.stderr)")
        let remove = try demo(collector, ["--remove"])
        #expect(remove.status != 0 && remove.stderr.contains("cannot delete sites"), "\(remove.stderr)")
    }
}

/// The simulated province itself: the same seed gives the same sites and the same cuts; a
/// benchmark-sized province keeps codes unique and every name labelled.
@Suite(.ownThread) struct DemoPlanTests {
    @Test func theSameSeedGivesTheSameProvince() {
        let now: TimestampMs = 1_796_000_000_000
        let a = DemoProvince(sites: 24, seed: 7), b = DemoProvince(sites: 24, seed: 7), c = DemoProvince(sites: 24, seed: 8)
        #expect(a.sites.map(\.site) == b.sites.map(\.site))
        #expect(a.sites.map(\.site.name) != c.sites.map(\.site.name), "another seed, other names")
        let cuts = { (p: DemoProvince) in p.sites.map { DemoHistory(site: $0, seed: p.seed, days: 14, now: now).outages } }
        #expect(cuts(a) == cuts(b))
        // Every profile in every round of the districts, and not all the bad lines in one district.
        let bad = a.sites.filter { $0.profile != .good }
        #expect(Set(bad.map(\.site.district)).count >= 4, "\(bad.map(\.site.district))")
        for demo in a.sites where demo.profile != .good {
            let history = DemoHistory(site: demo, seed: 7, days: 14, now: now)
            #expect(history.outageMinutes > 100, "\(demo.site.code): \(history.outageMinutes) min")
        }
    }

    @Test func aBenchmarkProvinceHasUniqueLabelledSites() {
        let province = DemoProvince(sites: 3_300, seed: 1)
        #expect(Set(province.sites.map(\.site.code)).count == 3_300)
        #expect(Set(province.sites.map(\.site.name)).count == 3_300)
        #expect(province.sites.allSatisfy { $0.site.code.hasPrefix("DEMO-") && $0.site.name.hasPrefix("[Mô phỏng] ") })
        #expect(Set(province.sites.map(\.site.upstream)).count >= 16, "2–4 nodes in each of 8 districts")
    }

    @Test func aBatchCarriesTheAgentsNamesAndDecodes() throws {
        let demo = DemoProvince(sites: 3, seed: 3).sites[2]
        let batches = DemoHistory(site: demo, seed: 3, days: 1, now: 1_796_000_000_000).batches()
        #expect(batches.count == 4, "a day in six-hour batches")
        let decoded = try WireBatch.decode(batches[0].encoded())
        #expect(decoded == batches[0])
        let metrics = Set(decoded.definitions.map(\.key.metric))
        #expect(metrics.isSubset(of: Set(MetricCatalog.all.map(\.name))), "\(metrics.subtracting(MetricCatalog.all.map(\.name)))")
        #expect(decoded.definitions.allSatisfy { $0.key[label: "site"] == demo.site.code })
        #expect(decoded.events.contains { $0.kind == Event.inventory })
    }
}
