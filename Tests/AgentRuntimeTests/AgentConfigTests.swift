import Testing
import TestSupport
@testable import AgentRuntime
@testable import Probes
import SNMP

@Suite struct AgentConfigTests {
    func fixture(_ name: String) -> String { repositoryRoot.path + "/Tests/AgentRuntimeTests/Fixtures/" + name }

    /// Loads a fixture that must be rejected and returns the error.
    func rejection(_ name: String) throws -> ConfigError {
        let path = fixture(name)
        do {
            _ = try AgentConfig.load(path: path)
        } catch {
            #expect(error.source == path)
            return error
        }
        Issue.record("\(name) was accepted")
        throw PeerError("accepted")
    }

    @Test func exampleConfigurationLoadsThroughTheRealDecoder() throws {
        let config = try AgentConfig.load(path: repositoryRoot.path + "/agent/agent.example.toml")
        #expect(config.site == "QNG-TINHKHE")
        #expect(config.language == .vi)
        #expect(config.probes.count == 9)
        let gateway = try #require(config.probes.first)
        #expect(gateway.role == .gateway)
        #expect(gateway.spec.path == "dedicated")
        #expect(gateway.spec.timeout == .seconds(1))
        guard case let .icmp(echo) = gateway.spec.target else { Issue.record("not icmp"); return }
        #expect(echo.count == 20 && echo.spacing == .milliseconds(250) && echo.maxLoss == 0.2)
        let fourG = config.probes[2]
        #expect(fourG.spec.path == "4g" && fourG.spec.binding.interface == "usb0" && !fourG.spec.critical)
        guard case let .http(portal) = config.probes[4].spec.target else { Issue.record("not http"); return }
        #expect(portal.expectedBody == "Cổng Dịch vụ công")
        #expect(portal.maxDuration == .seconds(10))
        guard case let .tcp(tcp) = config.probes[5].spec.target else { Issue.record("not tcp"); return }
        #expect(tcp.host == "motcua.quangngai.gov.vn" && tcp.port == 443)
        guard case let .snmp(sw) = config.probes[6].spec.target, case let .snmp(router) = config.probes[7].spec.target else {
            Issue.record("not snmp"); return
        }
        #expect(sw.target.port == 161 && sw.target.version == .v2c && sw.target.retries == 1 && config.probes[6].role == .device)
        #expect(router.target.version == .v3 && router.target.v3?.auth == .sha && router.target.v3?.privacy == .aes)
        #expect(router.custom.first?.name == "cpu_5min" && router.custom.first?.kind == .gauge)
        guard case let .modem(modem) = config.probes[8].spec.target else { Issue.record("not modem"); return }
        #expect(modem.minRSRP == -115 && config.probes[8].spec.path == "4g" && config.probes[8].role == .modem)
    }

    @Test func unknownProbeKind() throws {
        let error = try rejection("invalid-unknown-kind.toml")
        #expect(error.line == 8)
        #expect(error.message.contains("unknown probe kind \"smokeping\""))
        #expect(error.message.contains("\"icmp\", \"tcp\", \"dns\", \"http\""))
        #expect(error.description.hasPrefix(fixture("invalid-unknown-kind.toml") + ":8: "))
    }

    @Test func missingTarget() throws {
        let error = try rejection("invalid-missing-target.toml")
        #expect(error.line == 4)
        #expect(error.message.contains("has no 'target'"))
        #expect(error.message.contains("https://dichvucong.gov.vn"))
    }

    @Test func badDuration() throws {
        let error = try rejection("invalid-bad-duration.toml")
        #expect(error.line == 4)
        #expect(error.message.contains("'interval' = \"30 sec\" is not a duration"))
        #expect(error.message.contains("\"30s\""))
    }

    @Test func wrongType() throws {
        let error = try rejection("invalid-wrong-type.toml")
        #expect(error.line == 4)
        #expect(error.message.contains("'count' must be an integer, got the string \"twenty\""))
    }

    @Test func unknownKeySuggestsTheRightOne() throws {
        let error = try rejection("invalid-unknown-key.toml")
        #expect(error.line == 4)
        #expect(error.message.contains("unknown key 'expect_staus'"))
        #expect(error.message.contains("did you mean 'expect_status'?"))
    }

    @Test func syntaxErrorNamesTheLine() throws {
        let error = try rejection("invalid-syntax.toml")
        #expect(error.line == 2)
        #expect(error.message.contains("unterminated string"))
    }

    @Test func duplicateProbeName() throws {
        let error = try rejection("invalid-duplicate-name.toml")
        #expect(error.line == 6)
        #expect(error.message.contains("already used by the probe on line 1"))
    }

    @Test func valueOutOfRange() throws {
        let error = try rejection("invalid-out-of-range.toml")
        #expect(error.line == 4)
        #expect(error.message.contains("'max_loss' must be between 0.0 and 1.0, got 1.5"))
    }

    @Test func httpTargetMustBeAURL() throws {
        let error = try rejection("invalid-not-a-url.toml")
        #expect(error.line == 3)
        #expect(error.message.contains("must be an http:// or https:// URL"))
    }

    @Test func unknownSection() throws {
        let error = try rejection("invalid-unknown-section.toml")
        #expect(error.line == 4)
        #expect(error.message.contains("unknown key 'probes'"))
        #expect(error.message.contains("did you mean 'probe'?"))
    }

    @Test func missingFileIsNamed() {
        #expect(throws: ConfigError(source: "/nonexistent/agent.toml", line: 0, message: "cannot read the file (missing or not readable)")) {
            try AgentConfig.load(path: "/nonexistent/agent.toml")
        }
    }

    @Test func defaultsApplyToEveryProbe() throws {
        let config = try AgentConfig.parse("""
            [defaults]
            interval = "30s"
            path = "4g"
            interface = "usb0"
            critical = false

            [[probe]]
            kind = "dns"
            target = "system"
            query = "chinhphu.vn"
            type = "aaaa"
            """, source: "inline")
        let probe = try #require(config.probes.first)
        #expect(probe.spec.interval == .seconds(30))
        #expect(probe.spec.path == "4g" && probe.spec.binding.interface == "usb0" && !probe.spec.critical)
        #expect(probe.role == .resolver)
        guard case let .dns(dns) = probe.spec.target else { Issue.record("not dns"); return }
        #expect(dns.resolver == nil && dns.recordType == "AAAA")
    }
}

extension AgentConfigTests {
    /// The LTE router maps load through the real decoder, every OID numeric, every probe on the 4G path.
    @Test func lteRouterMapsLoad() throws {
        let config = try AgentConfig.load(path: repositoryRoot.path + "/agent/lte-routers.example.toml")
        #expect(config.probes.count >= 3)
        for probe in config.probes {
            guard case let .snmp(device) = probe.spec.target else { Issue.record("\(probe.spec.name) is not snmp"); continue }
            #expect(!device.custom.isEmpty, "\(probe.spec.name) has no OID map")
            #expect(device.custom.contains { $0.name == "rsrp" }, "\(probe.spec.name) has no rsrp")
            #expect(probe.spec.path == "4g", "\(probe.spec.name)")
        }
    }
}

extension AgentConfigTests {
    @Test func collectorNeedsCredentialsOrUrlAndToken() throws {
        #expect(throws: ConfigError.self) { try AgentConfig.parse("[collector]\nurl = \"https://x\"\n", source: "inline") }
        let example = try AgentConfig.load(path: repositoryRoot.path + "/agent/agent.example.toml")
        #expect(example.collector?.credentialsPath == "/var/lib/commune-agent/credentials.json")
        #expect(example.runtime.spoolMaxBytes == 200 << 20 && example.runtime.confirmRetries == 2)
        // The example shows the defaults as they are in the code.
        let defaults = CollectorSettings(url: "https://x", token: "a:b")
        let shown = try #require(example.collector)
        #expect(shown.flushInterval == defaults.flushInterval && shown.connectTimeout == defaults.connectTimeout
                && shown.heartbeatInterval == defaults.heartbeatInterval && shown.recheckInterval == defaults.recheckInterval
                && shown.fallbackBacklog == defaults.fallbackBacklog && shown.stallTimeout == defaults.stallTimeout
                && shown.backoffMax == defaults.backoffMax && shown.batchSamples == defaults.batchSamples)
        do {
            _ = try AgentConfig.parse("[collector]\nurl = \"ftp://x\"\ntoken = \"a:b\"\n", source: "inline")
            Issue.record("accepted ftp://")
        } catch {
            #expect(error.line == 2 && error.message.contains("must start with https://"))
        }
    }
}

extension AgentConfigTests {
    @Test func collectorProbesReplaceLocalOnesOfTheSameName() throws {
        let local = try AgentConfig.parse("""
            [agent]
            site = "LOCAL"
            [[probe]]
            name = "portal"
            kind = "http"
            target = "https://old.gov.vn"
            [[probe]]
            name = "gateway"
            kind = "icmp"
            target = "192.168.1.1"
            """, source: "local")
        let remote = try AgentConfig.parse("""
            [agent]
            site = "IGNORED"
            [[probe]]
            name = "portal"
            kind = "http"
            target = "https://dichvucong.gov.vn"
            [[probe]]
            name = "resolver"
            kind = "dns"
            target = "203.113.131.1"
            query = "chinhphu.vn"
            """, source: "remote")
        let merged = CentralConfig.merge(local: local, remote: remote)
        #expect(merged.site == "LOCAL", "agent settings stay local")
        #expect(merged.probes.map(\.spec.name) == ["gateway", "portal", "resolver"])
        #expect(merged.probes[1].spec.target.label == "https://dichvucong.gov.vn")
        #expect(CentralConfig.merge(local: local, remote: nil).probes.count == 2)
    }
}
