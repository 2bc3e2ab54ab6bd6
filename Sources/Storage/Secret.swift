import Crypto
import Foundation
import WatchModel

/// Tokens and agent secrets: random, stored only as hashes, compared in constant time.
public enum Secret {
    /// 32 random bytes in hex.
    public static func make() -> String { RandomHex.make(bytes: 32) }

    /// Only hashes are stored: a copied database gives no one a working token.
    public static func hash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    public static func matches(_ secret: String, hash stored: String) -> Bool {
        let x = Array(stored.utf8), y = Array(hash(secret).utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A new agent's id.
    public static func agentID() -> String { "agt-" + make().prefix(16) }
}

extension IngestBatch {
    /// A definition's series as stored: the site label is the collector's to set (an agent writes only its own site).
    public func storedKey(_ definition: SeriesDefinition) -> SeriesKey { definition.key.adding(["site": site]) }

    /// A series' points with the clock correction applied, in time order.
    public func correctedPoints(_ series: WireSeries) -> [WirePoint] {
        var points = series.points
        if clockCorrection != 0 {
            for i in points.indices { points[i].timestamp += clockCorrection }
        }
        points.sort { $0.timestamp < $1.timestamp }
        return points
    }

    /// The batch's events as stored: labelled with the site, clock corrected.
    public var storedEvents: [Event] {
        events.map { e in
            var stored = e
            stored.labels["site"] = site
            stored.timestamp += clockCorrection
            return stored
        }
    }
}

extension Secret {
    /// HMAC-SHA256 of `message` under `key`, in hex: what makes a link unforgeable without the key.
    public static func sign(_ message: String, key: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8))))
    }

    /// Whether `signature` is `message`'s under `key`, compared in constant time.
    public static func verify(_ message: String, signature: String, key: String) -> Bool {
        let x = Array(signature.utf8), y = Array(sign(message, key: key).utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
