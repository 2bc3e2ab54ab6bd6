import Foundation
import Testing
import TestSupport
import WatchModel

/// The whole chain with real processes: an agent probing its dedicated line every 10 s, a
/// collector behind that line (and behind a 4G link) in a network namespace, a webhook receiver
/// beside it. The line is cut five times with nftables; the time from each cut to the first
/// notification is printed, and its median must be at most 15 s.
@Suite struct LineCutAlertTests {
    @Test(.enabled(if: runningAsRoot, "network namespaces, veth and nftables need root"))
    func aCutLineIsPagedWithinFifteenSeconds() async throws {
        try await TwoPathNetwork.exclusive { try cutFiveTimes() }
    }

    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return try condition()
    }

    func cutFiveTimes() throws {
        let peer = try WebhookPeer(namespace: TwoPathNetwork.namespace)
        // The shipped rule; a short resolve hold and no flap detection so five cuts fit in a few minutes.
        let rules = try lineDownRules(extra: "        flap_changes: 100\n")
        let collector = try CollectorProcess(options: ["--alert-rules", rules, "--webhook", peer.url],
                                             namespace: TwoPathNetwork.namespace, host: TwoPathNetwork.collector)
        defer { collector.stop() }
        let dir = scratchDirectory("linecut")
        let token = try collector.enrollmentToken(site: "QNG-LINECUT", name: "Xã Đứt Cáp")
        let enrolled = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", token, "--credentials", dir + "/credentials.json"])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        // What an office would run: 10 s probes, the agent's own confirmation and upload defaults
        // (a failure re-probed twice, 1 s apart), a 1 s probe timeout and a 3 s connect timeout
        // (the line is one hop to the province, tens of milliseconds away), a 30 s flush (instead
        // of 5 minutes, so the test sees the line up before the first cut; state changes go at once anyway).
        let agent = try launchAgent(config: """
            [agent]
            site = "QNG-LINECUT"
            [collector]
            credentials = "\(dir)/credentials.json"
            connect_timeout = "3s"
            flush_interval = "30s"
            interface = "\(TwoPathNetwork.dedicatedInterface)"
            fallback_interface = "\(TwoPathNetwork.fallbackInterface)"
            [defaults]
            interval = "10s"
            timeout = "1s"
            [[probe]]
            name = "line"
            kind = "tcp"
            target = "\(TwoPathNetwork.collector):\(collector.port)"
            interface = "\(TwoPathNetwork.dedicatedInterface)"
            path = "dedicated"
            """, in: dir)
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGTERM) } }

        func fired() -> [Double] {
            peer.received().filter { record in
                ((record.body["alerts"] as? [[String: Any]]) ?? []).contains {
                    ($0["annotations"] as? [String: String])?["communewatch_change"] == "fired"
                }
            }.map(\.time)
        }
        func lineUpAndNothingOpen() throws -> Bool {
            let latest = try collector.request("GET", "/api/v1/latest?metric=probe_path_up&site=QNG-LINECUT")
            let up = ((latest.json["series"] as? [[String: Any]])?.first?["value"] as? Double) == 1
            let open = try collector.request("GET", "/api/v1/incidents", token: collector.adminToken)
            return up && (open.json["incidents"] as? [Any])?.isEmpty == true
        }
        var delays: [Double] = []
        for cut in 1...5 {
            #expect(try waitFor(90) { try lineUpAndNothingOpen() }, "cut \(cut): the line is not up, or an incident is still open")
            // Spread over the 10 s probe interval: cut n falls in its own fifth of it (counted from
            // when the previous incident was told resolved), so the five cuts meet the probe
            // schedule early, late and in between rather than wherever chance puts them.
            Thread.sleep(forTimeInterval: Double(cut - 1) * 2 + Double.random(in: 0..<2))
            let before = fired().count
            let cutAt = Date().timeIntervalSince1970
            try TwoPathNetwork.script("cut")
            let told = waitFor(60) { fired().count > before }
            #expect(told, "cut \(cut): no notification within 60 s")
            if told, let at = fired().dropFirst(before).first { delays.append(at - cutAt) }
            try TwoPathNetwork.script("restore")
        }
        // Each time, the collector saw the office alive on 4G while its line was down.
        let offices = peer.received().flatMap { ($0.body["alerts"] as? [[String: Any]]) ?? [] }
            .compactMap { $0["annotations"] as? [String: String] }.filter { $0["communewatch_change"] == "fired" }.map { $0["communewatch_office"] ?? "" }
        #expect(offices.count == 5 && offices.allSatisfy { $0 == "line_down_on_4g" }, "\(offices)")
        let sorted = delays.sorted()
        let median = sorted.isEmpty ? .infinity : sorted[sorted.count / 2]
        print("line cut → first notification (10 s probes), \(delays.count) cuts: "
              + delays.map { String(format: "%.1f", $0) }.joined(separator: ", ") + String(format: " s; median %.1f s", median))
        #expect(delays.count == 5 && median <= 15, "median \(median) s")
    }
}
