import Foundation
import Storage
import Testing
@testable import Alerting
import WatchModel

/// The evaluator over an in-memory store with a manual clock: per-series incidents, inhibition by
/// a cut line at the same site, silences.
@Suite struct AlertEvaluatorTests {
    let t0: TimestampMs = 1_800_000_000_000

    func rules() throws -> [AlertRule] {
        var line = AlertRule(name: "DedicatedLineDown", expression: try RuleExpression.parse(#"last_over_time(probe_path_up{path="dedicated"}[2m]) < 1"#),
                             policy: .init(resolveHold: 0), severity: .critical)
        line.inhibits = ["PortalDown"]
        let portal = AlertRule(name: "PortalDown", expression: try RuleExpression.parse(#"probe_success{kind="http"} < 1"#), policy: .init(resolveHold: 0))
        return [line, portal]
    }

    /// One upload of a site: the line's state and one portal's, at `at`.
    func upload(_ store: MemoryStore, site: String, line: Double, portal: Double, at: TimestampMs, n: Int) async throws {
        let batch = IngestBatch(agentID: "agt-" + site, site: site, batchID: "\(site)-\(n)", catalog: 1,
                                definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_path_up", ["path": "dedicated"])),
                                              SeriesDefinition(id: 2, key: SeriesKey("probe_success", ["kind": "http", "probe": "dichvucong"]))],
                                series: [WireSeries(id: 1, points: [WirePoint(timestamp: at, value: line)]),
                                         WireSeries(id: 2, points: [WirePoint(timestamp: at, value: portal)])],
                                events: [])
        _ = try await store.ingest(batch)
    }

    func told(_ notices: [AlertNotice]) -> [String] {
        notices.map { "\($0.rule.name)@\($0.labels["site"] ?? ""):\($0.changeName)" }.sorted()
    }

    @Test func aCutLineDoesNotAlsoPageForThePortalBehindIt() async throws {
        let store = MemoryStore()
        let evaluator = AlertEvaluator(rules: try rules(), store: store)
        // Site A: the line and the portal fail in the same upload; site B: only the portal.
        try await upload(store, site: "A", line: 0, portal: 0, at: t0, n: 1)
        try await upload(store, site: "B", line: 1, portal: 0, at: t0, n: 1)
        #expect(told(try await evaluator.evaluate(site: nil, now: t0 + 1_000)) == ["DedicatedLineDown@A:fired", "PortalDown@B:fired"])
        let open = await evaluator.openIncidents()
        #expect(open.count == 3 && open.filter(\.muted).map { $0.labels["site"] } == ["A"], "the portal incident at A is kept, not told")
        // The line comes back but the portal stays down: now it is the portal's own problem, told once.
        try await upload(store, site: "A", line: 1, portal: 0, at: t0 + 10_000, n: 2)
        #expect(told(try await evaluator.evaluate(site: "A", now: t0 + 11_000)) == ["DedicatedLineDown@A:resolved", "PortalDown@A:fired"])
        #expect(told(try await evaluator.evaluate(site: "A", now: t0 + 12_000)).isEmpty)
    }

    /// A pending incident (inside its rule's `for`) is listed from its first breach, and fires with that same start.
    @Test func aPendingIncidentIsListedFromItsFirstBreach() async throws {
        let store = MemoryStore()
        let slow = AlertRule(name: "DedicatedLineDown", expression: try RuleExpression.parse(#"last_over_time(probe_path_up{path="dedicated"}[2m]) < 1"#),
                             policy: .init(holdFor: 60_000, resolveHold: 0), severity: .critical)
        let evaluator = AlertEvaluator(rules: [slow], store: store)
        try await upload(store, site: "A", line: 0, portal: 1, at: t0, n: 1)
        #expect(try await evaluator.evaluate(site: "A", now: t0 + 1_000).isEmpty)
        let pending = await evaluator.openIncidents()
        #expect(pending.map(\.phase) == [.pending] && pending.first?.since == t0 + 1_000, "\(pending)")
        try await upload(store, site: "A", line: 0, portal: 1, at: t0 + 61_000, n: 2)
        #expect(told(try await evaluator.evaluate(site: "A", now: t0 + 61_000)) == ["DedicatedLineDown@A:fired"])
        #expect(await evaluator.openIncidents().first?.since == t0 + 1_000, "the same start, so the same incident id")
    }

    @Test func anInhibitedIncidentThatEndsWithTheCutIsNeverTold() async throws {
        let store = MemoryStore()
        let evaluator = AlertEvaluator(rules: try rules(), store: store)
        try await upload(store, site: "A", line: 0, portal: 0, at: t0, n: 1)
        #expect(told(try await evaluator.evaluate(site: "A", now: t0 + 1_000)) == ["DedicatedLineDown@A:fired"])
        try await upload(store, site: "A", line: 1, portal: 1, at: t0 + 10_000, n: 2)
        #expect(told(try await evaluator.evaluate(site: "A", now: t0 + 11_000)) == ["DedicatedLineDown@A:resolved"])
    }

    @Test func aPlannedPowerCutIsSilencedAndToldIfItOutlastsTheWindow() async throws {
        let store = MemoryStore()
        let evaluator = AlertEvaluator(rules: try rules(), store: store)
        await evaluator.silence(Silence(id: "s1", matchers: ["site": "A"], starts: t0, ends: t0 + 60_000, createdBy: "chị Lan",
                                        comment: "cắt điện theo kế hoạch 08:00–12:00"))
        try await upload(store, site: "A", line: 0, portal: 1, at: t0 + 1_000, n: 1)
        try await upload(store, site: "B", line: 0, portal: 1, at: t0 + 1_000, n: 1)
        #expect(told(try await evaluator.evaluate(site: nil, now: t0 + 2_000)) == ["DedicatedLineDown@B:fired"], "B is not silenced")
        // Still down when the window ends: told then.
        try await upload(store, site: "A", line: 0, portal: 1, at: t0 + 61_000, n: 2)
        #expect(told(try await evaluator.evaluate(site: "A", now: t0 + 62_000)) == ["DedicatedLineDown@A:fired"])
        // Expiring a silence early works the same way.
        await evaluator.silence(Silence(id: "s2", matchers: ["alertname": "DedicatedLineDown", "site": "B"], starts: t0, ends: t0 + 600_000,
                                        createdBy: "x", comment: ""))
        #expect(await evaluator.expire(silence: "s2", now: t0 + 70_000))
        #expect(!(await evaluator.expire(silence: "nope", now: t0 + 70_000)))
    }

    @Test func thirtySitesBehindOneNodeAreOneMessage() async throws {
        let store = MemoryStore()
        var line = try rules()[0]
        line.groupBy = .upstream
        let evaluator = AlertEvaluator(rules: [line], store: store)
        var upstream: [String: String] = [:]
        for i in 0..<30 { upstream[String(format: "ST-%02d", i)] = "POP Sơn Tịnh" }
        upstream["LS-01"] = "POP Lý Sơn"
        await evaluator.setSites(upstream: upstream, district: [:])
        var told: [AlertNotice] = []
        // The node fails: the 30 offices' uploads arrive over 4G within a few seconds, one by one.
        for i in 0..<30 {
            let site = String(format: "ST-%02d", i)
            try await upload(store, site: site, line: 0, portal: 1, at: t0 + TimestampMs(i) * 200, n: 1)
            told += try await evaluator.evaluate(site: site, now: t0 + TimestampMs(i) * 200 + 100)
        }
        // The node's message waits 15 s after the second site so it names everyone cut in those seconds.
        told += try await evaluator.evaluate(site: nil, now: t0 + 30 * 200 + 15_000)
        #expect(told.count == 2, "\(self.told(told))")
        #expect(told.first?.rule.name == "DedicatedLineDown" && told.last?.rule.name == "DedicatedLineDownUpstream")
        #expect(told.last?.labels["upstream"] == "POP Sơn Tịnh" && told.last?.value == 30,
                "the group names all 30 sites")
        // Elsewhere, an office alone is told as before.
        try await upload(store, site: "LS-01", line: 0, portal: 1, at: t0 + 7_000, n: 1)
        #expect(self.told(try await evaluator.evaluate(site: "LS-01", now: t0 + 7_100)) == ["DedicatedLineDown@LS-01:fired"])
        // The node comes back: one resolution for the group, once the last office is back.
        var after: [AlertNotice] = []
        for i in 0..<30 {
            let site = String(format: "ST-%02d", i)
            try await upload(store, site: site, line: 1, portal: 1, at: t0 + 60_000 + TimestampMs(i) * 200, n: 2)
            after += try await evaluator.evaluate(site: site, now: t0 + 60_000 + TimestampMs(i) * 200 + 100)
        }
        #expect(after.map(\.changeName) == ["resolved"] && after.first?.labels["upstream"] == "POP Sơn Tịnh", "\(self.told(after))")
    }

    @Test func sitesOfOneDistrictWithoutAnUpstreamNodeAreGroupedByDistrict() async throws {
        let store = MemoryStore()
        var line = try rules()[0]
        line.annotations = ["summary_vi": "Mất đường truyền chuyên dùng tại {{site}}", "summary_en": "Dedicated line down at {{site}}"]
        line.groupBy = .upstream
        let evaluator = AlertEvaluator(rules: [line], store: store)
        // No upstream node registered: the district stands in for it.
        await evaluator.setSites(upstream: [:], district: ["D1": "Sơn Tịnh", "D2": "Sơn Tịnh", "D3": "Sơn Tịnh", "E1": "Lý Sơn"])
        var told: [AlertNotice] = []
        for (i, site) in ["D1", "D2", "D3", "E1"].enumerated() {
            try await upload(store, site: site, line: 0, portal: 1, at: t0 + TimestampMs(i) * 1_000, n: 1)
            told += try await evaluator.evaluate(site: site, now: t0 + TimestampMs(i) * 1_000 + 100)
        }
        told += try await evaluator.evaluate(site: nil, now: t0 + 20_000)
        #expect(self.told(told) == ["DedicatedLineDown@D1:fired", "DedicatedLineDown@E1:fired", "DedicatedLineDownDistrict@:fired"])
        let group = try #require(told.first { $0.rule.name == "DedicatedLineDownDistrict" })
        #expect(group.labels["district"] == "Sơn Tịnh")
        #expect(group.text("summary", language: "vi") == "3 xã sau huyện/khu vực Sơn Tịnh: Mất đường truyền chuyên dùng — D1, D2, D3",
                "the rule's words without the per-site placeholder")
    }

    @Test func aPortalDownFromManySitesIsOneIncidentAboutThePortal() async throws {
        let store = MemoryStore()
        var portal = try rules()[1]
        portal.groupBy = .target
        let evaluator = AlertEvaluator(rules: [portal], store: store)
        let sites = (0..<10).map { String(format: "S-%02d", $0) }
        // Every site probes the portal and it works.
        for site in sites { try await upload(store, site: site, line: 1, portal: 1, at: t0, n: 1) }
        #expect(try await evaluator.evaluate(site: nil, now: t0 + 100).isEmpty)
        // One site's last mile fails: held for the window, then told as its own.
        try await upload(store, site: "S-00", line: 1, portal: 0, at: t0 + 10_000, n: 2)
        #expect(try await evaluator.evaluate(site: "S-00", now: t0 + 10_100).isEmpty, "held to see whether others follow")
        #expect(try await evaluator.evaluate(site: nil, now: t0 + 60_000).isEmpty)
        #expect(told(try await evaluator.evaluate(site: nil, now: t0 + 101_000)) == ["PortalDown@S-00:fired"], "alone after 90 s: the site's own")
        // Later the portal itself fails: 3 of 10 sites within seconds is 30%: one incident about it.
        var now = t0 + 200_000
        var everywhere: [AlertNotice] = []
        for (i, site) in sites.dropFirst().enumerated() {
            try await upload(store, site: site, line: 1, portal: 0, at: now, n: 3)
            everywhere += try await evaluator.evaluate(site: site, now: now + 100)
            now += 1_000 + TimestampMs(i)
        }
        #expect(self.told(everywhere) == ["PortalDownEverywhere@:fired"], "\(self.told(everywhere))")
        #expect(everywhere.first?.labels["probe"] == "dichvucong")
        #expect(everywhere.first?.text("summary", language: "en")?.contains("the portal's problem") == true)
        // Back everywhere: one resolution, once every site in it is back.
        var back: [AlertNotice] = []
        for site in sites.dropFirst() {
            now += 1_000
            try await upload(store, site: site, line: 1, portal: 1, at: now, n: 4)
            back += try await evaluator.evaluate(site: site, now: now + 100)
        }
        #expect(self.told(back) == ["PortalDownEverywhere@:resolved"])
    }

    @Test func aQuietAgentIsExplained() async throws {
        let store = MemoryStore()
        let silent = AlertRule(name: "AgentSilent", expression: try RuleExpression.parse("agent_contact_age_seconds > 600"),
                               resolveThreshold: 120, policy: .init(resolveHold: 0), severity: .critical,
                               annotations: ["summary_en": "No contact with {{labels.agent}}: {{office}}"])
        let evaluator = AlertEvaluator(rules: [silent], store: store)
        // Office A: one agent, heard over the line. Office B: two agents. Office C: line down, on 4G.
        await evaluator.contact(AgentContact(site: "A", agent: "a1", path: "dedicated", at: t0))
        await evaluator.contact(AgentContact(site: "B", agent: "b1", path: "dedicated", at: t0))
        await evaluator.contact(AgentContact(site: "B", agent: "b2", path: "dedicated", at: t0))
        await evaluator.contact(AgentContact(site: "C", agent: "c1", path: "dedicated", at: t0))
        #expect(try await evaluator.evaluate(site: nil, now: t0 + 1_000).isEmpty)
        // Then: A goes dark; at B, b1 stops while b2 goes on; C's line is cut, its heartbeats come over 4G.
        var now = t0
        for _ in 0..<14 {
            now += 60_000
            await evaluator.contact(AgentContact(site: "B", agent: "b2", path: "dedicated", at: now))
            await evaluator.contact(AgentContact(site: "C", agent: "c1", path: "4g", at: now))
        }
        let told = try await evaluator.evaluate(site: nil, now: now)
        #expect(self.told(told) == ["AgentSilent@A:fired", "AgentSilent@B:fired"])
        let text = Dictionary(told.map { ($0.labels["site"] ?? "", $0.text("summary", language: "en") ?? "") }) { a, _ in a }
        #expect(text["A"] == "No contact with a1: office dark (no contact on any path: power or total cut)")
        #expect(text["B"] == "No contact with b1: agent stopped (the office's other agents still report)")
        #expect(await evaluator.officeState(site: "C", now: now) == .lineDownOn4G, "C is not silent: alive on 4G")
        // A's power comes back: resolved.
        await evaluator.contact(AgentContact(site: "A", agent: "a1", path: "dedicated", at: now + 30_000))
        #expect(self.told(try await evaluator.evaluate(site: "A", now: now + 31_000)) == ["AgentSilent@A:resolved"])
    }

    @Test func inhibitingAnUnknownRuleIsNamed() throws {
        let dir = "/tmp/cw-inhibit-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'x < 1'\n        inhibits: [Nope]\n"
            .write(toFile: dir + "/a.yml", atomically: true, encoding: .utf8)
        #expect(throws: RuleFileError.self) { try RuleFile.loadDirectory(dir) }
        do { _ = try RuleFile.loadDirectory(dir) } catch { #expect(error.description.contains("inhibits 'Nope'")) }
    }
}
