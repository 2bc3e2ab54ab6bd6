import Foundation
import Probes
import TestSupport

/// One HTTP engine for the probe tests, as one agent process has.
let runner = ProbeRunner()

func outcome(_ target: ProbeTarget, timeout: Duration = .seconds(3), binding: Binding = .none) async -> ProbeOutcome {
    await runner.run(ProbeSpec(name: "test", target: target, binding: binding, timeout: timeout))
}

/// The value of one metric in an outcome (labels beyond the probe's own must match `labels`).
func metric(_ outcome: ProbeOutcome, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    outcome.measurements.first { $0.metric == name && $0.labels == labels }?.value
}

/// A TCP port on 127.0.0.1 with nothing listening.
func closedPort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

func httpsPeer() throws -> HTTPSPeer { try HTTPSPeer.shared.get() }
func dnsPeer() throws -> DNSPeer { try DNSPeer.shared.get() }
