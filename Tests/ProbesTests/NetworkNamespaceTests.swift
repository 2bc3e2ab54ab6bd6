import Foundation
import Testing
import TestSupport
@testable import Probes

/// Hosts in network namespaces the test makes itself: loss under nftables random drop, interface
/// binding, unreachable hosts. Needs root; without it these tests are reported as skipped.
@Suite(.serialized, .ownQueue, .enabled(if: runningAsRoot, "network namespaces, veth and nftables need root"))
final class NetworkNamespaceTests {
    init() throws { try TestNetwork.up() }
    deinit { try? TestNetwork.down() }

    @Test func twentyPercentRandomDropGivesLossNearTwentyPercent() async throws {
        try TestNetwork.drop(percent: 20)
        defer { try? TestNetwork.clear() }
        var echo = ICMPEchoProbe(host: TestNetwork.hostA)
        echo.count = 200
        echo.spacing = .milliseconds(5)
        echo.maxLoss = 1
        let o = await outcome(.icmp(echo), timeout: .milliseconds(500))
        let loss = try #require(metric(o, "probe_icmp_loss_ratio"))
        #expect(loss >= 0.12 && loss <= 0.28, "loss \(loss)")
        #expect(metric(o, "probe_icmp_packets_sent") == 200)
        let result = try #require(o.result as? ICMPEchoResult)
        #expect(result.rtts.count { $0 == nil } == Int((loss * 200).rounded()))
        #expect(metric(o, "probe_icmp_loss_burst_max_packets").map { $0 >= 1 } == true)
    }

    @Test func boundProbeReachesOnlyTheHostBehindItsInterface() async throws {
        var echo = ICMPEchoProbe(host: TestNetwork.hostA)
        echo.count = 3
        echo.spacing = .milliseconds(10)
        let viaA = await outcome(.icmp(echo), timeout: .milliseconds(500), binding: Binding(interface: TestNetwork.interfaceA))
        #expect(viaA.ok, "\(String(describing: viaA.failure))")
        let viaB = await outcome(.icmp(echo), timeout: .milliseconds(500), binding: Binding(interface: TestNetwork.interfaceB))
        #expect(!viaB.ok)
        #expect(metric(viaB, "probe_icmp_loss_ratio") == 1)

        let tcpA = await outcome(.tcp(TCPConnectProbe(host: TestNetwork.hostA, port: 9)), timeout: .milliseconds(500),
                                 binding: Binding(interface: TestNetwork.interfaceA))
        // Nothing listens on port 9 in the namespace: reached, and refused by the host behind vethA.
        #expect(tcpA.failure?.kind == .refused)
        let tcpB = await outcome(.tcp(TCPConnectProbe(host: TestNetwork.hostA, port: 9)), timeout: .milliseconds(500),
                                 binding: Binding(interface: TestNetwork.interfaceB))
        #expect(tcpB.failure?.kind != .refused)
        #expect(tcpB.failure != nil)
    }

    @Test func sourceAddressBindingChoosesThePath() async throws {
        var echo = ICMPEchoProbe(host: TestNetwork.hostB)
        echo.count = 2
        echo.spacing = .milliseconds(10)
        let o = await outcome(.icmp(echo), timeout: .milliseconds(500), binding: Binding(sourceAddress: "198.18.2.1"))
        #expect(o.ok, "\(String(describing: o.failure))")
    }

    @Test func httpBoundToAnInterface() async throws {
        let dir = scratchDirectory("nshttp")
        let server = try PeerProcess("ip", ["netns", "exec", TestNetwork.namespaceA, "python3",
                                            repositoryRoot.path + "/Tests/Peers/https_peer.py", "--dir", dir, "--lifetime", "120",
                                            "--bind", "0.0.0.0"], log: dir + "/peer.log")
        let ports = try JSONSerialization.jsonObject(with: Data(try server.waitForFile(dir + "/ports.json").utf8)) as? [String: Int]
        let port = try #require(ports?["http"])
        let url = "http://\(TestNetwork.hostA):\(port)/ok"
        let viaA = await outcome(.http(HTTPProbe(url: url)), timeout: .seconds(2), binding: Binding(interface: TestNetwork.interfaceA))
        #expect(viaA.ok, "\(String(describing: viaA.failure))")
        let viaB = await outcome(.http(HTTPProbe(url: url)), timeout: .seconds(1), binding: Binding(interface: TestNetwork.interfaceB))
        #expect(!viaB.ok)
    }

    @Test func unreachableHostIsNamed() async throws {
        var echo = ICMPEchoProbe(host: "198.18.1.77")
        echo.count = 2
        echo.spacing = .milliseconds(100)
        let o = await outcome(.icmp(echo), timeout: .seconds(4))
        let failure = try #require(o.failure)
        #expect(failure.kind == .unreachable, "\(failure)")
        #expect(metric(o, "probe_icmp_loss_ratio") == 1)
    }

    @Test func ipv6HostInANamespace() async throws {
        var echo = ICMPEchoProbe(host: TestNetwork.hostA6)
        echo.count = 3
        echo.spacing = .milliseconds(10)
        let o = await outcome(.icmp(echo), timeout: .milliseconds(500))
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(metric(o, "probe_ip_protocol") == 6)
    }

    @Test func timeoutWhenEverythingIsDropped() async throws {
        try TestNetwork.drop(percent: 100)
        defer { try? TestNetwork.clear() }
        var echo = ICMPEchoProbe(host: TestNetwork.hostA)
        echo.count = 3
        echo.spacing = .milliseconds(10)
        let o = await outcome(.icmp(echo), timeout: .milliseconds(300))
        #expect(o.failure?.kind == .noReply)
        #expect(metric(o, "probe_icmp_loss_ratio") == 1)
        #expect(metric(o, "probe_icmp_rtt_median_seconds") == nil)
    }
}
