import Storage
import WatchModel

/// The office PC as its newest inventory snapshot describes it, with what a planner asks of it:
/// how old the processor is, how much memory and disk it has, whether its OS is still supported.
public struct Hardware: Sendable, Hashable {
    /// When the snapshot was taken.
    public var seen: TimestampMs
    public var hostname: String
    public var cpuModel: String?
    /// The year the processor's generation came out, from its model name; nil when not recognised.
    public var cpuYear: Int?
    public var cpuCores: Int?
    public var memoryBytes: Int?
    /// The system disk (`/`, else `C:`, else the largest).
    public var diskBytes: Int?
    public var diskFreeRatio: Double?
    public var os: String?
    /// The day the OS release stops getting security updates ("2024-06-30"); nil when not in the table.
    public var osEndOfLife: String?

    public init(seen: TimestampMs, hostname: String = "", cpuModel: String? = nil, cpuYear: Int? = nil, cpuCores: Int? = nil,
                memoryBytes: Int? = nil, diskBytes: Int? = nil, diskFreeRatio: Double? = nil, os: String? = nil, osEndOfLife: String? = nil) {
        self.seen = seen
        self.hostname = hostname
        self.cpuModel = cpuModel
        self.cpuYear = cpuYear
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
        self.diskFreeRatio = diskFreeRatio
        self.os = os
        self.osEndOfLife = osEndOfLife
    }

    /// Reads an `inventory` event's document (the agent's `HostInventory.document`); nil when it is not JSON.
    public init?(inventory event: Event) {
        guard let document = event.document, let json = try? JSONValue.parse(document) else { return nil }
        func number(_ v: JSONValue?) -> Double? { if case let .number(n)? = v { return n } else { return nil } }
        func text(_ key: String) -> String? { json[key]?.string.flatMap { $0.isEmpty ? nil : $0 } }
        // Zero means "not read" in the agent's snapshot, not "no memory".
        func positive(_ v: JSONValue?) -> Int? { number(v).flatMap { $0 > 0 ? Int($0) : nil } }
        self.init(seen: event.timestamp, hostname: text("hostname") ?? "")
        cpuModel = text("cpu_model")
        cpuYear = cpuModel.flatMap(Self.cpuYear(model:))
        cpuCores = positive(json["cpu_cores"])
        memoryBytes = positive(json["mem_total"])
        let disks = (json["disks"]?.array ?? []).compactMap { d -> (mount: String, size: Int, free: Int)? in
            guard let size = positive(d["size"]) else { return nil }
            return (d["mount"]?.string ?? "", size, Int(number(d["free"]) ?? 0))
        }
        let system = disks.first { $0.mount == "/" } ?? disks.first { $0.mount.uppercased().hasPrefix("C:") } ?? disks.max { $0.size < $1.size }
        diskBytes = system?.size
        diskFreeRatio = system.map { Double($0.free) / Double($0.size) }
        let name = text("os_name"), version = text("os_version")
        if let pretty = text("os_pretty_name") {
            os = pretty
        } else if let name {
            os = version.map { "\(name) \($0)" } ?? name
        }
        osEndOfLife = Self.endOfLife(name: name ?? os ?? "", version: version ?? "")
    }

    /// The processor's age in whole years at `instant` (by calendar year in Vietnam).
    public func cpuAge(at instant: TimestampMs) -> Int? {
        cpuYear.map { max(0, ReportPeriod.localDate(instant).year - $0) }
    }

    /// Whether the OS is past its end of life at `instant`; nil when its end of life is not known.
    public func osUnsupported(at instant: TimestampMs) -> Bool? {
        osEndOfLife.map { Self.isoDate(instant) >= $0 }
    }

    /// Days from `instant` until the OS's end of life (negative once past).
    public func daysToEndOfLife(from instant: TimestampMs) -> Int? {
        guard let eol = osEndOfLife, let y = Int(eol.prefix(4)), let m = Int(eol.dropFirst(5).prefix(2)), let d = Int(eol.suffix(2)) else { return nil }
        return Int((ReportPeriod.midnight(y, m, d) - instant) / ReportPeriod.day)
    }

    static func isoDate(_ ms: TimestampMs) -> String {
        let (y, m, d) = ReportPeriod.localDate(ms)
        return "\(y)-\(ReportPeriod.pad(m))-\(ReportPeriod.pad(d))"
    }
}

extension Hardware {
    /// The year a processor generation came out, from the model name the OS reports (e.g.
    /// "Intel(R) Core(TM) i5-3470 CPU @ 3.20GHz" → 2012). Only the families commune PCs have;
    /// anything else is nil (unknown), never a guess.
    public static func cpuYear(model: String) -> Int? {
        let m = model.replacingAll("(R)", "").replacingAll("(TM)", "")
        // Intel Core i3/i5/i7/i9-NNNN[N]: the generation is the digits before the last three.
        if let number = m.digits(after: ["i3-", "i5-", "i7-", "i9-"]) {
            if number.count == 3 { return 2010 } // first generation: i5-650 and the like
            let years = [2: 2011, 3: 2012, 4: 2013, 5: 2015, 6: 2015, 7: 2017, 8: 2017, 9: 2018, 10: 2020, 11: 2021, 12: 2022, 13: 2023, 14: 2023]
            return number.count >= 4 ? Int(number.dropLast(3)).flatMap { years[$0] } : nil
        }
        if m.includes("Core 2") || m.includes("Core2") { return 2007 }
        if m.includes("Pentium Dual") { return 2007 }
        // Pentium / Celeron Gnnnn desktop parts.
        if let number = m.digits(after: ["Pentium G", "Celeron G", "Pentium CPU G", "Celeron CPU G", "Pentium Gold G", "CPU G"]) {
            switch (number.count, number.first) {
            case (3, "6"), (3, "8"): return 2011
            case (4, "1"), (4, "2"): return 2012
            case (4, "3"): return 2013
            case (4, "4"): return 2015
            case (4, "5"): return 2018
            case (4, "6"): return 2020
            default: return nil
            }
        }
        // Celeron / Pentium Jnnnn, Nnnnn mini-PC parts.
        if let number = m.digits(after: ["J", "N"]), number.count == 4, m.includes("Celeron") || m.includes("Pentium") {
            switch number.first {
            case "1", "2": return 2013
            case "3": return 2016
            case "4": return number.hasPrefix("41") || number.hasPrefix("40") ? 2019 : 2017
            case "5": return 2019
            case "6": return 2021
            default: return nil
            }
        }
        // AMD Ryzen 3/5/7 NNNN: the first digit is the series.
        if let number = m.digits(after: ["Ryzen 3 ", "Ryzen 5 ", "Ryzen 7 ", "Ryzen 9 "]), number.count == 4 {
            return [1: 2017, 2: 2018, 3: 2019, 4: 2020, 5: 2021, 6: 2022, 7: 2023, 8: 2024][Int(String(number.first!)) ?? 0]
        }
        if m.includes("Athlon II") || m.includes("Phenom") { return 2009 }
        return nil
    }

    /// End of security support of the OS releases commune PCs run, by vendor ("YYYY-MM-DD").
    static let endOfLife: [(name: String, version: String, date: String)] = [
        ("windows", "7", "2020-01-14"), ("windows", "8.1", "2023-01-10"), ("windows", "10", "2025-10-14"),
        ("debian", "8", "2020-06-30"), ("debian", "9", "2022-06-30"), ("debian", "10", "2024-06-30"),
        ("debian", "11", "2026-08-31"), ("debian", "12", "2028-06-30"),
        ("ubuntu", "14.04", "2019-04-30"), ("ubuntu", "16.04", "2021-04-30"), ("ubuntu", "18.04", "2023-05-31"),
        ("ubuntu", "20.04", "2025-05-31"), ("ubuntu", "22.04", "2027-06-01"), ("ubuntu", "24.04", "2029-05-31"),
        ("centos", "7", "2024-06-30"), ("centos", "8", "2021-12-31"),
    ]

    /// The end of life of an OS by os-release NAME and VERSION_ID (or a Windows product name); nil when not in the table.
    public static func endOfLife(name: String, version: String) -> String? {
        let lower = name.lowercased()
        if lower.includes("windows") {
            // "Windows 10 Pro", "Microsoft Windows 7 Professional": the version is the word after "windows".
            let words = (lower + " " + version.lowercased()).split(separator: " ").map(String.init)
            guard let i = words.firstIndex(of: "windows"), i + 1 < words.count else { return nil }
            return endOfLife.first { $0.name == "windows" && $0.version == words[i + 1] }?.date
        }
        return endOfLife.first { lower.includes($0.name) && $0.version == version }?.date
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        var out = self[...], result = ""
        while let r = out.firstOccurrence(of: target) {
            result += out[..<r.lowerBound] + replacement
            out = out[r.upperBound...]
        }
        return result + out
    }

    /// The run of digits right after the first of `prefixes` found, if any.
    func digits(after prefixes: [String]) -> String? {
        for prefix in prefixes {
            guard let range = firstOccurrence(of: prefix) else { continue }
            let digits = self[range.upperBound...].prefix { $0.isNumber && $0.isASCII }
            if !digits.isEmpty { return String(digits) }
        }
        return nil
    }
}
