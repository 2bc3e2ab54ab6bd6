import Deflate
import Foundation
import Testing
import TestSupport
@testable import AgentRuntime
@testable import WatchModel

/// The agent uploading to a stand-in collector that misbehaves in every way the issue lists.
@Suite struct UploadTests {
    /// Starts `commune-agent run` with `probes` TCP probes every second, reporting to `collector`.
    func startAgent(collector: CollectorStub, probes: Int = 8, dir: String) throws -> Process {
        let https = try HTTPSPeer.shared.get()
        var config = """
            [agent]
            site = "QNG-TEST"
            confirm_spacing = "200ms"
            [collector]
            url = "\(collector.url)"
            token = "\(collector.token)"
            batch_samples = 200
            stall_timeout = "2s"
            backoff_max = "2s"
            [defaults]
            interval = "1s"
            timeout = "500ms"

            """
        for i in 0..<probes {
            config += "[[probe]]\nname = \"door \(i)\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(i % 2 == 0 ? https.http : 1)\"\n"
        }
        try config.write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try agentBinary())
        process.arguments = ["run", "--config", dir + "/agent.toml", "--spool", dir + "/spool.db"]
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: dir + "/agent.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: dir + "/agent.log")
        try process.run()
        return process
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

    /// Waits (bounded) until the agent's spool holds nothing unacknowledged.
    func waitUntilDrained(_ spoolPath: String, seconds: Double = 30) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let stats = try? Spool(path: spoolPath).stats(), stats.samples == 0 { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// Decodes every stored batch and checks: each sample once, in time order per series.
    func checkReceived(_ collector: CollectorStub) throws -> Int {
        var seen = Set<String>()
        var last: [SeriesKey: TimestampMs] = [:]
        var total = 0
        for body in collector.storedBodies() {
            let batch = try WireBatch.decode(try Deflate.decompress(body, limit: 64 << 20))
            #expect(batch.site == "QNG-TEST" && batch.path == "dedicated")
            for series in batch.series {
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

    @Test func noSampleIsLostOrDoubledAcrossAnOutage() throws {
        let collector = try CollectorStub()
        try collector.set(mode: "refuse")
        let dir = scratchDirectory("outage")
        let agent = try startAgent(collector: collector, dir: dir)
        Thread.sleep(forTimeInterval: 5)
        let duringOutage = try Spool(path: dir + "/spool.db").stats().samples
        #expect(duringOutage > 0, "the agent kept measuring into its spool")
        #expect(collector.storedBodies().isEmpty)
        try collector.set(mode: "accept")
        #expect(try waitUntilDrained(dir + "/spool.db"), "the backlog was not delivered")
        stop(agent)
        let received = try checkReceived(collector)
        #expect(received >= duringOutage, "\(received) received, \(duringOutage) were waiting")
        #expect(collector.requests().contains { $0.mode == "refuse" })
        // The confirmed failures of the closed-port probes travelled as urgent state_changed events.
        let events = try collector.storedBodies().flatMap { try WireBatch.decode(try Deflate.decompress($0, limit: 64 << 20)).events }
        #expect(events.contains { $0.kind == Event.stateChanged && $0.labels["state"] == "failed" })
        let stats = try Spool(path: dir + "/spool.db").stats()
        #expect(stats.sent >= received)
        #expect(stats.batchesRetried >= 1, "the refused attempts are counted")
        #expect(stats.bytesSent > 0)
    }

    @Test func badRepliesNeverLoseDataNorCrashTheAgent() throws {
        let collector = try CollectorStub()
        let dir = scratchDirectory("badreplies")
        try collector.set(mode: "error500")
        let agent = try startAgent(collector: collector, dir: dir)
        for mode in ["error500", "garbage", "reset", "toolarge", "unauth", "slow"] {
            try collector.set(mode: mode)
            // Until the agent has met this misbehaviour at least once (bounded).
            let deadline = Date().addingTimeInterval(15)
            while !collector.requests().contains(where: { $0.mode == mode }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if mode == "slow" { Thread.sleep(forTimeInterval: 3) }
            #expect(agent.isRunning, "the agent died during \(mode)")
        }
        #expect(collector.storedBodies().isEmpty, "nothing may be stored while the collector misbehaves")
        try collector.set(mode: "accept")
        #expect(try waitUntilDrained(dir + "/spool.db", seconds: 40))
        stop(agent)
        let received = try checkReceived(collector)
        #expect(received > 0)
        let modes = Set(collector.requests().map(\.mode))
        #expect(modes.isSuperset(of: ["error500", "garbage", "reset", "toolarge", "unauth", "slow", "accept"]), "\(modes)")
        // Retries of one batch carry the same id: the collector stored each id once.
        let ids = collector.requests().filter { $0.mode == "accept" }.map(\.batch)
        #expect(Set(ids).count == collector.storedBodies().count)
    }
}

extension UploadTests {
    @Test func enrollmentStoresCredentialsThatUploadsUse() throws {
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
        try "[agent]\nsite = \"QNG-TEST\"\n[collector]\ncredentials = \"\(credentials)\"\n[[probe]]\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ninterval = \"1s\"\n"
            .write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try agentBinary())
        process.arguments = ["run", "--config", dir + "/agent.toml", "--spool", dir + "/spool.db"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while collector.storedBodies().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        stop(process)
        #expect(!collector.storedBodies().isEmpty, "uploads with the enrolled credentials were not accepted")
    }
}
