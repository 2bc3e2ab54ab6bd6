import Testing
@testable import Probes

@Suite struct EchoPacketTests {
    let packet = EchoPacket(cookie: 0x0102_0304_0506_0708, identifier: 0xBEEF, ipv6: false, payloadSize: 56)

    @Test func requestHasAValidChecksum() {
        let bytes = packet.request(sequence: 7)
        #expect(bytes.count == 64)
        #expect(bytes[0] == 8)
        // A correct Internet checksum sums (with itself) to zero.
        #expect(EchoPacket.checksum(bytes) == 0)
    }

    @Test func replyIsMatchedByCookieAndIdentifier() {
        var reply = packet.request(sequence: 513)
        reply[0] = 0
        #expect(packet.replySequence(reply[...], checkIdentifier: true) == 513)
        var otherId = reply
        otherId[4] = 0
        #expect(packet.replySequence(otherId[...], checkIdentifier: true) == nil)
        // Datagram sockets rewrite the identifier: the cookie alone decides.
        #expect(packet.replySequence(otherId[...], checkIdentifier: false) == 513)
        var otherCookie = reply
        otherCookie[9] ^= 0xff
        #expect(packet.replySequence(otherCookie[...], checkIdentifier: false) == nil)
        // Our own request (seen on loopback raw sockets) is not a reply.
        #expect(packet.replySequence(packet.request(sequence: 1)[...], checkIdentifier: true) == nil)
    }

    @Test func unreachableErrorQuotingOurEchoIsRecognised() {
        let original = packet.request(sequence: 42)
        let innerIP: [UInt8] = [0x45] + [UInt8](repeating: 0, count: 19)
        let error: [UInt8] = [3, 1, 0, 0, 0, 0, 0, 0] + innerIP + original.prefix(8)
        let quoted = packet.quotedSequence(error[...])
        #expect(quoted?.sequence == 42)
        #expect(quoted.map { EchoPacket.describeError(type: $0.type, code: $0.code, ipv6: false) } == "host unreachable")
        #expect(packet.quotedSequence(Array(error.prefix(10))[...]) == nil)
    }

    @Test func garbageIsIgnored() {
        for length in 0..<40 {
            let junk = (0..<length).map { _ in UInt8.random(in: 0...255) }
            _ = packet.replySequence(junk[...], checkIdentifier: true)
            _ = packet.quotedSequence(junk[...])
        }
    }
}
