import CollectorServer
import Foundation
import Reports
import Testing
import TestSupport

/// `collector.toml` and HTTPS served by the collector itself, with the real agent on the other end.
@Suite(.ownThread) struct CollectorConfigTests {
    @Test func theExampleShowsTheDefaultsAndMistakesNameTheirLine() throws {
        let example = try CollectorConfig.load(path: repositoryRoot.path + "/collector/collector.toml")
        let defaults = Collector.Settings()
        #expect(example.host == defaults.host && example.port == defaults.port && example.dataDirectory == defaults.dataDirectory)
        #expect(example.agentRequestsPerSecond == defaults.agentRequestsPerSecond && example.maxInFlightIngests == defaults.maxInFlightIngests)
        #expect(example.maxBodyBytes == defaults.maxBodyBytes && example.maxInflatedBytes == defaults.maxInflatedBytes)
        #expect(example.retention == defaults.retention && example.tlsCertificate == nil)
        #expect(example.publicURL == nil && example.acknowledgeLinkLifetime == .seconds(86_400))
        #expect(example.reportWeights == ScoreWeights.defaults, "collector.toml shows the default weights")
        let alerting = try CollectorConfig.parse("[alerting]\npublic_url = \"https://canhbao.example.vn/\"\nack_link_hours = 2\n", source: "c.toml")
        #expect(alerting.publicURL == "https://canhbao.example.vn" && alerting.acknowledgeLinkLifetime == .seconds(7200))
        let mistakes: [(String, String)] = [
            ("[server]\nlisten = \"127.0.0.1:8470\"\nport = 1\n", "c.toml:3: unknown key 'port' in [server]"),
            ("[limits]\nmax_inflight_ingests = \"many\"\n", "c.toml:2: 'limits.max_inflight_ingests' must be a number, not a string"),
            ("[retention]\nraw_days = 0\n", "c.toml:2: 'retention.raw_days' must be within"),
            ("[storage]\nkind = \"postgres\"\n", "c.toml:1: unknown section [storage]"),
            ("[server]\ntls_key = \"k.pem\"\n", "tls_certificate and tls_key go together"),
            ("[server]\nlisten = \"8470\"\n", "c.toml:2: 'server.listen' = \"8470\" is not HOST:PORT"),
            ("[server\n", "c.toml:1:"),
            ("[alerting]\npublic_url = \"canhbao.example.vn\"\n", "c.toml:2: 'alerting.public_url' must be an http(s):// URL"),
            ("[alerting]\nack_link_hours = 0\n", "c.toml:2: 'alerting.ack_link_hours' must be within"),
        ]
        for (text, message) in mistakes {
            do {
                _ = try CollectorConfig.parse(text, source: "c.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func reportWeightsAreReadAndMistakesNameTheirLine() throws {
        let weights = try CollectorConfig.parse("[report.weights]\npc_age = 30\nloss = 2.5\nsignal_4g = 0\n", source: "c.toml").reportWeights
        #expect(weights[.pcAge] == 30 && weights[.loss] == 2.5 && weights[.signal4G] == 0)
        #expect(weights[.lineAvailability] == ScoreWeights.defaults[.lineAvailability], "keys not written keep their defaults")
        let mistakes: [(String, String)] = [
            ("[report.weights]\npc_age = \"high\"\n", "c.toml:2: 'report.weights.pc_age' must be a number ≥ 0, not a string"),
            ("[report.weights]\nmemory = 1\nlatency = -5\n", "c.toml:3: 'report.weights.latency' must be a number ≥ 0, not -5"),
            ("[report.weights]\ncpu_age = 10\n", "c.toml:2: unknown key 'cpu_age' in [report.weights] (keys: line_availability, outages"),
            ("[report]\nweights = 3\n", "c.toml:2: [report.weights] must be a table of weights, not a integer"),
            ("[report]\ncolumns = 3\n", "c.toml:2: unknown key 'columns' in [report]"),
            ("[report.weights]\nline_availability = 0\noutages = 0\nhours_on_4g = 0\nlatency = 0\nloss = 0\nsignal_4g = 0\n"
                + "portal_time = 0\nportal_availability = 0\npc_age = 0\nmemory = 0\ndisk = 0\nos_support = 0\n",
             "c.toml:1: [report.weights]: at least one weight must be above 0"),
        ]
        for (text, message) in mistakes {
            do {
                _ = try CollectorConfig.parse(text, source: "c.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func httpsServedDirectlyAndTheAgentUploadsThroughIt() throws {
        let peer = try HTTPSPeer.shared.get()
        let config = scratchDirectory("collector-tls") + "/collector.toml"
        try "[server]\ntls_certificate = \"\(peer.directory)/server.pem\"\ntls_key = \"\(peer.directory)/server.key\"\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let collector = try CollectorProcess(options: ["--config", config], caFile: peer.caFile)
        defer { collector.stop() }
        #expect(try collector.request("GET", "/metrics").status == 200)
        let untrusted = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", collector.url + "/metrics"])
        #expect(untrusted.status != 0, "a client without the province's CA must refuse the certificate")

        let dir = scratchDirectory("agent-tls")
        let token = try collector.enrollmentToken(site: "QNG-TLS", name: "Xã Bảo Mật")
        let enrolled = try run(try agentBinary(), ["enroll", "--collector", collector.url, "--token", token, "--ca-file", peer.caFile,
                                                   "--credentials", dir + "/credentials.json"])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        let agent = try launchAgent(config: """
            [collector]
            credentials = "\(dir)/credentials.json"
            ca_file = "\(peer.caFile)"
            flush_interval = "0s"
            [[probe]]
            name = "office server"
            kind = "tcp"
            target = "127.0.0.1:\(peer.http)"
            interval = "1s"
            """, in: dir)
        defer { if agent.isRunning { agent.terminate() } }
        var stored = 0
        let deadline = Date().addingTimeInterval(20)
        while stored == 0 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            let latest = try collector.request("GET", "/api/v1/latest?metric=probe_success&site=QNG-TLS")
            stored = (latest.json["series"] as? [Any])?.count ?? 0
        }
        kill(agent.processIdentifier, SIGTERM)
        #expect(stored == 1, "the agent's results arrived over HTTPS")
    }
}
