/// Builds and reads ICMP / ICMPv6 echo packets; pure byte work, no sockets.
struct EchoPacket {
    static let echoRequestV4: UInt8 = 8
    static let echoReplyV4: UInt8 = 0
    static let echoRequestV6: UInt8 = 128
    static let echoReplyV6: UInt8 = 129
    static let headerSize = 8

    /// A per-round random value in every payload, so stray replies of other pingers are ignored.
    let cookie: UInt64
    let identifier: UInt16
    let ipv6: Bool
    let payloadSize: Int

    func request(sequence: UInt16) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: Self.headerSize + max(payloadSize, 10))
        packet[0] = ipv6 ? Self.echoRequestV6 : Self.echoRequestV4
        packet[4] = UInt8(identifier >> 8)
        packet[5] = UInt8(identifier & 0xff)
        packet[6] = UInt8(sequence >> 8)
        packet[7] = UInt8(sequence & 0xff)
        for i in 0..<8 { packet[8 + i] = UInt8(truncatingIfNeeded: cookie >> (56 - 8 * UInt64(i))) }
        for i in 16..<packet.count { packet[i] = UInt8(truncatingIfNeeded: i) }
        if !ipv6 {
            // The kernel fills in the ICMPv6 checksum; ICMPv4's is ours to compute.
            let sum = Self.checksum(packet)
            packet[2] = UInt8(sum >> 8)
            packet[3] = UInt8(sum & 0xff)
        }
        return packet
    }

    /// The sequence number of `icmp` (starting at the ICMP header) if it is a reply to this round.
    /// `checkIdentifier` is false for datagram sockets, where the kernel rewrites the identifier.
    func replySequence(_ icmp: ArraySlice<UInt8>, checkIdentifier: Bool) -> UInt16? {
        guard icmp.count >= Self.headerSize + 8 else { return nil }
        let base = icmp.startIndex
        guard icmp[base] == (ipv6 ? Self.echoReplyV6 : Self.echoReplyV4) else { return nil }
        if checkIdentifier, UInt16(icmp[base + 4]) << 8 | UInt16(icmp[base + 5]) != identifier { return nil }
        guard Self.readCookie(icmp, at: base + 8) == cookie else { return nil }
        return UInt16(icmp[base + 6]) << 8 | UInt16(icmp[base + 7])
    }

    /// The sequence number of our echo quoted inside an ICMP error, if `icmp` is one about this round.
    func quotedSequence(_ icmp: ArraySlice<UInt8>) -> (sequence: UInt16, type: UInt8, code: UInt8)? {
        let base = icmp.startIndex
        guard icmp.count >= Self.headerSize else { return nil }
        let type = icmp[base], code = icmp[base + 1]
        let isError = ipv6 ? (type == 1 || type == 3) : (type == 3 || type == 11)
        guard isError else { return nil }
        var inner = base + Self.headerSize
        if ipv6 {
            inner += 40
        } else {
            guard icmp.count > Self.headerSize else { return nil }
            inner += Int(icmp[inner] & 0x0f) * 4
        }
        guard inner + 8 <= icmp.endIndex else { return nil }
        guard icmp[inner] == (ipv6 ? Self.echoRequestV6 : Self.echoRequestV4),
              UInt16(icmp[inner + 4]) << 8 | UInt16(icmp[inner + 5]) == identifier else { return nil }
        return (UInt16(icmp[inner + 6]) << 8 | UInt16(icmp[inner + 7]), type, code)
    }

    static func readCookie(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    /// RFC 1071 Internet checksum.
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Human text for an ICMP error type and code.
    static func describeError(type: UInt8, code: UInt8, ipv6: Bool) -> String {
        if ipv6 {
            if type == 3 { return "time exceeded" }
            let names = ["no route to destination", "administratively prohibited", "beyond scope of source address",
                         "address unreachable", "port unreachable"]
            return Int(code) < names.count ? names[Int(code)] : "destination unreachable"
        }
        if type == 11 { return "time to live exceeded" }
        switch code {
        case 0: return "network unreachable"
        case 1: return "host unreachable"
        case 3: return "port unreachable"
        case 9, 10, 13: return "administratively prohibited"
        default: return "destination unreachable (code \(code))"
        }
    }
}
