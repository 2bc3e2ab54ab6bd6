import SNMP

/// One poll of a device's standard profile: the system group and every interface.
public struct DeviceSnapshot: Sendable {
    /// The system group (RFC 1213).
    public struct System: Sendable, Hashable {
        public var description = ""
        public var objectID = ""
        public var name = ""
        public var location = ""
        /// sysUpTime in hundredths of a second.
        public var uptimeTicks: UInt32 = 0
    }

    /// One row of ifTable joined with ifXTable.
    public struct Interface: Sendable, Hashable {
        public var index: UInt32
        public var name = ""
        public var description = ""
        public var alias = ""
        public var type = 0
        public var mac = ""
        public var adminUp = false
        public var operUp = false
        /// Bits per second (ifHighSpeed × 10⁶ when present, else ifSpeed).
        public var speed: Double = 0
        public var inOctets: UInt64 = 0
        public var outOctets: UInt64 = 0
        /// 64 when the octet counters come from ifXTable's ifHC*, 32 from ifTable.
        public var counterBits = 32
        public var inErrors: UInt64 = 0
        public var outErrors: UInt64 = 0
        public var inDiscards: UInt64 = 0
        public var outDiscards: UInt64 = 0

        /// ifType of a loopback interface (IANAifType softwareLoopback).
        public static let softwareLoopback = 24

        /// The `interface` label: ifName, else ifDescr, else the index.
        public var label: String { !name.isEmpty ? name : !description.isEmpty ? description : "if\(index)" }
    }

    public var system = System()
    public var interfaces: [Interface] = []
    /// User-defined OIDs by name.
    public var custom: [String: SNMPValue] = [:]
    /// How each user-defined OID is to be read, by name.
    public var customKinds: [String: SNMPDeviceProbe.CustomOID.Kind] = [:]

    /// A user-defined value as a number: counters and gauges as they come, and numbers some routers
    /// send as text ("-95", "-10.5") when the configuration declares a gauge or counter.
    public func customNumber(_ name: String) -> Double? {
        guard let value = custom[name], customKinds[name] != .text else { return nil }
        if let number = value.number { return number }
        return Double(value.text.filter { $0 != " " })
    }
    /// Monotonic time of the poll, in seconds, for rates.
    public var polledAt: Double = 0

    // Numeric OIDs of the system group (RFC 1213) and the interface tables (RFC 2863).
    static let system: [UInt32] = [1, 3, 6, 1, 2, 1, 1]
    static let sysDescr = OID(system + [1, 0]), sysObjectID = OID(system + [2, 0]), sysUpTime = OID(system + [3, 0])
    static let sysName = OID(system + [5, 0]), sysLocation = OID(system + [6, 0])
    static let ifTable = OID([1, 3, 6, 1, 2, 1, 2, 2, 1]), ifXTable = OID([1, 3, 6, 1, 2, 1, 31, 1, 1, 1])

    /// Fills the snapshot from a system-group GET and the walks of ifTable and ifXTable.
    init(system values: [(OID, SNMPValue)], ifTable: [(OID, SNMPValue)], ifXTable: [(OID, SNMPValue)]) {
        for (oid, value) in values where value.exists {
            switch oid {
            case Self.sysDescr: system.description = value.text
            case Self.sysObjectID: system.objectID = value.text
            case Self.sysUpTime: if case let .timeticks(t) = value { system.uptimeTicks = t }
            case Self.sysName: system.name = value.text
            case Self.sysLocation: system.location = value.text
            default: break
            }
        }
        var rows: [UInt32: Interface] = [:]
        func row(_ index: UInt32) -> Interface { rows[index] ?? Interface(index: index) }
        func number(_ value: SNMPValue) -> UInt64 {
            switch value {
            case let .counter64(v): v
            case let .counter32(v), let .gauge32(v): UInt64(v)
            case let .integer(v): UInt64(max(v, 0))
            default: 0
            }
        }
        for (oid, value) in ifTable {
            let rest = oid.suffix(after: Self.ifTable)
            guard rest.count == 2 else { continue }
            var r = row(rest[1])
            switch rest[0] {
            case 2: r.description = value.text
            case 3: r.type = Int(number(value))
            case 5: if r.speed == 0 { r.speed = Double(number(value)) }
            case 6: if case let .octets(bytes) = value, bytes.count == 6 { r.mac = value.text.lowercased() }
            case 7: r.adminUp = number(value) == 1
            case 8: r.operUp = number(value) == 1
            case 10: if r.counterBits == 32 { r.inOctets = number(value) }
            case 13: r.inDiscards = number(value)
            case 14: r.inErrors = number(value)
            case 16: if r.counterBits == 32 { r.outOctets = number(value) }
            case 19: r.outDiscards = number(value)
            case 20: r.outErrors = number(value)
            default: break
            }
            rows[rest[1]] = r
        }
        for (oid, value) in ifXTable where value.exists {
            let rest = oid.suffix(after: Self.ifXTable)
            guard rest.count == 2 else { continue }
            var r = row(rest[1])
            switch rest[0] {
            case 1: r.name = value.text
            case 6: r.inOctets = number(value); r.counterBits = 64
            case 10: r.outOctets = number(value); r.counterBits = 64
            case 15: if number(value) > 0 { r.speed = Double(number(value)) * 1_000_000 }
            case 18: r.alias = value.text
            default: break
            }
            rows[rest[1]] = r
        }
        interfaces = rows.values.sorted { $0.index < $1.index }
    }
}
