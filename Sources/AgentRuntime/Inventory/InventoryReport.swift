import Probes
import WatchModel

/// `commune-agent inventory`: this PC's inventory, and what changed since the last run when a state file is kept.
public struct InventoryReport: Sendable {
    public let inventory: HostInventory
    public let changes: [InventoryChange]
    /// False when there was no earlier snapshot to compare with.
    public let compared: Bool
    public let language: Language

    /// Collects the inventory; with `statePath`, compares with the snapshot saved there and saves the new one.
    public static func run(statePath: String?, language: Language) -> (InventoryReport, saveError: String?) {
        let current = HostInventory.collect()
        var previous: HostInventory?
        if let statePath, let text = TextFile.read(statePath), let json = try? JSONValue.parse(text) {
            previous = HostInventory(document: json)
        }
        var saveError: String?
        if let statePath, !TextFile.writeAtomically(current.document, to: statePath) {
            saveError = language.pick("cannot save the inventory to ", "không lưu được kiểm kê vào ") + statePath
        }
        let report = InventoryReport(inventory: current, changes: previous.map(current.changes(since:)) ?? [],
                                     compared: previous != nil, language: language)
        return (report, saveError)
    }

    public init(inventory: HostInventory, changes: [InventoryChange], compared: Bool, language: Language) {
        self.inventory = inventory
        self.changes = changes
        self.compared = compared
        self.language = language
    }

    /// The readable form.
    public func table() -> String {
        let i = inventory, l = language, f = Figures(language: language)
        let gib = { (bytes: Int) in f.number(Double(bytes) / 1_073_741_824, decimals: 1) + " GiB" }
        var rows: [(String, String)] = [
            (l.pick("Computer", "Máy tính"), i.hostname),
            (l.pick("System", "Hệ điều hành"), i.osDescription + " · kernel " + i.kernel),
            ("CPU", "\(i.cpuModel) · \(i.cpuCores) " + l.pick("threads", "luồng")),
            ("RAM", gib(i.memTotal) + l.pick(" (available ", " (còn trống ") + gib(i.memAvailable) + ")"
                + (i.swapTotal > 0 ? " · swap " + gib(i.swapTotal) : "")),
            (l.pick("Up since", "Bật từ"), WallClock.iso8601(ms: i.bootTime * 1000 + 7 * 3_600_000).prefix(16).replacingT()
                + " (" + f.uptime(i.uptime) + ")"),
        ]
        for d in i.disks {
            let ratio = d.size > 0 ? Double(d.free) / Double(d.size) : 0
            rows.append((l.pick("Disk ", "Ổ đĩa ") + d.mount, f.number(Double(d.size) / 1e9, decimals: 0) + " GB, "
                         + f.percent(ratio) + l.pick(" free", " trống") + " (\(d.device), \(d.fsType))"))
        }
        for n in i.interfaces {
            var text = n.operState
            if let speed = n.speedMbps { text += " · \(speed) Mb/s" + (n.duplex.map { " \($0)" } ?? "") }
            if !n.mac.isEmpty { text += " · " + n.mac }
            if !n.addresses.isEmpty { text += " · " + n.addresses.joined(separator: ", ") }
            rows.append((l.pick("Network ", "Mạng ") + n.name, text))
        }
        rows.append((l.pick("Gateway", "Cổng mạng"), i.gateway ?? "–"))
        rows.append(("DNS", i.dnsServers.isEmpty ? "–" : i.dnsServers.joined(separator: ", ")))
        let width = rows.map(\.0.count).max() ?? 0
        var out = rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n") + "\n"
        if compared {
            out += "\n" + (changes.isEmpty
                ? l.pick("No change since the last inventory.", "Không có thay đổi so với lần kiểm kê trước.")
                : l.pick("Changed since the last inventory:", "Thay đổi so với lần kiểm kê trước:") + "\n"
                    + changes.map { "  " + $0.description }.joined(separator: "\n")) + "\n"
        }
        return out
    }

    /// One `inventory` line with facts, metrics and the document; one `config_changed` line per change.
    public func jsonLines(at timestamp: TimestampMs = WallClock.nowMs()) -> String {
        inventory.events(since: nil, at: timestamp).map { event in
            var json = JSONWriter()
            json.add("kind", event.kind)
            json.add("time", WallClock.iso8601(ms: event.timestamp))
            json.add("facts", raw: JSONWriter.object(inventory.facts.sorted { $0.key < $1.key }.map { ($0.key, JSONWriter.quote($0.value)) }))
            json.add("metrics", raw: JSONWriter.object(inventory.measurements.map {
                (SeriesKey($0.metric, $0.labels).description, JSONWriter.number($0.value))
            }))
            json.add("document", raw: event.document ?? "null")
            return json.object
        }.joined(separator: "\n") + "\n" + changes.map { change in
            var json = JSONWriter()
            json.add("kind", Event.configChanged)
            json.add("time", WallClock.iso8601(ms: timestamp))
            json.add("field", change.field)
            json.add("before", change.before)
            json.add("after", change.after)
            json.add("text", change.description)
            return json.object + "\n"
        }.joined()
    }
}

extension Substring {
    fileprivate func replacingT() -> String { String(map { $0 == "T" ? " " : $0 }) }
}
