extension DeviceSnapshot {
    /// What changed on the device between two polls: identity, firmware, interfaces and their speed.
    /// Counters, status flapping and uptime are measurements, not configuration, and are left out.
    public func changes(since old: DeviceSnapshot) -> [InventoryChange] {
        var out: [InventoryChange] = []
        let pairs: [(String, String, String)] = [
            ("sysName", old.system.name, system.name),
            ("sysDescr", old.system.description, system.description),
            ("sysObjectID", old.system.objectID, system.objectID),
            ("sysLocation", old.system.location, system.location),
        ]
        for (field, before, after) in pairs where before != after && !before.isEmpty && !after.isEmpty {
            out.append(InventoryChange(field: field, before: before, after: after))
        }
        let before = Dictionary(old.interfaces.map { ($0.label, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(interfaces.map { ($0.label, $0) }, uniquingKeysWith: { a, _ in a })
        for i in interfaces {
            guard let was = before[i.label] else {
                out.append(InventoryChange(field: "interface", before: "", after: i.label))
                continue
            }
            // A port that went down reports no speed: not a configuration change.
            if was.speed > 0, i.speed > 0, was.speed != i.speed, i.operUp {
                out.append(InventoryChange(field: i.label, before: Self.megabits(was.speed), after: Self.megabits(i.speed), unit: "Mb/s"))
            }
            if !was.alias.isEmpty || !i.alias.isEmpty, was.alias != i.alias {
                out.append(InventoryChange(field: "\(i.label) alias", before: was.alias, after: i.alias))
            }
            if was.adminUp != i.adminUp {
                out.append(InventoryChange(field: "\(i.label) admin", before: was.adminUp ? "up" : "down", after: i.adminUp ? "up" : "down"))
            }
        }
        for i in old.interfaces where after[i.label] == nil {
            out.append(InventoryChange(field: "interface", before: i.label, after: ""))
        }
        return out
    }

    private static func megabits(_ bits: Double) -> String {
        let value = bits / 1_000_000
        return value == value.rounded() ? String(Int(value)) : String(Double(Int(value * 10)) / 10)
    }
}
