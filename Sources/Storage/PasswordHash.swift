import _CryptoExtras
import Crypto
import Foundation
import WatchModel

/// Staff passwords through scrypt, stored as `$scrypt$ln=15,r=8,p=1$SALT$KEY` (base64): the
/// string names its algorithm and cost, so stronger settings later still verify the old hashes
/// (`needsUpgrade` says when to re-hash at the next sign-in).
public struct PasswordHash: Sendable, Hashable {
    /// log2 of scrypt's N, its block size r and parallelism p.
    public var logRounds: Int
    public var blockSize: Int
    public var parallelism: Int

    /// N = 2^15, r = 8, p = 1: 32 MiB and a few tens of milliseconds a try (OWASP's interactive class).
    public static let standard = PasswordHash(logRounds: 15, blockSize: 8, parallelism: 1)
    /// Passwords shorter than this are refused: the one rule that matters most against guessing.
    public static let minimumLength = 10
    /// Longer ones are refused too: nobody types more, and it bounds the work per request.
    public static let maximumBytes = 1024

    public init(logRounds: Int, blockSize: Int, parallelism: Int) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// Why `password` cannot be used, or nil when it can.
    public static func check(password: String) -> String? {
        if password.count < minimumLength { return "a password needs at least \(minimumLength) characters (this one has \(password.count))" }
        if password.utf8.count > maximumBytes { return "a password may have at most \(maximumBytes) bytes" }
        return nil
    }

    /// The encoded hash of `password` under a new random salt; throws `PasswordRefused` for a password `check` refuses.
    public func hash(_ password: String) throws -> String {
        if let why = Self.check(password: password) { throw PasswordRefused(why) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = try derive(password, salt: salt)
        return "$scrypt$ln=\(logRounds),r=\(blockSize),p=\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    func derive(_ password: String, salt: [UInt8]) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logRounds,
                                           blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Whether `password` is the one `encoded` was made from; false for a malformed or unknown encoding.
    /// The keys are compared in constant time.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        guard password.utf8.count <= maximumBytes, let (parameters, salt, key) = parse(encoded),
              let derived = try? parameters.derive(password, salt: salt), derived.count == key.count else { return false }
        return zip(derived, key).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Whether `encoded` was made with weaker settings than `self` (re-hash it at the next sign-in).
    public func needsUpgrade(_ encoded: String) -> Bool {
        guard let (parameters, _, _) = Self.parse(encoded) else { return true }
        return parameters.logRounds < logRounds || parameters.blockSize < blockSize || parameters.parallelism < parallelism
    }

    /// The settings, salt and key of an encoded hash; nil when it is not one this code can check.
    static func parse(_ encoded: String) -> (PasswordHash, salt: [UInt8], key: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let v = Int(kv[1]) else { return nil }
            values[String(kv[0])] = v
        }
        // Bounds keep a tampered row from asking for gigabytes.
        guard let ln = values["ln"], let r = values["r"], let p = values["p"], (10...20).contains(ln), (1...32).contains(r), (1...16).contains(p),
              let salt = Data(base64Encoded: String(parts[3])), let key = Data(base64Encoded: String(parts[4])), !salt.isEmpty, key.count >= 16 else {
            return nil
        }
        return (PasswordHash(logRounds: ln, blockSize: r, parallelism: p), [UInt8](salt), [UInt8](key))
    }

    /// A hash no password matches, checked when the login is unknown: a wrong login takes as long as a wrong password.
    public static let decoy = "$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
}

/// A password that cannot be used, and why (too short, too long).
public struct PasswordRefused: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
