/// A value an SNMP agent returned, by its ASN.1 / SMI type.
public enum SNMPValue: Hashable, Sendable, CustomStringConvertible {
    case integer(Int64)
    case octets([UInt8])
    case oid(OID)
    case ipAddress([UInt8])
    case counter32(UInt32)
    case gauge32(UInt32)
    /// Hundredths of a second.
    case timeticks(UInt32)
    case counter64(UInt64)
    case opaque([UInt8])
    case null
    case noSuchObject
    case noSuchInstance
    case endOfMibView

    /// The value as a number, for gauges, counters, integers and timeticks.
    public var number: Double? {
        switch self {
        case let .integer(v): Double(v)
        case let .counter32(v), let .gauge32(v), let .timeticks(v): Double(v)
        case let .counter64(v): Double(v)
        default: nil
        }
    }

    /// The value as text: octet strings as UTF-8 when printable, hex otherwise.
    public var text: String {
        switch self {
        case let .octets(bytes), let .opaque(bytes):
            if let string = String(validating: bytes, as: UTF8.self),
               string.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
                return string.trimmingTrailingNulls()
            }
            return bytes.map { byte in
                let hex = String(byte, radix: 16, uppercase: true)
                return hex.count == 1 ? "0" + hex : hex
            }.joined(separator: ":")
        case let .ipAddress(bytes): return bytes.map(String.init).joined(separator: ".")
        case let .oid(oid): return oid.description
        default: return number.map { String(Int64($0)) } ?? description
        }
    }

    /// False for the "no such object / instance / end of view" exceptions.
    public var exists: Bool {
        switch self {
        case .noSuchObject, .noSuchInstance, .endOfMibView: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case let .integer(v): "INTEGER \(v)"
        case let .octets(b): "STRING \(SNMPValue.octets(b).text)"
        case let .oid(o): "OID \(o)"
        case let .ipAddress(b): "IpAddress \(b.map(String.init).joined(separator: "."))"
        case let .counter32(v): "Counter32 \(v)"
        case let .gauge32(v): "Gauge32 \(v)"
        case let .timeticks(v): "Timeticks \(v)"
        case let .counter64(v): "Counter64 \(v)"
        case let .opaque(b): "Opaque \(b.count) bytes"
        case .null: "NULL"
        case .noSuchObject: "No Such Object"
        case .noSuchInstance: "No Such Instance"
        case .endOfMibView: "End of MIB View"
        }
    }
}

extension String {
    fileprivate func trimmingTrailingNulls() -> String {
        var s = Substring(self)
        while s.last == "\0" { s = s.dropLast() }
        return String(s)
    }
}
