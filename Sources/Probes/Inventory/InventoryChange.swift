/// One difference between two inventories of the same PC, e.g. "DNS server 8.8.8.8 → 203.113.131.1".
public struct InventoryChange: Sendable, Hashable, CustomStringConvertible {
    /// What changed, as the text starts: "DNS server", "eth0", "RAM", "disk / size", "interface".
    public var field: String
    /// The old value; empty when something was added.
    public var before: String
    /// The new value; empty when something was removed.
    public var after: String
    /// Written after the new value ("GiB", "Mb/s"); empty for text values.
    public var unit: String

    public init(field: String, before: String, after: String, unit: String = "") {
        self.field = field
        self.before = before
        self.after = after
        self.unit = unit
    }

    /// "kernel 6.1.0-25 → 6.1.0-26", "RAM 8 → 4 GiB", "interface eth1 added".
    public var description: String {
        if before.isEmpty { return "\(field) \(after) added" }
        if after.isEmpty { return "\(field) \(before) removed" }
        return "\(field) \(before) → \(after)" + (unit.isEmpty ? "" : " \(unit)")
    }
}

extension HostInventory {
    /// What changed in the PC's make-up since `old`. Figures that always move (free memory, free disk,
    /// uptime, boot time) are left out, and so is a value one of the two snapshots could not read.
    public func changes(since old: HostInventory) -> [InventoryChange] {
        var out: [InventoryChange] = []
        func text(_ field: String, _ before: String, _ after: String) {
            if !before.isEmpty, !after.isEmpty, before != after { out.append(InventoryChange(field: field, before: before, after: after)) }
        }
        text("hostname", old.hostname, hostname)
        text("OS", old.osDescription, osDescription)
        text("kernel", old.kernel, kernel)
        text("CPU", old.cpuModel, cpuModel)
        if old.cpuCores > 0, cpuCores > 0 { text("CPU cores", String(old.cpuCores), String(cpuCores)) }
        if old.memTotal > 0, memTotal > 0 {
            out += Self.quantity("RAM", old.memTotal, memTotal, unit: "GiB", scale: 1_073_741_824)
        }
        out += Self.quantity("swap", old.swapTotal, swapTotal, unit: "GiB", scale: 1_073_741_824)
        out += diskChanges(since: old)
        out += interfaceChanges(since: old)
        switch (old.gateway, gateway) {
        case let (before?, after?): text("gateway", before, after)
        case let (before?, nil): out.append(InventoryChange(field: "gateway", before: before, after: ""))
        case let (nil, after?): out.append(InventoryChange(field: "gateway", before: "", after: after))
        case (nil, nil): break
        }
        out += Self.listChanges("DNS server", old.dnsServers, dnsServers)
        // The same resolvers in another order still change which one is asked first.
        if Set(old.dnsServers) == Set(dnsServers), old.dnsServers != dnsServers {
            text("DNS servers", old.dnsServers.joined(separator: ", "), dnsServers.joined(separator: ", "))
        }
        return out
    }

    private func diskChanges(since old: HostInventory) -> [InventoryChange] {
        var out: [InventoryChange] = []
        for disk in disks {
            guard let before = old.disks.first(where: { $0.mount == disk.mount }) else {
                out.append(InventoryChange(field: "disk", before: "", after: disk.mount))
                continue
            }
            if before.device != disk.device {
                out.append(InventoryChange(field: "disk \(disk.mount) device", before: before.device, after: disk.device))
            }
            // Disks are sold in decimal gigabytes, so that is the unit people recognise.
            out += Self.quantity("disk \(disk.mount) size", before.size, disk.size, unit: "GB", scale: 1_000_000_000)
        }
        for disk in old.disks where !disks.contains(where: { $0.mount == disk.mount }) {
            out.append(InventoryChange(field: "disk", before: disk.mount, after: ""))
        }
        return out
    }

    private func interfaceChanges(since old: HostInventory) -> [InventoryChange] {
        var out: [InventoryChange] = []
        for nic in interfaces {
            guard let before = old.interfaces.first(where: { $0.name == nic.name }) else {
                out.append(InventoryChange(field: "interface", before: "", after: nic.name))
                continue
            }
            func text(_ field: String, _ a: String?, _ b: String?, unit: String = "") {
                // Unknown on either side (link down, virtual NIC) is not a change of the hardware.
                guard let a, let b, !a.isEmpty, !b.isEmpty, a != b else { return }
                out.append(InventoryChange(field: field, before: a, after: b, unit: unit))
            }
            text("\(nic.name) MAC", before.mac, nic.mac)
            text(nic.name, before.speedMbps.map(String.init), nic.speedMbps.map(String.init), unit: "Mb/s")
            text("\(nic.name) duplex", before.duplex, nic.duplex)
            text("\(nic.name) link", before.operState, nic.operState)
            out += Self.listChanges("\(nic.name) address", before.addresses, nic.addresses)
        }
        for nic in old.interfaces where !interfaces.contains(where: { $0.name == nic.name }) {
            out.append(InventoryChange(field: "interface", before: nic.name, after: ""))
        }
        return out
    }

    /// A size change, ignoring the few megabytes a kernel update moves MemTotal by.
    static func quantity(_ field: String, _ before: Int, _ after: Int, unit: String, scale: Double) -> [InventoryChange] {
        let largest = Double(max(before, after))
        guard abs(Double(before) - Double(after)) > largest * 0.02 else { return [] }
        let a = amount(Double(before) / scale), b = amount(Double(after) / scale)
        return a == b ? [] : [InventoryChange(field: field, before: a, after: b, unit: unit)]
    }

    /// One decimal below 100 ("7.8"), whole numbers from 100 ("466"), never a trailing ".0".
    static func amount(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        if value >= 100 { return String(Int(value.rounded())) }
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }

    /// Items gone and items new; within one address family, a gone one and a new one read as a replacement.
    static func listChanges(_ field: String, _ before: [String], _ after: [String]) -> [InventoryChange] {
        var out: [InventoryChange] = []
        for isIPv6 in [false, true] {
            let removed = before.filter { $0.contains(":") == isIPv6 && !after.contains($0) }
            let added = after.filter { $0.contains(":") == isIPv6 && !before.contains($0) }
            out += zip(removed, added).map { InventoryChange(field: field, before: $0, after: $1) }
            out += removed.dropFirst(added.count).map { InventoryChange(field: field, before: $0, after: "") }
            out += added.dropFirst(removed.count).map { InventoryChange(field: field, before: "", after: $0) }
        }
        return out
    }
}
