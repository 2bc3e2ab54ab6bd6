#if canImport(Glibc)
import Glibc

/// Opens this platform's echo transport (each platform's file defines it).
func openEchoTransport(target: SocketAddress, binding: Binding, mode: ICMPSocketMode, payloadSize: Int) throws(ProbeFailure) -> EchoTransport {
    try LinuxEchoSocket(target: target, binding: binding, mode: mode, payloadSize: payloadSize)
}

/// ICMP echo over a Linux raw socket (root / CAP_NET_RAW) or an ICMP datagram socket (`ping_group_range`).
///
/// Replies are stamped by the kernel (`SO_TIMESTAMPNS`), so a busy agent does not inflate RTTs.
final class LinuxEchoSocket: EchoTransport {
    private let socket: Socket
    private let target: SocketAddress
    private let packet: EchoPacket
    private let isRaw: Bool
    private var buffer = [UInt8](repeating: 0, count: 2048)
    private var control = [UInt8](repeating: 0, count: 256)

    // SO_TIMESTAMPNS / SCM_TIMESTAMPNS and SO_ATTACH_FILTER on Linux (asm-generic/socket.h).
    private static let soTimestampNS: Int32 = 35
    private static let soAttachFilter: Int32 = 26

    init(target: SocketAddress, binding: Binding, mode: ICMPSocketMode, payloadSize: Int) throws(ProbeFailure) {
        let ipv6 = target.isIPv6
        let family = ipv6 ? AF_INET6 : AF_INET
        let proto = ipv6 ? Int32(IPPROTO_ICMPV6) : Int32(IPPROTO_ICMP)
        var opened: Socket?
        var raw = false
        var rawError: Int32 = 0, datagramError: Int32 = 0
        if mode != .datagram {
            do { opened = try Socket(family: family, type: Int32(SOCK_RAW.rawValue), protocol: proto); raw = true }
            catch { rawError = error.errno }
        }
        if opened == nil, mode != .raw {
            do { opened = try Socket(family: family, type: Int32(SOCK_DGRAM.rawValue), protocol: proto) }
            catch { datagramError = error.errno }
        }
        guard let socket = opened else {
            throw Self.capabilityFailure(mode: mode, rawError: rawError, datagramError: datagramError)
        }
        self.socket = socket
        self.target = target
        self.isRaw = raw
        var random = SystemRandomNumberGenerator()
        packet = EchoPacket(cookie: random.next(), identifier: UInt16.random(in: 1...UInt16.max, using: &random),
                            ipv6: ipv6, payloadSize: payloadSize)
        try socket.apply(binding)
        socket.setOption(level: SOL_SOCKET, name: Self.soTimestampNS, value: Int32(1))
        if raw { attachFilter() }
    }

    private static func capabilityFailure(mode: ICMPSocketMode, rawError: Int32, datagramError: Int32) -> ProbeFailure {
        let range = TextFile.read("/proc/sys/net/ipv4/ping_group_range")?
            .split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? "unknown"
        var parts: [String] = []
        if mode != .datagram { parts.append("a raw ICMP socket needs root or CAP_NET_RAW (\(SocketError.text(rawError)))") }
        if mode != .raw {
            parts.append("an ICMP datagram socket needs net.ipv4.ping_group_range to include group \(getegid()) (it is \"\(range)\"; \(SocketError.text(datagramError)))")
        }
        return ProbeFailure(.missingCapability, "cannot send ICMP echoes: " + parts.joined(separator: "; ")
                            + ". Run as root, grant CAP_NET_RAW (setcap cap_net_raw+ep), or widen ping_group_range.")
    }

    /// Classic BPF so the kernel hands this raw socket only replies with our identifier and ICMP errors,
    /// instead of every ICMP packet on the machine (50 concurrent rounds would otherwise see 50× the traffic).
    private func attachFilter() {
        typealias Instruction = (code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)
        let id = UInt32(packet.identifier)
        let accept: Instruction = (0x06, 0, 0, 0x40000), drop: Instruction = (0x06, 0, 0, 0)
        let program: [Instruction]
        if packet.ipv6 {
            // The raw ICMPv6 socket sees the ICMPv6 header at offset 0.
            program = [(0x30, 0, 0, 0), (0x15, 2, 0, 129), (0x15, 3, 0, 1), (0x15, 2, 3, 3),
                       (0x28, 0, 0, 4), (0x15, 0, 1, id), accept, drop]
        } else {
            // X = IP header length; then ICMP type at [X], identifier at [X+4].
            program = [(0xb1, 0, 0, 0), (0x50, 0, 0, 0), (0x15, 2, 0, 0), (0x15, 3, 0, 3), (0x15, 2, 3, 11),
                       (0x48, 0, 0, 4), (0x15, 0, 1, id), accept, drop]
        }
        var code = [UInt8]()
        for ins in program {
            withUnsafeBytes(of: ins.code.littleEndian) { code += $0 }
            code += [ins.jt, ins.jf]
            withUnsafeBytes(of: ins.k.littleEndian) { code += $0 }
        }
        code.withUnsafeBytes { instructions in
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            var fprog = [UInt8](repeating: 0, count: 16)
            fprog.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: UInt16(program.count), toByteOffset: 0, as: UInt16.self)
                raw.storeBytes(of: UInt(bitPattern: instructions.baseAddress), toByteOffset: 8, as: UInt.self)
                _ = setsockopt(socket.fd, SOL_SOCKET, Self.soAttachFilter, raw.baseAddress, socklen_t(16))
            }
        }
    }

    func send(sequence: UInt16) throws(SocketError) -> Int64 {
        let bytes = packet.request(sequence: sequence)
        let sentAt = MonotonicClock.realtimeNanoseconds()
        let rc = target.withSockAddr { address, length in
            bytes.withUnsafeBytes { sendto(socket.fd, $0.baseAddress, $0.count, 0, address, length) }
        }
        if rc < 0 { throw SocketError(call: "sendto", errno: errno) }
        return sentAt
    }

    func receive(until deadline: UInt64) -> [EchoEvent] {
        guard socket.wait(for: Int16(POLLIN), until: deadline) else { return [] }
        var events: [EchoEvent] = []
        while let (length, from, stamp) = receiveOne() {
            let data = buffer[0..<length]
            var icmp = data
            if isRaw && !packet.ipv6 {
                // Raw IPv4 sockets deliver the IP header too.
                guard let first = data.first else { continue }
                let headerLength = Int(first & 0x0f) * 4
                guard headerLength >= 20, headerLength < length else { continue }
                icmp = data[headerLength...]
            }
            if let sequence = packet.replySequence(icmp, checkIdentifier: isRaw) {
                guard !isRaw || from == target.host else { continue }
                events.append(.reply(sequence: sequence, receivedAt: stamp))
            } else if isRaw, let quoted = packet.quotedSequence(icmp) {
                events.append(.error(sequence: quoted.sequence, from: from,
                                     description: EchoPacket.describeError(type: quoted.type, code: quoted.code, ipv6: packet.ipv6)))
            }
        }
        return events
    }

    /// One datagram with its source and kernel receive stamp; nil when nothing is waiting.
    private func receiveOne() -> (Int, String, Int64)? {
        var storage = sockaddr_storage()
        let count = buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { control in
                withUnsafeMutablePointer(to: &storage) { name in
                    var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                    return withUnsafeMutablePointer(to: &iov) { iovPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(name)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        message.msg_iov = iovPointer
                        message.msg_iovlen = 1
                        message.msg_control = control.baseAddress
                        message.msg_controllen = control.count
                        let n = recvmsg(socket.fd, &message, Int32(MSG_DONTWAIT))
                        return n < 0 ? -1 : (n << 32) | Int(message.msg_controllen)
                    }
                }
            }
        }
        guard count >= 0 else { return nil }
        let length = count >> 32, controlLength = count & 0xffff_ffff
        let fromAddress = withUnsafeBytes(of: &storage) {
            SocketAddress(storage: $0.baseAddress!, length: packet.ipv6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        }
        return (length, fromAddress.host, kernelStamp(controlLength) ?? MonotonicClock.realtimeNanoseconds())
    }

    /// Walks the control messages for SCM_TIMESTAMPNS (the CMSG_* macros do not import into Swift).
    private func kernelStamp(_ length: Int) -> Int64? {
        control.withUnsafeBytes { raw -> Int64? in
            let headerSize = MemoryLayout<cmsghdr>.size  // 16 on 64-bit Linux, already aligned
            var offset = 0
            while offset + headerSize <= length {
                let cmsgLength = raw.load(fromByteOffset: offset, as: Int.self)
                let level = raw.load(fromByteOffset: offset + 8, as: Int32.self)
                let type = raw.load(fromByteOffset: offset + 12, as: Int32.self)
                guard cmsgLength >= headerSize else { return nil }
                if level == SOL_SOCKET, type == Self.soTimestampNS, offset + headerSize + 16 <= length {
                    let seconds = raw.load(fromByteOffset: offset + headerSize, as: Int.self)
                    let nanos = raw.load(fromByteOffset: offset + headerSize + 8, as: Int.self)
                    return Int64(seconds) * 1_000_000_000 + Int64(nanos)
                }
                offset += (cmsgLength + 7) & ~7
            }
            return nil
        }
    }
}
#endif
