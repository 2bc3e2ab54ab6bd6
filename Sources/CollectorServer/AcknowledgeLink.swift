import Foundation
import Storage
import WatchModel

/// The token in an acknowledge link: the incident's id and an expiry, signed with the collectors'
/// shared key. It is the page's only credential, and good for that one incident only.
struct AcknowledgeLink: Sendable {
    /// Why a token is refused; each becomes a page that says so.
    enum Refusal: Error, Equatable {
        case malformed, tampered, expired(at: TimestampMs), otherIncident
    }

    let key: String
    /// How long a new link stays valid.
    let lifetime: Duration

    /// `BASE64URL(ID \n EXPIRES_MS).HMAC_HEX`: the id travels in the token, so the signature covers it.
    func token(for incident: String, now: TimestampMs, lifetime: Duration? = nil) -> (token: String, expires: TimestampMs) {
        let expires = now + (lifetime ?? self.lifetime).milliseconds
        let payload = Self.base64URL(Data("\(incident)\n\(expires)".utf8))
        return (payload + "." + Secret.sign(payload, key: key), expires)
    }

    /// The incident the token is for, if it was signed with this key and has not expired.
    func incident(in token: String, now: TimestampMs) throws(Refusal) -> String {
        guard let dot = token.lastIndex(of: "."), token.count < 4096 else { throw .malformed }
        let payload = String(token[..<dot]), signature = String(token[token.index(after: dot)...])
        guard Secret.verify(payload, signature: signature, key: key) else { throw .tampered }
        guard let data = Self.data(base64URL: payload), let text = String(data: data, encoding: .utf8),
              let newline = text.lastIndex(of: "\n"), let expires = TimestampMs(text[text.index(after: newline)...]) else { throw .malformed }
        guard now < expires else { throw .expired(at: expires) }
        return String(text[..<newline])
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        s += String(repeating: "=", count: (4 - s.count % 4) % 4)
        return Data(base64Encoded: s)
    }
}

private extension Duration {
    var milliseconds: TimestampMs { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
