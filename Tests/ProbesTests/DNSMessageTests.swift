import Testing
@testable import Probes

@Suite struct DNSMessageTests {
    @Test func queryEncodesTheName() throws {
        let query = try #require(DNSMessage.query(id: 0x1234, name: "dichvucong.gov.vn.", type: 1))
        #expect(Array(query.prefix(4)) == [0x12, 0x34, 0x01, 0x00])
        #expect(Array(query[12...]) == [10] + Array("dichvucong".utf8) + [3] + Array("gov".utf8) + [2] + Array("vn".utf8) + [0, 0, 1, 0, 1])
    }

    @Test func invalidNamesAreRefused() {
        #expect(DNSMessage.query(id: 1, name: "a..b", type: 1) == nil)
        #expect(DNSMessage.query(id: 1, name: String(repeating: "x", count: 64) + ".vn", type: 1) == nil)
        #expect(DNSMessage.query(id: 1, name: "", type: 1) == nil)
    }

    @Test func replyWithCompressedAnswersIsRead() throws {
        var reply: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        reply += [2] + Array("ok".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        reply += [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]
        reply += [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2]
        let parsed = try #require(DNSMessage.parse(reply))
        #expect(parsed.id == 0x1234)
        #expect(parsed.rcode == 0)
        #expect(parsed.answerCount == 2)
        #expect(parsed.answers == ["127.0.0.1", "127.0.0.2"])
    }

    @Test func truncatedOrGarbageRepliesDoNotCrash() {
        for length in 0..<64 {
            let junk = (0..<length).map { _ in UInt8.random(in: 0...255) }
            _ = DNSMessage.parse(junk)
        }
        #expect(DNSMessage.parse([0, 1, 0x01, 0]) == nil)
    }
}
