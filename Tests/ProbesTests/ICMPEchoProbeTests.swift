import Foundation
import Testing
import TestSupport
@testable import Probes

@Suite(.ownQueue) struct ICMPEchoProbeTests {
    @Test(.enabled(if: runningAsRoot, "raw ICMP sockets need root"))
    func loopbackRoundOverIPv4() async throws {
        var echo = ICMPEchoProbe(host: "127.0.0.1")
        echo.count = 10
        echo.spacing = .milliseconds(10)
        let o = await outcome(.icmp(echo), timeout: .seconds(1))
        #expect(o.ok, "\(String(describing: o.failure))")
        let result = try #require(o.result as? ICMPEchoResult)
        #expect(result.rtts.count == 10)
        #expect(result.rtts.allSatisfy { $0 != nil })
        #expect(metric(o, "probe_icmp_loss_ratio") == 0)
        #expect(metric(o, "probe_ip_protocol") == 4)
        let median = try #require(metric(o, "probe_icmp_rtt_median_seconds"))
        #expect(median > 0 && median < 0.005)
        #expect(metric(o, "probe_icmp_jitter_seconds") != nil)
        #expect(metric(o, "probe_success") == 1)
    }

    @Test(.enabled(if: runningAsRoot, "raw ICMP sockets need root"))
    func loopbackRoundOverIPv6() async throws {
        var echo = ICMPEchoProbe(host: "::1")
        echo.count = 5
        echo.spacing = .milliseconds(10)
        let o = await outcome(.icmp(echo), timeout: .seconds(1))
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(metric(o, "probe_ip_protocol") == 6)
        #expect(metric(o, "probe_icmp_packets_received") == 5)
    }

    @Test(.enabled(if: runningAsRoot, "checks the datagram-socket refusal as root"))
    func datagramSocketRefusedNamesTheMissingCapability() async throws {
        let range = try String(contentsOfFile: "/proc/sys/net/ipv4/ping_group_range", encoding: .utf8)
        let bounds = range.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        try #require(bounds.count == 2)
        // Only meaningful while the range excludes group 0 (the kernel default "1 0").
        guard !(bounds[0] <= 0 && 0 <= bounds[1]) else { return }
        var echo = ICMPEchoProbe(host: "127.0.0.1")
        echo.count = 1
        echo.socketMode = .datagram
        let o = await outcome(.icmp(echo), timeout: .seconds(1))
        let failure = try #require(o.failure)
        #expect(failure.kind == .missingCapability)
        #expect(failure.detail.contains("ping_group_range"))
        #expect(metric(o, "probe_success") == 0)
    }

    @Test func unresolvableHostIsAResolveFailure() async throws {
        let o = await outcome(.icmp(ICMPEchoProbe(host: "no-such-host.invalid")), timeout: .seconds(1))
        #expect(o.failure?.kind == .resolveFailed)
        #expect(o.failure?.detail.contains("no-such-host.invalid") == true)
    }

    @Test(.enabled(if: runningAsRoot, "binding to an interface needs root"))
    func missingInterfaceIsNamed() async throws {
        var echo = ICMPEchoProbe(host: "127.0.0.1")
        echo.count = 1
        let o = await outcome(.icmp(echo), timeout: .seconds(1), binding: Binding(interface: "nosuchif0"))
        #expect(o.failure?.kind == .interfaceUnavailable)
        #expect(o.failure?.detail.contains("nosuchif0") == true)
    }
}

extension ICMPEchoProbeTests {
    /// As an ordinary user on a default kernel (ping_group_range "1 0"), neither socket is allowed.
    @Test(.enabled(if: !runningAsRoot && !pingGroupIncludesUs(), "runs only unprivileged, outside ping_group_range"))
    func unprivilegedUserIsToldWhatIsMissing() async throws {
        var echo = ICMPEchoProbe(host: "127.0.0.1")
        echo.count = 1
        let o = await outcome(.icmp(echo), timeout: .seconds(1))
        let failure = try #require(o.failure)
        #expect(failure.kind == .missingCapability)
        #expect(failure.detail.contains("CAP_NET_RAW") && failure.detail.contains("ping_group_range"))
    }
}

func pingGroupIncludesUs() -> Bool {
    guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ping_group_range", encoding: .utf8) else { return false }
    let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    return bounds.count == 2 && bounds[0] <= Int(getegid()) && Int(getegid()) <= bounds[1]
}
