import Foundation
import PostgresStorage
import SQLiteStorage
import Storage
import Testing
import TestSupport
import WatchModel

/// The stores the collector can use, each under the same tests: in memory (the reference),
/// SQLite, PostgreSQL.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite, postgres
    var testDescription: String { rawValue }

    /// A new, empty store, and a way to open a second one on the same database (a second collector).
    func make() async throws -> (store: any CollectorStore, twin: () async throws -> any CollectorStore) {
        switch self {
        case .memory:
            let store = MemoryStore()
            return (store, { store })
        case .sqlite:
            let path = scratchDirectory("store") + "/collector.db"
            return (try SQLiteStore(path: path), { try SQLiteStore(path: path) })
        case .postgres:
            let url = try PostgresPeer.shared.get().newDatabase()
            return (try await PostgresStore.open(url: url), { try await PostgresStore.open(url: url) })
        }
    }
}

/// What every store must do the same way: exactly-once ingest, catalogs, queries, access rules,
/// compaction and retention with rollups that still give a p95 over long spans.
@Suite(.ownThread) struct StoreConformanceTests {
    let start: TimestampMs = 1_704_067_200_000
    let rtt = SeriesKey("probe_icmp_rtt_median_seconds", ["probe": "gateway", "path": "dedicated", "site": "SPOOFED"])
    let up = SeriesKey("probe_up", ["probe": "gateway", "path": "dedicated"])

    func batch(_ id: String, agent: String = "agt-1", site: String = "QNG-001", catalog: UInt64 = 7, definitions: [SeriesDefinition] = [],
               series: [WireSeries], events: [Event] = [], correction: TimestampMs = 0) -> IngestBatch {
        IngestBatch(agentID: agent, site: site, batchID: id, catalog: catalog, definitions: definitions, series: series, events: events,
                    clockCorrection: correction)
    }

    func points(_ from: Int, _ count: Int, value: (Int) -> Double = { Double($0) / 1000 }) -> [WirePoint] {
        (from..<from + count).map { WirePoint(timestamp: start + TimestampMs($0) * 10_000, value: value($0)) }
    }

    @Test(arguments: StoreKind.allCases) func ingestIsExactlyOnceAndQueriesAgree(kind: StoreKind) async throws {
        let (store, _) = try await kind.make()
        defer { Task { await store.close() } }
        let definitions = [SeriesDefinition(id: 1, key: rtt), SeriesDefinition(id: 2, key: up)]
        let first = batch("b1", definitions: definitions, series: [WireSeries(id: 1, points: points(0, 30)), WireSeries(id: 2, points: points(0, 30) { _ in 1 })],
                          events: [Event(kind: "state_changed", timestamp: start, labels: ["probe": "gateway", "state": "failed"], text: "gateway down")])
        #expect(try await store.ingest(first) == .stored(samples: 60))
        #expect(try await store.ingest(first) == .duplicate, "a batch id is stored once")
        // Known series travel without definitions; an id the catalog never defined stores nothing.
        #expect(try await store.ingest(batch("b2", series: [WireSeries(id: 1, points: points(30, 30))])) == .stored(samples: 30))
        #expect(try await store.ingest(batch("b3", series: [WireSeries(id: 1, points: points(60, 5)), WireSeries(id: 9, points: points(60, 5))]))
                == .unknownSeries([9]))
        #expect(try await store.ingest(batch("b3", catalog: 8, series: [WireSeries(id: 1, points: points(60, 5))])) == .unknownSeries([1]),
                "catalogs are per agent spool")
        // A late batch, out of order, with the agent's clock 2 s behind: corrected, merged in time order.
        let late = batch("b4", series: [WireSeries(id: 1, points: points(-10, 10))], correction: 2_000)
        #expect(try await store.ingest(late) == .stored(samples: 10))

        // The site label is the collector's: the agent's "SPOOFED" is replaced.
        let stored = SeriesKey(rtt.metric, ["probe": "gateway", "path": "dedicated", "site": "QNG-001"])
        #expect(try await store.series(metric: rtt.metric, matching: [:]) == [stored])
        #expect(try await store.series(metric: rtt.metric, matching: ["site": "SPOOFED"]).isEmpty)
        let all = try await store.points(stored, from: start - 200_000, to: start + 1_000_000)
        #expect(all.count == 70)
        #expect(all.map(\.timestamp) == all.map(\.timestamp).sorted())
        #expect(all.first?.timestamp == start - 100_000 + 2_000, "the clock correction is applied")
        #expect(try await store.points(stored, from: start, to: start + 90_000).count == 10, "the range is inclusive at both ends")

        // Latest: the newest point, whatever order the batches came in.
        let latest = try await store.latest(metric: rtt.metric, matching: ["site": "QNG-001"])
        #expect(latest.count == 1 && latest.first?.point.timestamp == start + 590_000 && latest.first?.point.value == 0.059)
        let rows = try await store.latestRows(metric: up.metric, site: "QNG-001")
        #expect(rows.count == 1 && LabelText.decode(rows[0].labelsJSON)["site"] == "QNG-001" && rows[0].value == 1)
        #expect(try await store.latestRows(metric: up.metric, site: "QNG-002").isEmpty)
        #expect(try await store.everyLatest().map(\.key.metric).sorted() == [rtt.metric, up.metric])

        // Events: newest first, labelled with the site.
        let events = try await store.events(site: "QNG-001", from: start - 1, to: start + 1, limit: 10)
        #expect(events.count == 1 && events[0].labels["site"] == "QNG-001" && events[0].text == "gateway down")
        #expect(try await store.events(site: "QNG-002", from: 0, to: .max, limit: 10).isEmpty)

        // Rollups from raw data: 5-minute buckets with count, mean, min, max, exact p95.
        let fiveMinutes = try await store.rollups(stored, resolution: Rollup.fiveMinutes, from: start, to: start + 599_999)
        #expect(fiveMinutes.map(\.count) == [30, 30])
        #expect(fiveMinutes.first.map { $0.min == 0 && $0.max == 0.029 && abs($0.mean - 0.0145) < 1e-12 && $0.p95 == 0.028 } == true,
                "\(fiveMinutes)")
    }

    @Test(arguments: StoreKind.allCases) func twinBatchesFromTwoCollectorsAreStoredOnce(kind: StoreKind) async throws {
        let (store, twin) = try await kind.make()
        let other = try await twin()
        defer { Task { await store.close(); await other.close() } }
        let definitions = [SeriesDefinition(id: 1, key: rtt)]
        #expect(try await store.ingest(batch("define", definitions: definitions, series: [])) == .stored(samples: 0))
        // The same 20 batches, each sent to both collectors at once (an agent retrying after a lost reply).
        let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
            for n in 0..<20 {
                let b = batch("twin-\(n)", series: [WireSeries(id: 1, points: points(n * 10, 10))])
                group.addTask { try await store.ingest(b) }
                group.addTask { try await other.ingest(b) }
            }
            return try await group.reduce(into: [IngestOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .stored(samples: 10) }.count == 20)
        #expect(outcomes.filter { $0 == .duplicate }.count == 20)
        let key = SeriesKey(rtt.metric, ["probe": "gateway", "path": "dedicated", "site": "QNG-001"])
        #expect(try await other.points(key, from: start, to: start + 10_000_000).count == 200)
    }

    @Test(arguments: StoreKind.allCases) func accessRules(kind: StoreKind) async throws {
        let (store, twin) = try await kind.make()
        defer { Task { await store.close() } }
        let admin = try #require(try await store.firstAdminToken())
        #expect(try await store.firstAdminToken() == nil, "the first admin token is made once")
        let other = try await twin()
        #expect(try await other.firstAdminToken() == nil, "a second collector on the same database makes none")
        await other.close()
        #expect(try await store.isAdmin(token: admin))
        #expect(try await !store.isAdmin(token: admin + "0"))

        try await store.upsert(Site(code: "QNG-TINHKHE", name: "Xã Tịnh Khê", kind: .commune, latitude: 15.17))
        try await store.upsert(Site(code: "QNG-TINHKHE", name: "Xã Tịnh Khê", kind: .ward, upstream: "POP Sơn Tịnh"))
        #expect(try await store.site("QNG-TINHKHE").map { $0.kind == .ward && $0.upstream == "POP Sơn Tịnh" && $0.latitude == nil } == true)
        #expect(try await store.sites().map(\.code) == ["QNG-TINHKHE"])
        #expect(try await store.site("QNG-NONE") == nil)

        let token = try await store.createEnrollmentToken(site: "QNG-TINHKHE", validForSeconds: 3600)
        let (agent, secret) = try #require(try await store.enroll(token: token, hostname: "pc-1"))
        #expect(agent.site == "QNG-TINHKHE" && agent.hostname == "pc-1")
        #expect(try await store.enroll(token: token, hostname: "pc-2") == nil, "a token enrolls one agent")
        let expired = try await store.createEnrollmentToken(site: "QNG-TINHKHE", validForSeconds: 0)
        #expect(try await store.enroll(token: expired, hostname: "pc-3") == nil)
        #expect(try await store.authenticate(agentID: agent.id, secret: secret)?.site == "QNG-TINHKHE")
        #expect(try await store.authenticate(agentID: agent.id, secret: String(secret.reversed())) == nil)
        #expect(try await store.agents() == [AgentRecord(id: agent.id, site: "QNG-TINHKHE", hostname: "pc-1")])
        #expect(try await store.revoke(agentID: agent.id))
        #expect(try await store.agents().map(\.revoked) == [true], "listed, marked revoked")
        #expect(try await !store.revoke(agentID: agent.id), "revoked once")
        #expect(try await store.authenticate(agentID: agent.id, secret: secret) == nil, "a revoked agent is refused")

        try await store.setProbeList(site: nil, toml: "[[probe]]\nkind = \"tcp\"\n")
        try await store.setProbeList(site: "QNG-TINHKHE", toml: "# Tịnh Khê\n")
        #expect(try await store.probeList(site: nil) == "[[probe]]\nkind = \"tcp\"\n")
        #expect(try await store.probeList(site: "QNG-TINHKHE") == "# Tịnh Khê\n")
        try await store.setProbeList(site: "QNG-TINHKHE", toml: nil)
        #expect(try await store.probeList(site: "QNG-TINHKHE") == nil)
    }

    /// Staff accounts and their sessions: the same on every store, and seen by a second collector on the same database.
    @Test(arguments: StoreKind.allCases) func staffAccountsAndSessions(kind: StoreKind) async throws {
        let (store, twin) = try await kind.make()
        defer { Task { await store.close() } }
        let tuan = StaffAccount(login: "tuan", displayName: "anh Tuấn", role: .support, passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA==$a2V5",
                                createdAt: start)
        let lan = StaffAccount(login: "lan", displayName: "chị Lan", role: .planner, passwordHash: "$scrypt$x", createdAt: start + 1)
        #expect(try await store.add(staff: tuan))
        #expect(try await !store.add(staff: StaffAccount(login: "tuan", displayName: "other", role: .admin, passwordHash: "x", createdAt: start)),
                "a login is taken once")
        #expect(try await store.add(staff: lan))
        #expect(try await store.staff(login: "tuan") == tuan, "the first account with that login is kept as it was")
        #expect(try await store.staff(login: "nobody") == nil)
        #expect(try await store.staffAccounts() == [lan, tuan], "by login")

        var changed = tuan
        changed.role = .admin
        changed.displayName = "anh Tuấn (tổ 1)"
        changed.passwordHash = "$scrypt$new"
        changed.disabledAt = start + 5_000
        #expect(try await store.update(staff: changed))
        #expect(try await store.staff(login: "tuan") == changed)
        #expect(try await !store.update(staff: StaffAccount(login: "ghost", displayName: "g", role: .viewer, passwordHash: "x", createdAt: start)))

        // Sessions: kept by the hash of their token only; touched, ended one by one, per login, when expired.
        let (token, session) = StaffSession.start(login: "lan", now: start, idleMs: 3_600_000)
        #expect(session.idHash == Secret.hash(token) && session.idHash != token && session.csrfToken.count == 64)
        let (_, other) = StaffSession.start(login: "lan", now: start, idleMs: 60_000)
        let (_, tuans) = StaffSession.start(login: "tuan", now: start, idleMs: 3_600_000)
        for s in [session, other, tuans] { try await store.add(session: s) }
        #expect(try await store.session(idHash: session.idHash) == session)
        #expect(try await store.session(idHash: token) == nil, "the token itself opens nothing")
        try await store.touch(session: session.idHash, lastSeenAt: start + 30_000, expiresAt: start + 3_630_000)
        let second = try await twin()
        let touched = try await second.session(idHash: session.idHash)
        #expect(touched?.lastSeenAt == start + 30_000 && touched?.expiresAt == start + 3_630_000 && touched?.createdAt == start,
                "another collector on the database sees the session moved forward")
        await second.close()
        #expect(try await store.endExpiredSessions(now: start + 120_000) == 1, "the one with a minute of idle time")
        #expect(try await store.session(idHash: other.idHash) == nil)
        #expect(try await store.endSessions(login: "tuan") == 1)
        #expect(try await store.session(idHash: tuans.idHash) == nil)
        #expect(try await store.session(idHash: session.idHash) != nil, "another login's session stays")
        try await store.endSession(idHash: session.idHash)
        #expect(try await store.session(idHash: session.idHash) == nil)
        #expect(try await store.endSessions(login: "lan") == 0)
    }

    /// A day of uploads: compaction keeps every point, retention turns raw data into rollups,
    /// and a week-long p95 merged from stored rollups stays within 1% of the raw samples'.
    @Test(arguments: StoreKind.allCases) func compactionAndRetentionKeepTheEvidence(kind: StoreKind) async throws {
        let (store, _) = try await kind.make()
        defer { Task { await store.close() } }
        let key = SeriesKey("probe_icmp_rtt_median_seconds", ["probe": "gateway", "site": "QNG-001"])
        var generator = SystemRandomNumberGenerator()
        // 144 uploads of 10 minutes each (60 points at 10 s): one day of latencies with a slow tail.
        for upload in 0..<144 {
            let points = (0..<60).map { i in
                let slow = UInt8.random(in: 0...19, using: &generator) == 0 ? 80.0 : 0
                return WirePoint(timestamp: start + TimestampMs(upload * 60 + i) * 10_000,
                                 value: ((20 + slow + Double(UInt8.random(in: 0...200, using: &generator)) / 100) / 1000).rounded(toPlaces: 6))
            }
            let outcome = try await store.ingest(batch(String(format: "%032x", upload), definitions: upload == 0 ? [SeriesDefinition(id: 1, key: key)] : [],
                                                       series: [WireSeries(id: 1, points: points)]))
            #expect(outcome == .stored(samples: 60))
        }
        let before = try await store.points(key, from: start, to: start + 86_400_000)
        #expect(before.count == 8640)
        let done = try await store.compact(olderThan: start + 2 * 86_400_000)
        if kind != .memory { #expect(done.chunksBefore == 144 && done.chunksAfter == 1 && done.samples == 8640) }
        #expect(try await store.points(key, from: start, to: start + 86_400_000) == before, "compaction must not change a single point")
        #expect(try await store.latest(metric: key.metric, matching: [:]).first?.point == before.last)
        #expect(try await store.compact(olderThan: start + 2 * 86_400_000).chunksBefore == 0, "a compacted day is left alone")

        let fiveMinutes = try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 86_400_000)
        let hours = try await store.rollups(key, resolution: Rollup.hour, from: start, to: start + 86_400_000)
        #expect(fiveMinutes.count == 288 && fiveMinutes.allSatisfy { $0.count == 30 })
        #expect(hours.count == 24 && hours.allSatisfy { $0.count == 360 })
        let firstHour = before.prefix(360).map(\.value).sorted()
        #expect(hours[0].min == firstHour.first && hours[0].max == firstHour.last && hours[0].p95 == firstHour[341])
        #expect(abs(hours[0].mean - firstHour.reduce(0, +) / 360) < 1e-12)

        // Forty days later the raw data is gone and the rollups stand for it.
        try await store.enforce(Retention(), now: start + 40 * 86_400_000)
        #expect(try await store.points(key, from: start, to: start + 86_400_000).isEmpty)
        let stored = try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 86_400_000)
        #expect(stored.count == 288 && stored.map(\.count) == fiveMinutes.map(\.count) && stored.map(\.max) == fiveMinutes.map(\.max))
        // The day's p95 out of 288 stored 5-minute rollups, against the exact p95 of the 8,640 raw samples.
        let all = before.map(\.value).sorted()
        let exact = all[Int((0.95 * Double(all.count)).rounded(.up)) - 1]
        let day = try #require(Rollup.regroup(stored, from: start, step: 86_400_000).first)
        #expect(day.count == 8640 && day.max == all.last && day.min == all.first)
        #expect(abs(day.p95 - exact) <= exact * QuantileSketch.accuracy, "p95 of the day \(day.p95), exact \(exact)")

        // A late upload into an expired day joins the stored bucket instead of replacing it.
        let late = WirePoint(timestamp: start + 5_000, value: 0.5)
        #expect(try await store.ingest(batch("late", series: [WireSeries(id: 1, points: [late])])) == .stored(samples: 1))
        try await store.enforce(Retention(), now: start + 41 * 86_400_000)
        let merged = try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 299_999)
        #expect(merged.count == 1 && merged[0].count == 31 && merged[0].max == 0.5)

        try await store.enforce(Retention(), now: start + 400 * 86_400_000)
        #expect(try await store.rollups(key, resolution: Rollup.fiveMinutes, from: start, to: start + 86_400_000).isEmpty)
        #expect(try await store.rollups(key, resolution: Rollup.hour, from: start, to: start + 86_400_000).count == 24)
    }

    // MARK: silences

    func silence(_ id: String, _ matchers: [String: String], from starts: TimestampMs, hours: TimestampMs, comment: String = "") -> SilenceRecord {
        SilenceRecord(id: id, matchers: matchers, starts: start + starts * 3_600_000, ends: start + (starts + hours) * 3_600_000,
                      createdBy: "chị Hương", comment: comment, createdAt: start - 86_400_000)
    }

    /// Maintenance windows: listed while active or still to come, by start; one ended is not;
    /// saving again by id replaces (how a silence is expired early).
    @Test(arguments: StoreKind.allCases) func silencesAreListedUntilTheyEnd(kind: StoreKind) async throws {
        let (store, _) = try await kind.make()
        defer { Task { await store.close() } }
        let now = start + 9 * 3_600_000
        let powerCut = silence("s-power", ["site": "QNG-TINHKHE"], from: 8, hours: 4, comment: "Điện lực cắt điện 08:00–12:00")
        let tomorrow = silence("s-tomorrow", ["site": "QNG-TRABONG", "alertname": "DedicatedLineDown"], from: 32, hours: 2)
        let yesterday = silence("s-yesterday", ["site": "QNG-TINHKHE"], from: -16, hours: 4)
        let endsNow = silence("s-ends-now", ["site": "QNG-001"], from: 7, hours: 2)
        let longer = silence("s-week", ["severity": "warning"], from: 1, hours: 24 * 7)
        for s in [tomorrow, yesterday, powerCut, endsNow, longer] { try await store.save(silence: s) }

        #expect(try await store.silences(endingAfter: now) == [longer, powerCut, tomorrow], "by start; every field as saved")
        #expect(try await store.silences(endingAfter: now - 1).map(\.id) == ["s-week", "s-ends-now", "s-power", "s-tomorrow"],
                "a silence ending exactly at the query time is over")
        #expect(try await store.silences(endingAfter: start - 86_400_000).map(\.id) == ["s-yesterday", "s-week", "s-ends-now", "s-power", "s-tomorrow"])
        #expect(try await store.silences(endingAfter: start + 200 * 3_600_000).isEmpty)

        // Expired early: saved again with the same id and ends = now; one row, not two.
        var expired = powerCut
        expired.ends = now
        expired.comment = "Có điện lại sớm"
        try await store.save(silence: expired)
        #expect(try await store.silences(endingAfter: now).map(\.id) == ["s-week", "s-tomorrow"])
        #expect(try await store.silences(endingAfter: now - 1).filter { $0.id == "s-power" } == [expired])

        // Moved to start later: the order follows the new start.
        var moved = longer
        moved.starts = start + 40 * 3_600_000
        try await store.save(silence: moved)
        #expect(try await store.silences(endingAfter: now).map(\.id) == ["s-tomorrow", "s-week"])

        // Same start: ordered by id, the same way on every store.
        let twinA = silence("s-b", ["site": "QNG-002"], from: 50, hours: 1)
        let twinB = silence("s-a", ["site": "QNG-003"], from: 50, hours: 1)
        for s in [twinA, twinB] { try await store.save(silence: s) }
        #expect(try await store.silences(endingAfter: now).map(\.id) == ["s-tomorrow", "s-week", "s-a", "s-b"])
    }

    /// Matchers come back exactly, whatever their text: Vietnamese, and the characters a naive
    /// `k=v,k=v` or quoted encoding would trip on.
    @Test(arguments: StoreKind.allCases) func silenceMatchersRoundTripExactly(kind: StoreKind) async throws {
        let (store, _) = try await kind.make()
        defer { Task { await store.close() } }
        let awkward: [[String: String]] = [
            ["site": "Xã Tịnh Khê", "đường truyền": "cáp quang (VNPT)", "ghi chú": "Điện lực Quảng Ngãi — cắt điện"],
            ["a": "1,b=2"],
            ["a": "1", "b": "2"],
            ["k=v": "x=y,z", "quote\"": "\"đã\" báo", "back\\slash": "tab\tnewline\nend", "": "", "emoji": "⚡️🔌"],
            // Decomposed (NFD) "Tiến", as some keyboards type it.
            ["site": "Xa\u{0303} Tie\u{0302}\u{0301}n"],
            [:],
        ]
        var saved: [SilenceRecord] = []
        for (n, matchers) in awkward.enumerated() {
            let s = silence("s-\(n)", matchers, from: TimestampMs(n), hours: 10, comment: "\"x\", y=z, Phường Nghĩa Chánh")
            try await store.save(silence: s)
            saved.append(s)
        }
        let listed = try await store.silences(endingAfter: start)
        #expect(listed == saved)
        // Byte for byte, not only canonically equal (String's ==): a store must not normalise the text.
        func bytes(_ s: SilenceRecord) -> [[UInt8]] {
            s.matchers.map { Array($0.key.utf8) + [0] + Array($0.value.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        #expect(listed.map(bytes) == saved.map(bytes))
    }

    /// Matchers text that cannot be read (a hand-edited row) is an error naming the silence, never
    /// "no matchers", which would mute every alert.
    @Test func unreadableStoredMatchersAreRefused() throws {
        #expect(try SilenceRecord.matchers(stored: #"{"site":"QNG-001","ghi chú":"a=b,\"c\""}"#, silence: "s-1")
                == ["site": "QNG-001", "ghi chú": #"a=b,"c""#])
        #expect(try SilenceRecord.matchers(stored: "{}", silence: "s-1") == [:])
        for bad in ["site=QNG-001", #"["QNG-001"]"#, #"{"site":1}"#, ""] {
            let error = #expect(throws: StoredSilenceError.self) { try SilenceRecord.matchers(stored: bad, silence: "s-cut-0800") }
            #expect(error?.description.hasPrefix("stored silence s-cut-0800: ") == true, "\(String(describing: error))")
        }
    }

    /// A collector restarted on the same database (SQLite: the file reopened) still knows the window.
    @Test(arguments: [StoreKind.sqlite, .postgres]) func silencesSurviveARestart(kind: StoreKind) async throws {
        let powerCut = silence("s-power", ["site": "QNG-TINHKHE", "alertname": "DedicatedLineDown"], from: 8, hours: 4,
                               comment: "Điện lực cắt điện 08:00–12:00")
        let reopen: () async throws -> any CollectorStore
        do {
            // The first store is closed and released before the second one opens.
            let (store, twin) = try await kind.make()
            try await store.save(silence: powerCut)
            await store.close()
            reopen = twin
        }
        let reopened = try await reopen()
        defer { Task { await reopened.close() } }
        #expect(try await reopened.silences(endingAfter: start + 9 * 3_600_000) == [powerCut])
        var expired = powerCut
        expired.ends = start + 9 * 3_600_000
        try await reopened.save(silence: expired)
        #expect(try await reopened.silences(endingAfter: start + 9 * 3_600_000).isEmpty)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
