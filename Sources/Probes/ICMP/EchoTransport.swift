/// Sends ICMP echo requests and hands back what came back: the OS-specific part of the ICMP probe.
///
/// Linux is `LinuxEchoSocket`; a Windows build would add an `IcmpSendEcho2` file beside it.
protocol EchoTransport: AnyObject {
    /// Sends the echo with this sequence number; returns the wall-clock send time in ns.
    func send(sequence: UInt16) throws(SocketError) -> Int64
    /// Waits until something arrives or `deadline` (monotonic ns) passes, and returns what arrived.
    func receive(until deadline: UInt64) -> [EchoEvent]
}

/// Something an echo round received.
enum EchoEvent: Equatable {
    /// An echo reply, with the kernel's wall-clock receive stamp in ns.
    case reply(sequence: UInt16, receivedAt: Int64)
    /// An ICMP error (destination unreachable, time exceeded) about one of our echoes.
    case error(sequence: UInt16, from: String, description: String)
}

/// How the ICMP socket is opened.
public enum ICMPSocketMode: String, Sendable, Hashable, CaseIterable {
    /// Raw socket when permitted (root or CAP_NET_RAW), else a datagram socket.
    case auto
    /// Raw socket only.
    case raw
    /// Unprivileged ICMP datagram socket only (`net.ipv4.ping_group_range`).
    case datagram
}
