import Deflate
import Foundation
import Testing
import TestSupport
@testable import AgentRuntime
@testable import WatchModel

/// The agent uploading to a stand-in collector that misbehaves in every way the issue lists.
/// (The blocking tests take `.ownThread` one by one; the two-path ones wait off the pool in `exclusive`.)
@Suite struct UploadTests {
    /// Starts `commune-agent run` with `probes` TCP probes every second, reporting to `collector`.
    func startAgent(collector: CollectorStub, probes: Int = 8, dir: String) throws -> Process {
        let https = try HTTPSPeer.shared.get()
        var config = collectorHeader(collector, agent: "confirm_spacing = \"200ms\"\n") + """
            \(collector.caFile.map { "ca_file = \"\($0)\"" } ?? "")
            batch_samples = 200
            stall_timeout = "2s"
            backoff_max = "2s"
            flush_interval = "0s"
            [defaults]
            interval = "1s"
            timeout = "500ms"

            """
        for i in 0..<probes {
            config += "[[probe]]\nname = \"door \(i)\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(i % 2 == 0 ? https.http : 1)\"\n"
        }
        return try launchAgent(config: config, in: dir)
    }

    /// The `[agent]` section (site QNG-TEST, plus `agent` lines) and the start of `[collector]` for `collector`.
    func collectorHeader(_ collector: CollectorStub, agent: String = "") -> String {
        "[agent]\nsite = \"QNG-TEST\"\n" + agent + "[collector]\nurl = \"\(collector.url)\"\ntoken = \"\(collector.token)\"\n"
    }

    /// Stops the agent with SIGTERM (bounded) and checks it exits cleanly.
    func stop(_ process: Process) {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the agent did not stop cleanly")
    }

    /// Waits (bounded) until the collector has received at least `count` samples. The agent keeps
    /// measuring meanwhile, so its spool is rarely empty: completeness is checked after it stops.
    func waitUntilReceived(_ collector: CollectorStub, count: Int, seconds: Double = 60) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? receivedIDs(collector).count) ?? 0 >= count { return true }
            Thread.sleep(forTimeInterval: 0.3)
        }
        return false
    }

    /// Every batch the collector stored, with its series named: definitions are learnt from all
    /// batches first, as the collector's catalog would hold them (stored files come in no order).
    func receivedBatches(_ collector: CollectorStub) throws -> [(batch: WireBatch, series: [(key: SeriesKey, points: [WirePoint])])] {
        let batches = try collector.storedBodies().map { try WireBatch.decode(try Deflate.decompress($0, limit: 64 << 20)) }
        var catalogs: [UInt64: SeriesCatalog] = [:]
        for batch in batches { catalogs[batch.catalog, default: SeriesCatalog()].learn(batch.definitions) }
        return try batches.map { batch in
            guard let series = catalogs[batch.catalog]?.resolve(batch) else {
                throw UndefinedSeries()
            }
            return (batch, series)
        }
    }

    struct UndefinedSeries: Error {}

    func receivedIDs(_ collector: CollectorStub) throws -> Set<String> {
        var ids = Set<String>()
        for (_, series) in try receivedBatches(collector) {
            for s in series {
                for point in s.points { ids.insert("\(s.key)@\(point.timestamp)") }
            }
        }
        return ids
    }

    /// After the agent stopped: every sample it measured is either at the collector or still in the
    /// spool waiting, never both, never twice.
    func checkNothingLostNorDoubled(_ collector: CollectorStub, spool path: String) throws {
        let received = try receivedIDs(collector)
        let spool = try Spool(path: path)
        var waiting = Set<String>()
        while let batch = try spool.nextBatch(limit: 100_000) {
            for s in batch.samples {
                let id = "\(s.key)@\(s.timestamp)"
                #expect(!received.contains(id), "\(id) was delivered but is still in the spool")
                #expect(waiting.insert(id).inserted, "\(id) twice in the spool")
            }
            try spool.acknowledge(batch.id)
        }
    }

    /// Decodes every stored batch and checks: each sample once, in time order per series.
    func checkReceived(_ collector: CollectorStub, paths: Set<String> = ["dedicated"]) throws -> Int {
        var seen = Set<String>()
        var last: [SeriesKey: TimestampMs] = [:]
        var total = 0
        for (batch, allSeries) in try receivedBatches(collector) {
            #expect(batch.site == "QNG-TEST" && paths.contains(batch.path))
            for series in allSeries {
                for point in series.points where series.key.metric != "agent_cpu_seconds_total" {
                    let id = "\(series.key)@\(point.timestamp)"
                    #expect(seen.insert(id).inserted, "received twice: \(id)")
                    if let previous = last[series.key], !series.key.metric.hasPrefix("agent_") {
                        #expect(point.timestamp >= previous, "\(series.key) out of order")
                    }
                    last[series.key] = point.timestamp
                    total += 1
                }
            }
        }
        return total
    }

    @Test(.ownThread) func noSampleIsLostOrDoubledAcrossAnOutage() throws {
        let collector = try CollectorStub()
        try collector.set(mode: "refuse")
        let dir = scratchDirectory("outage")
        let agent = try startAgent(collector: collector, dir: dir)
        defer { if agent.isRunning { agent.terminate() } }
        Thread.sleep(forTimeInterval: 5)
        let duringOutage = try Spool(path: dir + "/spool.db").stats().samples
        #expect(duringOutage > 0, "the agent kept measuring into its spool")
        #expect(collector.storedBodies().isEmpty)
        try collector.set(mode: "accept")
        #expect(try waitUntilReceived(collector, count: duringOutage), "the backlog was not delivered")
        stop(agent)
        let received = try checkReceived(collector)
        try checkNothingLostNorDoubled(collector, spool: dir + "/spool.db")
        // Like with like: the spool's count includes the agent's CPU counter, which checkReceived leaves out.
        let delivered = try receivedIDs(collector).count
        #expect(received > 0 && delivered >= duringOutage, "\(delivered) received, \(duringOutage) were waiting")
        #expect(collector.requests().contains { $0.mode == "refuse" })
        // The confirmed failures of the closed-port probes travelled as urgent state_changed events.
        let events = try receivedBatches(collector).flatMap(\.batch.events)
        #expect(events.contains { $0.kind == Event.stateChanged && $0.labels["state"] == "failed" })
        let stats = try Spool(path: dir + "/spool.db").stats()
        #expect(stats.sent >= received)
        #expect(stats.batchesRetried >= 1, "the refused attempts are counted")
        #expect(stats.bytesSent > 0)
    }

    /// Over HTTPS, as in the field; TLS failures included.
    @Test(.ownThread) func badRepliesNeverLoseDataNorCrashTheAgent() throws {
        let collector = try CollectorStub(tls: try HTTPSPeer.shared.get())
        let dir = scratchDirectory("badreplies")
        try collector.set(mode: "error500")
        let agent = try startAgent(collector: collector, dir: dir)
        defer { if agent.isRunning { agent.terminate() } }
        let misbehaviours = ["error500", "garbage", "reset", "toolarge", "unauth", "slow", "tlsexpired", "tlsgarbage"]
        for mode in misbehaviours {
            try collector.set(mode: mode)
            // Until the agent has met this misbehaviour at least once (bounded).
            let deadline = Date().addingTimeInterval(15)
            while !collector.requests().contains(where: { $0.mode == mode }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if mode == "slow" { Thread.sleep(forTimeInterval: 3) }
            #expect(agent.isRunning, "the agent died during \(mode)")
        }
        #expect(collector.storedBodies().isEmpty, "nothing may be stored while the collector misbehaves")
        let backlog = try Spool(path: dir + "/spool.db").stats().samples
        try collector.set(mode: "accept")
        #expect(try waitUntilReceived(collector, count: backlog))
        stop(agent)
        let received = try checkReceived(collector)
        try checkNothingLostNorDoubled(collector, spool: dir + "/spool.db")
        #expect(received > 0)
        let modes = Set(collector.requests().map(\.mode))
        #expect(modes.isSuperset(of: Set(misbehaviours + ["accept"])), "\(modes)")
        // Retries of one batch carry the same id: the collector stored each id once.
        let ids = collector.requests().filter { $0.mode == "accept" }.map(\.batch)
        #expect(Set(ids).count == collector.storedBodies().count)
    }
}

extension UploadTests {
    /// Series are defined once per catalog; a collector that lost them (restored from an old backup)
    /// answers 409 and gets every definition again: nothing is stored under an unknown id.
    @Test(.ownThread) func aCollectorThatForgotTheSeriesGetsThemDefinedAgain() throws {
        let collector = try CollectorStub()
        let dir = scratchDirectory("forget")
        let agent = try startAgent(collector: collector, probes: 4, dir: dir)
        defer { if agent.isRunning { agent.terminate() } }
        // Series first seen later (the agent's own metrics, a probe's first failure) bring their
        // definitions along: wait (bounded) for a batch of known series only.
        func definedOnce(_ bodies: [[UInt8]]) -> Bool {
            bodies.dropFirst().contains { body in
                (try? WireBatch.decode(try Deflate.decompress(body, limit: 64 << 20))).map { $0.definitions.isEmpty && !$0.series.isEmpty } ?? false
            }
        }
        var deadline = Date().addingTimeInterval(30)
        while !(collector.storedBodies().count >= 3 && definedOnce(collector.storedBodies())) && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let early = collector.storedBodies()
        #expect(early.count >= 3)
        #expect(definedOnce(early), "known series travel without their definitions")

        try collector.set(mode: "forget")
        deadline = Date().addingTimeInterval(20)
        while collector.storedBodies().count < early.count + 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        try collector.set(mode: "accept")
        let duringAmnesia = collector.storedBodies().dropFirst(early.count)
        #expect(duringAmnesia.count >= 2, "the agent must get past the collector's 409")
        for body in duringAmnesia {
            var fresh = SeriesCatalog()
            #expect(fresh.resolve(try WireBatch.decode(try Deflate.decompress(body, limit: 64 << 20))) != nil,
                    "a batch stored by a collector that forgot everything must define all its series")
        }
        stop(agent)
        #expect(try checkReceived(collector) > 0)
        try checkNothingLostNorDoubled(collector, spool: dir + "/spool.db")
    }

    @Test(.ownThread) func enrollmentStoresCredentialsThatUploadsUse() throws {
        let collector = try CollectorStub()
        let dir = scratchDirectory("enroll")
        let credentials = dir + "/credentials.json"
        let wrong = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", "WRONG", "--credentials", credentials])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("the collector refused the token"), "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: credentials))

        let ok = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", "ONE-TIME-TOKEN", "--credentials", credentials])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("enrolled as agent-1 for site QNG-TEST"))
        let attributes = try FileManager.default.attributesOfItem(atPath: credentials)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let stored = try #require(Enrollment.Credentials.load(credentials))
        #expect(stored.token == collector.token && stored.url == collector.url)

        let again = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", "ONE-TIME-TOKEN", "--credentials", dir + "/second.json"])
        #expect(again.status == 1, "a one-time token works once")

        // The agent runs from the credentials file alone, and its uploads are accepted.
        try "[agent]\nsite = \"QNG-TEST\"\n[collector]\ncredentials = \"\(credentials)\"\nflush_interval = \"0s\"\n[[probe]]\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ninterval = \"1s\"\n"
            .write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        let process = try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", dir + "/spool.db"])
        defer { if process.isRunning { process.terminate() } }
        let deadline = Date().addingTimeInterval(15)
        while collector.storedBodies().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        stop(process)
        #expect(!collector.storedBodies().isEmpty, "uploads with the enrolled credentials were not accepted")
    }
}

extension UploadTests {
    /// The province's probe list from the collector: applied, kept on disk, used when the collector is gone,
    /// and a broken one rejected.
    @Test(.ownThread) func centralConfigurationIsMergedKeptAndValidated() throws {
        let collector = try CollectorStub()
        let https = try HTTPSPeer.shared.get()
        try "[[probe]]\nname = \"province portal\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(https.http)\"\ninterval = \"1s\"\n"
            .write(toFile: collector.directory + "/remote.toml", atomically: true, encoding: .utf8)
        let dir = scratchDirectory("central")
        let spool = dir + "/spool.db"
        let config = "[agent]\nsite = \"QNG-TEST\"\n[collector]\nurl = \"\(collector.url)\"\ntoken = \"\(collector.token)\"\nconfig_interval = \"1s\"\nbackoff_max = \"2s\"\nflush_interval = \"0s\"\n"
            + "[[probe]]\nname = \"local door\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ninterval = \"1s\"\n"
        try config.write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        func probesSeen() throws -> Set<String> {
            var names = Set<String>()
            for (_, series) in try receivedBatches(collector) {
                for s in series {
                    if let name = s.key[label: "probe"] { names.insert(name) }
                }
            }
            return names
        }
        func launch() throws -> Process {
            try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", spool])
        }
        var agent = try launch()
        defer { if agent.isRunning { agent.terminate() } }
        var deadline = Date().addingTimeInterval(20)
        // Both probes' results, whichever batch each came in (they finish in any order).
        while !(try probesSeen()).isSuperset(of: ["province portal", "local door"]) && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let seen = try probesSeen()
        #expect(seen.isSuperset(of: ["province portal", "local door"]), "\(seen)")
        #expect(FileManager.default.fileExists(atPath: spool + ".remote.toml"), "the last good copy is kept")

        // A broken list is rejected: the agent keeps measuring the last good one.
        try "[[probe]]\nkind = \"smokeping\"\n".write(toFile: collector.directory + "/remote.toml", atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(agent.isRunning)
        stop(agent)
        let kept = try String(contentsOfFile: spool + ".remote.toml", encoding: .utf8)
        #expect(kept.contains("province portal"), "the broken list must not replace the good copy")

        // No collector at all: the agent still runs the province's probes from its copy.
        let before = try Spool(path: spool).stats().samples
        try "[agent]\nsite = \"QNG-TEST\"\n[collector]\nurl = \"http://127.0.0.1:1\"\ntoken = \"a:b\"\n[[probe]]\nname = \"local door\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ninterval = \"1s\"\n"
            .write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        agent = try launch()
        deadline = Date().addingTimeInterval(10)
        var sawPortal = false
        while !sawPortal && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            let database = try Spool(path: spool)
            let batch = try database.nextBatch(limit: 100_000)
            sawPortal = batch?.samples.contains { $0.key[label: "probe"] == "province portal" } ?? false
            if let batch { try database.release(batch.id) }
        }
        stop(agent)
        #expect(sawPortal, "the province's probes ran from the kept copy")
        #expect(try Spool(path: spool).stats().samples >= before)
    }
}
