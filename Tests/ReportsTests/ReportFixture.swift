import Reports
import Storage
import WatchModel

/// A small province in a MemoryStore, with series whose figures are computed by hand in the tests.
/// The day is 2026-03-10 in Vietnam's time (UTC+7): 1,440 minutes, one result per minute.
struct ReportFixture {
    static let day = ReportPeriod.range(from: 1_773_075_600_000, to: 1_773_075_600_000 + 86_400_000)
    static var from: TimestampMs { day.bounds.from }
    let store = MemoryStore()
    var batches = 0

    /// One point per minute (10 s into it) for minutes `0..<1440` of the day: `value(minute)`, nil for no point.
    static func perMinute(_ value: (Int) -> Double?) -> [WirePoint] {
        (0..<1440).compactMap { m in value(m).map { WirePoint(timestamp: from + TimestampMs(m) * 60_000 + 10_000, value: $0) } }
    }

    /// Stores `series` (key without the site label → points) and `events` for `site` as one upload.
    mutating func upload(_ site: String, _ series: [(SeriesKey, [WirePoint])], events: [Event] = []) async throws {
        batches += 1
        let definitions = series.enumerated().map { SeriesDefinition(id: Int64($0.offset + 1), key: $0.element.0) }
        let wire = series.enumerated().map { WireSeries(id: Int64($0.offset + 1), points: $0.element.1) }
        let outcome = try await store.ingest(IngestBatch(agentID: "agt-\(site)", site: site, batchID: "b\(batches)", catalog: UInt64(batches),
                                                         definitions: definitions, series: wire, events: events))
        guard case .stored = outcome else { throw FixtureError.notStored("\(outcome)") }
    }

    enum FixtureError: Error { case notStored(String) }

    static func key(_ metric: String, _ labels: [String: String]) -> SeriesKey { SeriesKey(metric, labels) }

    /// The inventory snapshot an agent sends, as `HostInventory.document` writes it.
    static func inventory(at timestamp: TimestampMs, cpu: String, memory: Int, disk: (size: Int, free: Int), osName: String, osVersion: String) -> Event {
        let document = """
            {"hostname":"mt-xa","cpu_model":"\(cpu)","cpu_cores":4,"mem_total":\(memory),"mem_available":1000,"swap_total":0,"swap_free":0,\
            "os_name":"\(osName)","os_version":"\(osVersion)","os_pretty_name":"","kernel":"4.19.0","uptime":100,"boot_time":0,\
            "gateway":"192.168.1.1","dns_servers":[],"disks":[{"mount":"/boot","device":"sda1","fs_type":"ext4","size":500000000,"free":400000000},\
            {"mount":"/","device":"sda2","fs_type":"ext4","size":\(disk.size),"free":\(disk.free)}],"interfaces":[]}
            """
        return Event(kind: Event.inventory, timestamp: timestamp, text: "mt-xa", document: document)
    }

    /// Three communes:
    /// - QNG-A (district Trà Bồng): line down minutes 600–629 (30 minutes, one cut) by the agent's
    ///   `probe_path_up`, 4G up all day; RTT 0.1 s every minute; loss 0.1 in minutes 0–143, else 0.
    ///   Also a cut the minute before the day and one at its first instant after: outside the period.
    /// - QNG-B (district Ba Tơ): no `probe_path_up`, so the line is read from `probe_success`: two
    ///   probes both fail in minutes 100–109 and 900–909 (two cuts of 10 minutes); the TCP probe
    ///   alone also fails in minute 500 (the ICMP probe got through: not an outage); no 4G at all.
    ///   RSRP −115 dBm in minutes 0–359 then −95, SNR 5 dB; portal total 3 s, its probe failing
    ///   in minutes 1404–1439 and in the cuts (56 of 1,440); PC: Core i3-2120 (2011), 2 GiB, / 10% free, Debian 10.
    /// - QNG-C (district Ba Tơ): registered, nothing received.
    static func province() async throws -> ReportFixture {
        var f = ReportFixture()
        try await f.store.upsert(Site(code: "QNG-A", name: "Xã Trà Bồng", district: "Trà Bồng", province: "Quảng Ngãi", latitude: 15.25, longitude: 108.5))
        try await f.store.upsert(Site(code: "QNG-B", name: "Xã Ba Tơ", district: "Ba Tơ", province: "Quảng Ngãi"))
        try await f.store.upsert(Site(code: "QNG-C", name: "Xã Ba Vì", district: "Ba Tơ", province: "Quảng Ngãi"))

        let end = from + 86_400_000
        var lineA = perMinute { (600..<630).contains($0) ? 0 : 1 }
        lineA.insert(WirePoint(timestamp: from - 50_000, value: 0), at: 0)
        lineA.append(WirePoint(timestamp: end, value: 0))
        try await f.upload("QNG-A", [
            (key("probe_path_up", ["path": "dedicated"]), lineA),
            (key("probe_path_up", ["path": "4g"]), perMinute { _ in 1 }),
            (key("probe_icmp_rtt_median_seconds", ["path": "dedicated", "probe": "district node"]), perMinute { _ in 0.1 }),
            (key("probe_icmp_loss_ratio", ["path": "dedicated", "probe": "district node"]), perMinute { $0 < 144 ? 0.1 : 0 }),
        ])

        let cut = { (m: Int) in (100..<110).contains(m) || (900..<910).contains(m) }
        try await f.upload("QNG-B", [
            (key("probe_success", ["path": "dedicated", "kind": "icmp", "probe": "district node"]), perMinute { cut($0) ? 0 : 1 }),
            (key("probe_success", ["path": "dedicated", "kind": "tcp", "probe": "office server"]), perMinute { cut($0) || $0 == 500 ? 0 : 1 }),
            (key("probe_success", ["path": "dedicated", "kind": "http", "probe": "dichvucong"]), perMinute { $0 >= 1404 || cut($0) ? 0 : 1 }),
            (key("probe_http_total_seconds", ["path": "dedicated", "kind": "http", "probe": "dichvucong"]), perMinute { cut($0) ? nil : 3 }),
            (key("probe_modem_rsrp_dbm", ["probe": "modem"]), perMinute { $0 < 360 ? -115 : -95 }),
            (key("probe_modem_snr_db", ["probe": "modem"]), perMinute { _ in 5 }),
        ], events: [
            inventory(at: from - 3 * 86_400_000, cpu: "Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz", memory: 8 << 30, disk: (256_000_000_000, 200_000_000_000),
                      osName: "Ubuntu", osVersion: "22.04"),
            inventory(at: from + 3_600_000, cpu: "Intel(R) Core(TM) i3-2120 CPU @ 3.30GHz", memory: 2 << 30, disk: (100_000_000_000, 10_000_000_000),
                      osName: "Debian GNU/Linux", osVersion: "10"),
        ])
        return f
    }
}
