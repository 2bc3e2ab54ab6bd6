@testable import CollectorServer
import Foundation
import Testing

/// The acknowledge link's token alone: what it accepts and every way it refuses, without a server.
@Suite struct AcknowledgeLinkTests {
    let link = AcknowledgeLink(key: String(repeating: "ab", count: 32), lifetime: .seconds(86_400))
    let id = #"DedicatedLineDown|{"path":"dedicated","site":"QNG-001"}@1764633600000"#
    let now: Int64 = 1_764_633_700_000

    @Test func aTokenOpensItsIncidentUntilItExpires() throws {
        let (token, expires) = link.token(for: id, now: now)
        #expect(expires == now + 86_400_000)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }, "safe in a URL path as it is: \(token)")
        #expect(try link.incident(in: token, now: now) == id)
        #expect(try link.incident(in: token, now: expires - 1) == id)
        #expect(throws: AcknowledgeLink.Refusal.expired(at: expires)) { try link.incident(in: token, now: expires) }
        let short = link.token(for: id, now: now, lifetime: .seconds(1))
        #expect(throws: AcknowledgeLink.Refusal.expired(at: now + 1000)) { try link.incident(in: short.token, now: now + 1000) }
    }

    @Test func anotherKeyAnAlteredTokenOrAnotherIncidentsPayloadIsRefused() throws {
        let (token, _) = link.token(for: id, now: now)
        let otherCollectors = AcknowledgeLink(key: String(repeating: "cd", count: 32), lifetime: .seconds(60))
        #expect(throws: AcknowledgeLink.Refusal.tampered) { try otherCollectors.incident(in: token, now: now) }
        // Every single character changed, payload or signature: refused, never a crash.
        let characters = Array(token)
        for i in characters.indices {
            var altered = characters
            altered[i] = altered[i] == "A" ? "B" : "A"
            #expect(throws: (any Error).self) { try link.incident(in: String(altered), now: now) }
        }
        // Another incident's payload under this signature; a longer expiry under this signature.
        let other = link.token(for: id.replacingOccurrences(of: "QNG-001", with: "QNG-002"), now: now)
        func payload(_ t: String) -> String { String(t[..<t.lastIndex(of: ".")!]) }
        let signature = String(token[token.lastIndex(of: ".")!...])
        #expect(throws: AcknowledgeLink.Refusal.tampered) { try link.incident(in: payload(other.token) + signature, now: now) }
        let later = link.token(for: id, now: now + 1).token
        #expect(throws: AcknowledgeLink.Refusal.tampered) { try link.incident(in: payload(later) + signature, now: now) }
        for garbage in ["", ".", "abc", "abc.", ".abc", String(repeating: "x", count: 10_000), "%%%.%%%", "é.é"] {
            #expect(throws: (any Error).self) { try link.incident(in: garbage, now: now) }
        }
    }
}
