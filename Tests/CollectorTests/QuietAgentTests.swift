import Foundation
import Testing
import TestSupport

/// Real agents that go quiet, told apart for the team: an office whose only agent stopped
/// reporting is "dark"; an office whose other agent still reports has an "agent stopped".
/// The shipped AgentSilent rule with its threshold shortened from 600 s to 6 s.
@Suite(.ownThread) struct QuietAgentTests {
    func rules() throws -> String {
        let dir = scratchDirectory("quiet-rules")
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("alerts/rules.yml"), encoding: .utf8)
        let shortened = shipped.replacingOccurrences(of: "expr: 'agent_contact_age_seconds > 600'\n        resolve: 120",
                                                     with: "expr: 'agent_contact_age_seconds > 6'\n        resolve: 3")
        #expect(shortened != shipped, "the shipped AgentSilent rule is where the test expects it")
        try shortened.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        return dir
    }

    func agent(_ collector: CollectorProcess, site: String, name: String, target: Int) throws -> Process {
        let dir = scratchDirectory("quiet-agent")
        let token = try collector.enrollmentToken(site: site, name: name)
        let enrolled = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", token, "--credentials", dir + "/credentials.json"])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        return try launchAgent(config: """
            [agent]
            site = "\(site)"
            [collector]
            credentials = "\(dir)/credentials.json"
            flush_interval = "0s"
            [defaults]
            interval = "1s"
            timeout = "500ms"
            [[probe]]
            name = "office server"
            kind = "tcp"
            target = "127.0.0.1:\(target)"
            """, in: dir)
    }

    @Test func aDarkOfficeIsToldFromAStoppedAgent() throws {
        let peer = try WebhookPeer()
        let https = try HTTPSPeer.shared.get()
        let collector = try CollectorProcess(options: ["--alert-rules", try rules(), "--webhook", peer.url, "--alert-language", "en"])
        defer { collector.stop() }
        // Office A has two PCs with agents, office B one.
        let a1 = try agent(collector, site: "QNG-HAIMAY", name: "Xã Hai Máy", target: https.http)
        let a2 = try agent(collector, site: "QNG-HAIMAY", name: "Xã Hai Máy", target: https.http)
        let b1 = try agent(collector, site: "QNG-MOTMAY", name: "Xã Một Máy", target: https.http)
        defer { for p in [a1, a2, b1] where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        func silent() -> [String: String] {
            var out: [String: String] = [:]
            for request in peer.received() where request.answered == 200 {
                for alert in (request.body["alerts"] as? [[String: Any]]) ?? [] {
                    let labels = alert["labels"] as? [String: String] ?? [:]
                    let annotations = alert["annotations"] as? [String: String] ?? [:]
                    guard labels["alertname"] == "AgentSilent", annotations["communewatch_change"] == "fired" else { continue }
                    out[labels["site"] ?? ""] = annotations["summary_en"]
                }
            }
            return out
        }
        // All three report for a while: nothing to tell.
        Thread.sleep(forTimeInterval: 10)
        #expect(silent().isEmpty, "\(silent())")
        // A's first PC and B's only PC lose power.
        kill(a1.processIdentifier, SIGKILL)
        kill(b1.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(45)
        while silent().count < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.5) }
        let told = silent()
        print("quiet agents: \(told)")
        #expect(told["QNG-MOTMAY"]?.hasSuffix("office dark (no contact on any path: power or total cut)") == true, "\(told)")
        #expect(told["QNG-HAIMAY"]?.hasSuffix("agent stopped (the office's other agents still report)") == true, "\(told)")
        #expect(told.count == 2, "the PC still reporting is not silent")
    }
}
