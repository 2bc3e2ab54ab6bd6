import Testing
import TestSupport
@testable import Probes

@Suite(.ownQueue) struct TCPConnectProbeTests {
    @Test func connectsToAListeningPort() async throws {
        let peer = try httpsPeer()
        let o = await outcome(.tcp(TCPConnectProbe(host: "127.0.0.1", port: UInt16(peer.http))))
        #expect(o.ok, "\(String(describing: o.failure))")
        let seconds = try #require(metric(o, "probe_tcp_connect_seconds"))
        #expect(seconds > 0 && seconds < 0.5)
    }

    @Test func refusedPortIsToldApart() async throws {
        let port = closedPort()
        let o = await outcome(.tcp(TCPConnectProbe(host: "127.0.0.1", port: port)))
        #expect(o.failure?.kind == .refused)
        #expect(o.failure?.detail == "127.0.0.1:\(port) refused the connection")
        #expect(metric(o, "probe_success") == 0)
    }

    @Test func ipv6Loopback() async throws {
        let port = closedPort()
        let o = await outcome(.tcp(TCPConnectProbe(host: "::1", port: port)))
        // Nothing listens on ::1 at that port: refused, and the probe says so rather than crashing.
        #expect(o.failure?.kind == .refused)
    }
}
