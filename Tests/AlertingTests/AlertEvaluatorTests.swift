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
        line.groupByUpstream = true
        let evaluator = AlertEvaluator(rules: [line], store: store)
        var upstream: [String: String] = [:]
        for i in 0..<30 { upstream[String(format: "ST-%02d", i)] = "POP Sơn Tịnh" }
        upstream["LS-01"] = "POP Lý Sơn"
        await evaluator.setUpstreams(upstream)
        var told: [AlertNotice] = []
        // The node fails: the 30 offices' uploads arrive over 4G within a few seconds, one by one.
        for i in 0..<30 {
            let site = String(format: "ST-%02d", i)
            try await upload(store, site: site, line: 0, portal: 1, at: t0 + TimestampMs(i) * 200, n: 1)
            told += try await evaluator.evaluate(site: site, now: t0 + TimestampMs(i) * 200 + 100)
        }
        #expect(told.count == 2, "\(self.told(told))")
        #expect(told.first?.rule.name == "DedicatedLineDown" && told.last?.rule.name == "DedicatedLineDownUpstream")
        #expect(told.last?.labels["upstream"] == "POP Sơn Tịnh" && told.last?.value == 30 - 28,
                "the group is told when the second site fails, the rest join it silently")
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

    @Test func inhibitingAnUnknownRuleIsNamed() throws {
        let dir = "/tmp/cw-inhibit-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'x < 1'\n        inhibits: [Nope]\n"
            .write(toFile: dir + "/a.yml", atomically: true, encoding: .utf8)
        #expect(throws: RuleFileError.self) { try RuleFile.loadDirectory(dir) }
        do { _ = try RuleFile.loadDirectory(dir) } catch { #expect(error.description.contains("inhibits 'Nope'")) }
    }
}
