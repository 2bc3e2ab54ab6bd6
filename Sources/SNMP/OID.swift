/// An SNMP object identifier, numeric (Debian ships no MIB files, so the agent never parses names).
public struct OID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let components: [UInt32]

    public init(_ components: [UInt32]) { self.components = components }

    /// Parses `1.3.6.1.2.1.1.3.0` (a leading dot is allowed); nil when it is not a numeric OID.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.first == "." { body = body.dropFirst() }
        var parts: [UInt32] = []
        for piece in body.split(separator: ".", omittingEmptySubsequences: false) {
            guard !piece.isEmpty, piece.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = UInt32(piece) else { return nil }
            parts.append(value)
        }
        guard parts.count >= 2 else { return nil }
        components = parts
    }

    public var description: String { components.map(String.init).joined(separator: ".") }

    /// True when `self` lies under `root` (or is `root`).
    public func isInside(_ root: OID) -> Bool {
        components.count >= root.components.count && Array(components.prefix(root.components.count)) == root.components
    }

    /// This OID with more components appended (a table column plus its index).
    public func appending(_ more: [UInt32]) -> OID { OID(components + more) }

    /// The components after `root` (a table row's index).
    public func suffix(after root: OID) -> [UInt32] { Array(components.dropFirst(root.components.count)) }

    public static func < (lhs: OID, rhs: OID) -> Bool { lhs.components.lexicographicallyPrecedes(rhs.components) }
}
