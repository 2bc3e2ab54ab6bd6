import Foundation
import Testing
import TestSupport

/// The province changes what every commune probes without touching their PCs: the collector
/// serves its list plus the site's additions, conditionally, and refuses a broken list by line.
@Suite(.ownThread) struct CentralConfigTests {
    @Test(arguments: Backend.allCases) func theProvincesProbeListReachesTheAgent(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let https = try HTTPSPeer.shared.get()
        let dir = scratchDirectory("central-real")
        let token = try collector.enrollmentToken(site: "QNG-TINHAN", name: "Xã Tịnh Ấn")

        let broken = try collector.request("PUT", "/api/v1/admin/config", token: collector.adminToken,
                                           body: Array("[[probe]]\nname = \"portal\"\nkind = \"smokeping\"\ntarget = \"x\"\n".utf8))
        #expect(broken.status == 422 && (broken.json["error"] as? String)?.contains("line 3") == true, "\(broken.body)")
        let province = "[[probe]]\nname = \"province portal\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(https.http)\"\ninterval = \"1s\"\n"
        let site = "[[probe]]\nname = \"commune door\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ninterval = \"1s\"\n"
        #expect(try collector.request("PUT", "/api/v1/admin/config", token: collector.adminToken, body: Array(province.utf8)).status == 200)
        #expect(try collector.request("PUT", "/api/v1/admin/config/QNG-TINHAN", token: collector.adminToken, body: Array(site.utf8)).status == 200)

        let enrolled = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", token, "--credentials", dir + "/credentials.json"])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        // The agent's own file has one probe of its own; the rest comes from the collector.
        let config = "[collector]\ncredentials = \"\(dir)/credentials.json\"\nflush_interval = \"0s\"\nconfig_interval = \"1s\"\n"
            + "[[probe]]\nname = \"local gateway\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(https.http)\"\ninterval = \"1s\"\n"
        let agent = try launchAgent(config: config, in: dir)
        defer { if agent.isRunning { agent.terminate() } }
        var probes = Set<String>()
        let deadline = Date().addingTimeInterval(30)
        while probes.count < 3 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            let latest = try collector.request("GET", "/api/v1/latest?metric=probe_success&site=QNG-TINHAN")
            probes = Set(((latest.json["series"] as? [[String: Any]]) ?? []).compactMap { ($0["labels"] as? [String: String])?["probe"] })
        }
        kill(agent.processIdentifier, SIGTERM)
        #expect(probes == ["province portal", "commune door", "local gateway"], "\(probes)")

        // Conditional GET: the same list is a 304.
        let credentials = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/credentials.json"))) as? [String: Any] ?? [:]
        let bearer = "\(credentials["agent_id"] as? String ?? ""):\(credentials["secret"] as? String ?? "")"
        let headers = try run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", collector.url + "/api/v1/config", "-H", "Authorization: Bearer \(bearer)"])
        let etag = headers.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) } ?? ""
        #expect(!etag.isEmpty, "\(headers.stdout)")
        let again = try collector.request("GET", "/api/v1/config", token: bearer, headers: ["If-None-Match: \(etag)"])
        #expect(again.status == 304)
        let stranger = try collector.request("GET", "/api/v1/config", token: "agt-nobody:secret")
        #expect(stranger.status == 401)
    }
}
