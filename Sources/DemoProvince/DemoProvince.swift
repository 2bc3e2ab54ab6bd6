import WatchModel

/// A simulated province for demonstrations and benchmarks: communes in districts with
/// coordinates, upstream nodes and teams, each with a line that behaves in a chosen way.
/// Every site is labelled: codes start with `DEMO-`, names with "[Mô phỏng]".
public struct DemoProvince: Sendable {
    public static let codePrefix = "DEMO-"
    public static let namePrefix = "[Mô phỏng] "
    public static let provinceName = "Tỉnh Mô Phỏng (demo)"

    public let seed: UInt64
    public let sites: [DemoSite]

    /// How a site's dedicated line behaves over the period.
    public enum LineProfile: String, Sendable, CaseIterable {
        /// Up nearly all the time.
        case good
        /// Long outages every day or two (an old copper pair, a node on a generator).
        case outages
        /// Many short cuts a day.
        case flapping
    }

    /// What is wrong at a site as the demo ends, so that the collector's alerting raises live
    /// incidents through its real rules (the pages are not empty of them).
    public enum Trouble: String, Sendable, CaseIterable {
        /// The dedicated line cut for the last minutes; the office still reports over 4G.
        case lineDown
        /// Line and 4G both down for the last minutes: nothing gets out of the office.
        case dark
    }

    /// How long the live trouble has lasted when the history ends.
    public static let troubleMinutes: TimestampMs = 8

    /// Sites 3 and 11 lose their line, site 6 goes dark: all three already have a poor line
    /// (profile `outages`), sites 3 and 11 are in one district (one team gets both).
    static func trouble(index: Int) -> Trouble? {
        switch index {
        case 2, 10: .lineDown
        case 5: .dark
        default: nil
        }
    }

    /// `count` sites in eight districts (1…3,300), the same for the same seed.
    public init(sites count: Int, seed: UInt64) {
        self.seed = seed
        var names = DemoNames.communes
        var random = DemoRandom(seed: seed, 0)
        names.shuffle(using: &random)
        var sites: [DemoSite] = []
        for index in 0..<count {
            let d = index % DemoNames.districts.count
            let district = DemoNames.districts[d]
            let number = index / DemoNames.districts.count + 1
            var r = DemoRandom(seed: seed, 1, index)
            let stem = names[index % names.count]
            let round = index / names.count
            let kind: Site.Kind = r.chance(0.12) ? .ward : .commune
            let title = (kind == .ward ? "Phường " : "Xã ") + stem + (round > 0 ? " \(round + 1)" : "")
            // Upstream nodes: 2–4 per district, fixed by the district.
            let nodes = 2 + (d * 7 + Int(seed % 3)) % 3
            let node = (number - 1) % nodes + 1
            // Profiles by position, so even a dozen sites show every kind of line; shifted every
            // round of the districts so that no district gets all the bad lines.
            let profile: LineProfile = switch (index + index / DemoNames.districts.count * 3) % 8 {
            case 2, 5: .outages
            case 7: .flapping
            default: .good
            }
            let site = Site(
                code: Self.codePrefix + district.code + "-" + String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number),
                name: Self.namePrefix + title, kind: kind, district: district.name, province: Self.provinceName,
                latitude: rounded(district.latitude + r.uniform(-0.12...0.12), 5),
                longitude: rounded(district.longitude + r.uniform(-0.12...0.12), 5),
                upstream: "\(Self.codePrefix)\(district.code)-NODE\(node)", team: "Tổ kỹ thuật " + district.short,
                contacts: "demo")
            sites.append(DemoSite(index: index, site: site, profile: profile,
                                  baseRTT: profile == .good ? r.uniform(0.006...0.022) : r.uniform(0.025...0.070),
                                  rsrp: index % 7 == 4 ? r.uniform(-117 ... -111) : r.uniform(-104 ... -72),
                                  cell: 40_000 + d * 1_000 + node * 37 + number % 5,
                                  hardware: DemoHardware.pick(&r), trouble: Self.trouble(index: index)))
        }
        self.sites = sites
    }
}

/// One simulated site: its registry entry and how its line, modem and PC behave.
public struct DemoSite: Sendable {
    public let index: Int
    public let site: Site
    public let profile: DemoProvince.LineProfile
    /// Typical ICMP round-trip time to the district node over the line, seconds.
    public let baseRTT: Double
    /// Typical 4G signal, dBm.
    public let rsrp: Double
    /// Serving cell id (it moves to a neighbour cell now and then).
    public let cell: Int
    public let hardware: DemoHardware
    /// What is wrong there as the demo ends (nil: nothing).
    public let trouble: DemoProvince.Trouble?

    /// The site as the admin API takes it.
    public var registryObject: [String: Any] {
        var o: [String: Any] = ["code": site.code, "name": site.name, "kind": site.kind.rawValue, "district": site.district,
                                "province": site.province, "upstream": site.upstream, "team": site.team, "contacts": site.contacts]
        if let lat = site.latitude { o["latitude"] = lat }
        if let lon = site.longitude { o["longitude"] = lon }
        return o
    }
}

/// The office PC of a simulated site, as the agent's inventory would describe it.
public struct DemoHardware: Sendable {
    public let cpuModel: String
    public let cores: Int
    public let memoryGiB: Int
    public let diskGB: Int
    public let osName: String
    public let osVersion: String
    public let osPrettyName: String

    static let choices: [DemoHardware] = [
        DemoHardware(cpuModel: "Intel(R) Pentium(R) CPU G2020 @ 2.90GHz", cores: 2, memoryGiB: 2, diskGB: 250,
                     osName: "Ubuntu", osVersion: "18.04", osPrettyName: "Ubuntu 18.04.6 LTS"),
        DemoHardware(cpuModel: "Intel(R) Core(TM) i3-4130 CPU @ 3.40GHz", cores: 4, memoryGiB: 4, diskGB: 500,
                     osName: "Ubuntu", osVersion: "20.04", osPrettyName: "Ubuntu 20.04.6 LTS"),
        DemoHardware(cpuModel: "Intel(R) Core(TM) i5-7400 CPU @ 3.00GHz", cores: 4, memoryGiB: 8, diskGB: 500,
                     osName: "Ubuntu", osVersion: "22.04", osPrettyName: "Ubuntu 22.04.4 LTS"),
        DemoHardware(cpuModel: "Intel(R) Celeron(R) CPU J1900 @ 1.99GHz", cores: 4, memoryGiB: 4, diskGB: 120,
                     osName: "Debian GNU/Linux", osVersion: "10", osPrettyName: "Debian GNU/Linux 10 (buster)"),
        DemoHardware(cpuModel: "Intel(R) Core(TM) i3-10100 CPU @ 3.60GHz", cores: 8, memoryGiB: 8, diskGB: 256,
                     osName: "Ubuntu", osVersion: "22.04", osPrettyName: "Ubuntu 22.04.4 LTS"),
        DemoHardware(cpuModel: "Intel(R) Core(TM)2 Duo CPU E7500 @ 2.93GHz", cores: 2, memoryGiB: 2, diskGB: 160,
                     osName: "Ubuntu", osVersion: "16.04", osPrettyName: "Ubuntu 16.04.7 LTS"),
    ]

    static func pick(_ r: inout DemoRandom) -> DemoHardware { choices[Int(r.next() % UInt64(choices.count))] }
}
