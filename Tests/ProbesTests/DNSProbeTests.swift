import Testing
import TestSupport
@testable import Probes

@Suite(.ownQueue) struct DNSProbeTests {
    func ask(_ name: String, type: String = "A", timeout: Duration = .seconds(1)) async throws -> ProbeOutcome {
        let peer = try dnsPeer()
        var probe = DNSProbe(resolver: "127.0.0.1:\(peer.port)", name: name)
        probe.recordType = type
        return await outcome(.dns(probe), timeout: timeout)
    }

    @Test func answerIsTimedAndCounted() async throws {
        let o = try await ask("portal.ok.test")
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(metric(o, "probe_dns_rcode") == 0)
        #expect(metric(o, "probe_dns_answer_rrs") == 2)
        #expect(o.facts["answers"] == "127.0.0.1 127.0.0.2")
        let seconds = try #require(metric(o, "probe_dns_lookup_seconds"))
        #expect(seconds > 0 && seconds < 0.5)
    }

    @Test func aaaaAnswer() async throws {
        let o = try await ask("portal.ok.test", type: "AAAA")
        #expect(o.ok)
        #expect(o.facts["answers"] == "::1")
    }

    @Test func nxdomainServfailRefusedAndTimeoutAreToldApart() async throws {
        let nx = try await ask("x.nx.test")
        #expect(nx.failure?.kind == .nxdomain)
        #expect(metric(nx, "probe_dns_rcode") == 3)
        let servfail = try await ask("x.fail.test")
        #expect(servfail.failure?.kind == .servfail)
        #expect(metric(servfail, "probe_dns_rcode") == 2)
        let refused = try await ask("x.refuse.test")
        #expect(refused.failure?.kind == .dnsRefused)
        #expect(metric(refused, "probe_dns_rcode") == 5)
        let silent = try await ask("x.silent.test", timeout: .milliseconds(300))
        #expect(silent.failure?.kind == .dnsTimeout)
        #expect(metric(silent, "probe_success") == 0)
        #expect(metric(silent, "probe_dns_rcode") == nil)
    }

    @Test func slowResolverIsMeasured() async throws {
        let o = try await ask("x.slow.test")
        #expect(o.ok)
        let seconds = try #require(metric(o, "probe_dns_lookup_seconds"))
        #expect(seconds >= 0.35)
    }

    @Test func truncatedReplyIsRetriedOverTCP() async throws {
        let o = try await ask("x.big.test")
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(metric(o, "probe_dns_answer_rrs") == 40)
        #expect(o.facts["transport"] == "tcp")
    }

    @Test func noServiceOnThePortIsRefused() async throws {
        let o = await outcome(.dns(DNSProbe(resolver: "127.0.0.1:\(closedPort())", name: "a.ok.test")), timeout: .seconds(1))
        #expect(o.failure?.kind == .refused)
    }

    @Test func expectedNXDOMAINPasses() async throws {
        let peer = try dnsPeer()
        var probe = DNSProbe(resolver: "127.0.0.1:\(peer.port)", name: "gone.nx.test")
        probe.validRcodes = [3]
        let o = await outcome(.dns(probe))
        #expect(o.ok)
    }
}
