import Deflate
import Foundation
import SQLite
import Testing
import TestSupport
@testable import AgentRuntime
@testable import WatchModel

extension UploadTests {
    /// The dedicated line is cut (every packet dropped, as a cut fibre looks): the line-down state
    /// change reaches the collector over the 4G interface within seconds, heartbeats follow, the
    /// backlog waits; when the line is back the backlog goes over it, nothing lost or doubled.
    @Test(.enabled(if: runningAsRoot, "network namespaces, veth and nftables need root"))
    func aCutLineSendsStateChangesAndHeartbeatsOver4G() async throws {
        try await TwoPathNetwork.exclusive { try aCutLineSendsStateChangesAndHeartbeatsOver4GOnTheNetwork() }
    }

    func aCutLineSendsStateChangesAndHeartbeatsOver4GOnTheNetwork() throws {
        let collector = try CollectorStub(namespace: TwoPathNetwork.namespace, host: TwoPathNetwork.collector)
        let local = try HTTPSPeer.shared.get()
        let dir = scratchDirectory("twopath")
        let config = collectorHeader(collector, agent: "confirm_spacing = \"200ms\"\n") + """
            flush_interval = "0s"
            connect_timeout = "1s"
            stall_timeout = "2s"
            backoff_max = "2s"
            interface = "\(TwoPathNetwork.dedicatedInterface)"
            fallback_interface = "\(TwoPathNetwork.fallbackInterface)"
            heartbeat_interval = "2s"
            recheck_interval = "3s"
            [defaults]
            interval = "1s"
            timeout = "500ms"
            [[probe]]
            name = "line"
            kind = "tcp"
            target = "\(TwoPathNetwork.collector):\(collector.port)"
            interface = "\(TwoPathNetwork.dedicatedInterface)"
            [[probe]]
            name = "office server"
            kind = "tcp"
            target = "127.0.0.1:\(local.http)"
            """
        let agent = try launchAgent(config: config, in: dir)
        defer { if agent.isRunning { agent.terminate() } }

        func wait(_ seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return try condition()
        }
        let dedicatedBefore = try wait(20) { collector.storedBodies().count >= 2 }
        #expect(dedicatedBefore, "uploads over the dedicated line before the cut")
        #expect(collector.requests().allSatisfy { $0.path == "dedicated" && $0.client == TwoPathNetwork.dedicatedAddress })

        try TwoPathNetwork.script("cut")
        let cutAt = Date()
        func over4G() throws -> [(batch: WireBatch, series: [(key: SeriesKey, points: [WirePoint])])] {
            try receivedBatches(collector).filter { $0.batch.path == "4g" }
        }
        let lineDownArrived = try wait(25) {
            try over4G().contains { entry in
                entry.batch.events.contains { $0.kind == Event.stateChanged && $0.labels["probe"] == "line" && $0.labels["state"] == "failed" }
            }
        }
        #expect(lineDownArrived, "the line-down state change must reach the collector over 4G")
        print("line down reported over 4G \(String(format: "%.1f", Date().timeIntervalSince(cutAt))) s after the cut")
        let heartbeats = try wait(15) { try over4G().count >= 3 }
        #expect(heartbeats, "heartbeats keep coming over 4G while the line is down")
        let fallbackRequests = collector.requests().filter { $0.path == "4g" }
        #expect(!fallbackRequests.isEmpty && fallbackRequests.allSatisfy { $0.client == TwoPathNetwork.fallbackAddress },
                "4G batches must physically leave through the 4G interface")
        for (_, series) in try over4G() {
            // The agent's own metrics and the paths' state are the essentials; the rest waits for the line.
            for s in series where !s.key.metric.hasPrefix("agent_") && s.key.metric != "probe_path_up" {
                Issue.record("backlog sample \(s.key) went over the metered 4G link")
            }
        }
        let backlogDuringCut = try Spool(path: dir + "/spool.db").stats().samples
        #expect(backlogDuringCut > 0, "the office server's results wait for the line")

        try TwoPathNetwork.script("restore")
        let backOnLine = try wait(30) {
            let received = try receivedIDs(collector).count
            return collector.requests().suffix(3).contains { $0.path == "dedicated" && $0.mode == "accept" } && received >= backlogDuringCut
        }
        #expect(backOnLine, "the backlog goes over the dedicated line once it is back")
        stop(agent)
        #expect(try checkReceived(collector, paths: ["dedicated", "4g"]) > 0)
        try checkNothingLostNorDoubled(collector, spool: dir + "/spool.db")
    }
}

extension UploadTests {
    /// `commune-agent run` killed with SIGKILL at random moments while it measures and uploads in
    /// small batches: the spool reopens sound every time, every row ever seen in it reaches the
    /// collector or is still waiting, and nothing the collector stored comes again as a new batch.
    @Test(.ownThread) func fiftyKillNineRoundsWhileUploading() throws {
        let collector = try CollectorStub()
        let dir = scratchDirectory("crash-upload")
        let spool = dir + "/spool.db"
        let https = try HTTPSPeer.shared.get()
        var config = collectorHeader(collector, agent: "confirm_spacing = \"100ms\"\n") + """
            batch_samples = 40
            flush_interval = "0s"
            backoff_max = "1s"
            [defaults]
            interval = "1s"
            timeout = "300ms"

            """
        for i in 0..<10 {
            config += "[[probe]]\nname = \"door \(i)\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(i % 2 == 0 ? https.http : 1)\"\n"
        }
        try config.write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)

        /// Every sample in the spool now, sent or not, as "key@timestamp".
        func spoolRows() throws -> Set<String> {
            let database = try Database(path: spool)
            let rows = try database.prepare("SELECT s.metric, s.labels, x.ts FROM samples x JOIN series s ON s.id = x.series")
            var out = Set<String>()
            while try rows.step() {
                out.insert("\(SeriesKey(rows.text(0), LabelText.decode(rows.text(1))))@\(rows.int(2))")
            }
            return out
        }
        var everSeen = Set<String>()
        for round in 0..<50 {
            let process = try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", spool])
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...1.2))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            _ = try Spool(path: spool)
            let check = try Database(path: spool).prepare("PRAGMA integrity_check")
            #expect(try check.step() && check.text(0) == "ok", "round \(round): integrity check failed")
            everSeen.formUnion(try spoolRows())
        }
        let uploadsDuringKills = collector.requests().count
        // A last, undisturbed run delivers what is left.
        let last = try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", spool])
        defer { if last.isRunning { last.terminate() } }
        Thread.sleep(forTimeInterval: 4)
        stop(last)
        let received = try receivedIDs(collector)
        let waiting = try spoolRows()
        let lost = everSeen.subtracting(received).subtracting(waiting)
        #expect(lost.isEmpty, "\(lost.count) samples committed to the spool never reached the collector: \(lost.prefix(3))")
        // Each sample arrived in one batch only: a batch the collector stored is never re-formed under a new id.
        let points = try receivedBatches(collector).reduce(0) { $0 + $1.series.reduce(0) { $0 + $1.points.count } }
        #expect(points == received.count, "\(points - received.count) samples arrived twice")
        #expect(uploadsDuringKills >= 25, "only \(uploadsDuringKills) uploads were under way during the 50 kills")
        let ids = collector.requests().map(\.batch)
        print("kill -9 while uploading: \(everSeen.count) samples seen in the spool, \(received.count) received, "
              + "\(waiting.count) waiting; \(ids.count) upload requests, \(ids.count - Set(ids).count) of them retries of a batch id")
    }
}

extension UploadTests {
    /// A backlog after an outage goes at about a fifth of what the line measured, not at full speed:
    /// the dedicated line is an 800 kbit/s tbf, the spool holds ~200 KB of noisy samples.
    @Test(.enabled(if: runningAsRoot, "network namespaces, veth and tc need root"))
    func catchUpKeepsToAFifthOfTheMeasuredLine() async throws {
        try await TwoPathNetwork.exclusive { try catchUpKeepsToAFifthOfTheMeasuredLineOnTheNetwork() }
    }

    func catchUpKeepsToAFifthOfTheMeasuredLineOnTheNetwork() throws {
        let shaped = try run("/sbin/tc", ["qdisc", "add", "dev", TwoPathNetwork.dedicatedInterface, "root", "tbf",
                                          "rate", "800kbit", "burst", "4kb", "latency", "200ms"], timeout: 10)
        #expect(shaped.status == 0, "tc: \(shaped.stderr)")
        let lineBytesPerSecond = 100_000.0
        let collector = try CollectorStub(namespace: TwoPathNetwork.namespace, host: TwoPathNetwork.collector)
        let dir = scratchDirectory("catchup")
        let backlog = try Spool(path: dir + "/spool.db")
        let start = WallClock.nowMs() - 3_600_000
        var generator = SystemRandomNumberGenerator()
        var samples: [Sample] = []
        for i in 0..<25_000 {
            samples.append(Sample(SeriesKey("probe_icmp_rtt_median_seconds", ["probe": "node \(i % 50)"]),
                                  Double.random(in: 0.01...0.2, using: &generator), at: start + TimestampMs(i / 50) * 60_000))
        }
        try backlog.append(samples)
        let config = collectorHeader(collector) + """
            flush_interval = "0s"
            batch_samples = 5000
            [[probe]]
            name = "local door"
            kind = "tcp"
            target = "127.0.0.1:1"
            interval = "60s"
            """
        let agent = try launchAgent(config: config, in: dir)
        defer { if agent.isRunning { agent.terminate() } }
        #expect(try waitUntilReceived(collector, count: 25_000, seconds: 90), "the backlog was not delivered")
        stop(agent)
        // The first full batch went uncapped (it measured the line); the rest were paced.
        let uploads = collector.requests().filter { $0.bytes > 16_000 }
        #expect(uploads.count >= 4, "\(uploads.count) catch-up batches")
        guard uploads.count >= 4 else { return }
        let paced = uploads.dropFirst()
        let seconds = paced.last!.time - paced.first!.time
        let bytes = Double(paced.dropLast().reduce(0) { $0 + $1.bytes })
        let rate = bytes / max(seconds, 0.001)
        print("catch-up: \(uploads.count) batches, \(Int(rate)) bytes/s on an 800 kbit/s line (\(Int(rate / lineBytesPerSecond * 100))%)")
        #expect(rate < lineBytesPerSecond * 0.3, "catch-up used \(Int(rate)) of \(Int(lineBytesPerSecond)) bytes/s")
        #expect(rate > lineBytesPerSecond * 0.05, "catch-up crawled at \(Int(rate)) bytes/s")
    }
}

extension UploadTests {
    /// The office router is reconfigured and restarted: `run` compares each poll with the one before
    /// and tells the collector what changed, in the support team's words.
    @Test(.ownThread) func aChangedDeviceIsAConfigChangedEvent() throws {
        let device = try SNMPDPeer.start().get()
        let collector = try CollectorStub()
        let dir = scratchDirectory("device-change")
        let config = collectorHeader(collector) + """
            flush_interval = "0s"
            [[probe]]
            name = "office router"
            kind = "snmp"
            target = "127.0.0.1:\(device.port)"
            community = "cwpublic"
            interval = "1s"
            timeout = "1s"
            """
        let agent = try launchAgent(config: config, in: dir)
        defer { if agent.isRunning { agent.terminate() } }
        Thread.sleep(forTimeInterval: 2.5)
        try "commune hall".write(toFile: device.directory + "/location", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: device.directory + "/reboot", contents: nil)
        let deadline = Date().addingTimeInterval(20)
        var changes: [Event] = []
        // The snmpd serves this machine's own interfaces: tests running beside this one add and
        // remove veths, which are real changes too. Wait for the one this test made.
        while !changes.contains(where: { $0.labels["field"] == "sysLocation" }) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            changes = try receivedBatches(collector).flatMap(\.batch.events).filter { $0.kind == Event.configChanged }
        }
        stop(agent)
        let location = changes.first { $0.labels["field"] == "sysLocation" }
        #expect(location?.text == "office router: sysLocation loopback lab → commune hall", "\(changes.map(\.text))")
        #expect(location?.labels["probe"] == "office router" && location?.labels["site"] == "QNG-TEST")
        #expect(changes.filter { $0.labels["field"]?.hasPrefix("sys") == true }.count == 1, "only what changed: \(changes.map(\.text))")
    }
}
