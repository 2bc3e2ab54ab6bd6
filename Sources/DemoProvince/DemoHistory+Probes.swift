import WatchModel

/// One result of each kind of probe, with the figures the real probe reports (docs/metrics.md).
extension DemoHistory {
    struct Portal {
        let name: String
        let url: String
        /// Typical server time to the first byte, seconds.
        let processing: Double
        let bytes: Double
        let version: Double
    }

    static let portals = [
        Portal(name: "dichvucong", url: "https://dichvucong.gov.vn", processing: 0.55, bytes: 48_213, version: 2),
        Portal(name: "cong tinh", url: "https://dichvucong.mophong.gov.vn", processing: 0.32, bytes: 21_907, version: 1.1),
        Portal(name: "bhxh", url: "https://baohiemxahoi.gov.vn", processing: 0.9, bytes: 73_554, version: 1.1),
    ]

    /// A SmokePing-style round of 20 echoes: the round's figures, or only loss 1 when every echo was lost.
    /// Not `full`: only the state, the loss and the median.
    func icmpRound(_ probe: Probe, at t: TimestampMs, base: Double, lossy: Bool, down: Bool, full: Bool,
                   into book: inout DemoSeriesBook, _ r: inout DemoRandom) {
        let sent = 20.0
        if down {
            book.add(probe.key("probe_success"), t, 0)
            book.add(probe.key("probe_icmp_loss_ratio"), t, 1)
            guard full else { return }
            book.add(probe.key("probe_icmp_packets_sent"), t, sent)
            book.add(probe.key("probe_duration_seconds"), t, 5.75)
            book.add(probe.key("probe_icmp_packets_received"), t, 0)
            book.add(probe.key("probe_icmp_loss_burst_max_packets"), t, sent)
            return
        }
        let lost = r.chance(lossy ? 0.18 : 0.03) ? Double(1 + r.next() % (lossy ? 5 : 2)) : 0
        let median = max(0.0008, base * (1 + 0.1 * r.normal()))
        book.add(probe.key("probe_success"), t, lost / sent <= 0.2 ? 1 : 0)
        book.add(probe.key("probe_icmp_loss_ratio"), t, lost / sent)
        book.add(probe.key("probe_icmp_rtt_median_seconds"), t, rounded(median, 6))
        guard full else { return }
        let low = median * r.uniform(0.7...0.95), high = median * r.uniform(1.15...(lossy ? 3.5 : 1.8))
        let stddev = (high - low) / 4
        book.add(probe.key("probe_icmp_packets_sent"), t, sent)
        book.add(probe.key("probe_duration_seconds"), t, rounded(4.75 + high, 6))
        book.add(probe.key("probe_icmp_packets_received"), t, sent - lost)
        book.add(probe.key("probe_icmp_loss_burst_max_packets"), t, lost > 0 ? Double(1 + r.next() % UInt64(lost)) : 0)
        book.add(probe.key("probe_icmp_rtt_min_seconds"), t, rounded(low, 6))
        book.add(probe.key("probe_icmp_rtt_mean_seconds"), t, rounded((low + 2 * median + high) / 4, 6))
        book.add(probe.key("probe_icmp_rtt_max_seconds"), t, rounded(high, 6))
        book.add(probe.key("probe_icmp_rtt_stddev_seconds"), t, rounded(stddev, 6))
        book.add(probe.key("probe_icmp_jitter_seconds"), t, rounded(stddev * 0.8, 6))
    }

    /// What ModemManager says of the 4G modem: signal, serving cell (now and then a neighbour's).
    func modemReading(_ probe: Probe, at t: TimestampMs, into book: inout DemoSeriesBook, _ r: inout DemoRandom) {
        let rsrp = rounded(site.rsrp + 3 * r.normal(), 0)
        let snr = rounded((rsrp + 108) / 1.6 + 2 * r.normal(), 1)
        var hour = DemoRandom(seed: seed, 14, site.index, Int(t / Self.hour))
        let cell = site.cell + (hour.chance(0.08) ? 1 : 0)
        book.add(probe.key("probe_success"), t, rsrp >= -115 ? 1 : 0)
        book.add(probe.key("probe_duration_seconds"), t, rounded(r.uniform(0.2...0.9), 3))
        book.add(probe.key("probe_modem_registered"), t, 1)
        book.add(probe.key("probe_modem_signal_quality_ratio"), t, rounded(min(1, max(0.05, (rsrp + 125) / 60)), 2))
        book.add(probe.key("probe_modem_rsrp_dbm"), t, rsrp)
        book.add(probe.key("probe_modem_rsrq_db"), t, rounded(min(-3, max(-20, -6 + (rsrp + 90) / 5 + r.normal())), 1))
        book.add(probe.key("probe_modem_snr_db"), t, snr)
        book.add(probe.key("probe_modem_rssi_dbm"), t, rounded(rsrp + 24 + r.normal(), 0))
        book.add(probe.key("probe_modem_cell_id"), t, Double(cell))
        book.add(probe.key("probe_modem_tracking_area_code"), t, Double(cell / 1_000 * 10 + 1))
    }

    /// One visit of a portal: timings by phase, or only failure and the time waited when the line is down.
    func portalVisit(_ probe: Probe, _ portal: Portal, at t: TimestampMs, into book: inout DemoSeriesBook, _ r: inout DemoRandom) {
        guard !lineDown(at: t) else {
            book.add(probe.key("probe_success"), t, 0)
            book.add(probe.key("probe_duration_seconds"), t, 15)
            return
        }
        let rtt = (site.baseRTT + 0.012) * evening(t)
        let slow = r.chance(0.04) ? r.uniform(3...8) : 1
        let phases: [(String, Double)] = [
            ("resolve", rounded(r.chance(0.7) ? r.uniform(0.0002...0.002) : r.uniform(0.01...0.06), 6)),
            ("connect", rounded(rtt * r.uniform(1...1.4), 6)),
            ("tls", rounded(2 * rtt * r.uniform(1...1.3) + 0.008, 6)),
            ("processing", rounded(portal.processing * slow * max(0.4, 1 + 0.25 * r.normal()) * evening(t), 6)),
            ("transfer", rounded(portal.bytes / r.uniform(150_000...900_000) + rtt, 6)),
        ]
        let total = phases.reduce(0) { $0 + $1.1 }
        for (phase, seconds) in phases { book.add(probe.key("probe_http_duration_seconds", ["phase": phase]), t, seconds) }
        book.add(probe.key("probe_success"), t, total < 10 ? 1 : 0)
        book.add(probe.key("probe_duration_seconds"), t, rounded(total + 0.0005, 6))
        book.add(probe.key("probe_http_time_to_first_byte_seconds"), t, rounded(total - phases[4].1, 6))
        book.add(probe.key("probe_http_total_seconds"), t, rounded(total, 6))
        book.add(probe.key("probe_http_status_code"), t, 200)
        book.add(probe.key("probe_http_response_bytes"), t, portal.bytes)
        book.add(probe.key("probe_http_version"), t, portal.version)
        book.add(probe.key("probe_http_redirects"), t, 0)
    }

    var hostProbe: Probe { Probe(name: "this PC", kind: "host", target: "this PC", path: "default", site: site.site.code) }
    var hostname: String { "ubnd-" + site.site.code.lowercased() }
    var memoryBytes: Double { Double(site.hardware.memoryGiB) * 1_073_741_824 * 0.96 }
    var diskBytes: Double { Double(site.hardware.diskGB) * 1_000_000_000 }
    var bootTime: TimestampMs { from - TimestampMs(site.index % 9 + 1) * 24 * Self.hour }

    /// The PC's numbers (the host probe's `host_*` metrics), hourly.
    func hostReading(at t: TimestampMs, into book: inout DemoSeriesBook, _ r: inout DemoRandom) {
        let p = hostProbe, root = ["mount": "/"]
        let usedDisk = 0.55 + 0.4 * Double(site.index % 7) / 7 + 0.002 * Double(t - from) / Double(24 * Self.hour)
        let free = rounded(diskBytes * max(0.02, 1 - usedDisk), 0)
        book.add(p.key("host_memory_total_bytes"), t, memoryBytes)
        book.add(p.key("host_memory_available_bytes"), t, rounded(memoryBytes * r.uniform(0.12...0.55), 0))
        book.add(p.key("host_swap_total_bytes"), t, 2_147_483_648)
        book.add(p.key("host_swap_free_bytes"), t, rounded(2_147_483_648 * r.uniform(0.5...1), 0))
        book.add(p.key("host_disk_size_bytes", root), t, diskBytes)
        book.add(p.key("host_disk_free_bytes", root), t, free)
        book.add(p.key("host_disk_free_ratio", root), t, rounded(free / diskBytes, 4))
        book.add(p.key("host_uptime_seconds"), t, Double((t - bootTime) / 1000))
        book.add(p.key("host_cpu_cores"), t, Double(site.hardware.cores))
    }

    /// The `inventory` event the agent sends when it starts: the same document as `HostInventory.document`.
    func inventoryEvent(at t: TimestampMs) -> Event {
        let h = site.hardware
        var json = JSONWriter()
        json.add("hostname", hostname)
        json.add("cpu_model", h.cpuModel)
        json.add("cpu_cores", number: Double(h.cores))
        json.add("mem_total", number: memoryBytes)
        json.add("mem_available", number: rounded(memoryBytes * 0.4, 0))
        json.add("swap_total", number: 2_147_483_648)
        json.add("swap_free", number: 2_000_000_000)
        json.add("os_name", h.osName)
        json.add("os_version", h.osVersion)
        json.add("os_pretty_name", h.osPrettyName)
        json.add("kernel", h.osVersion == "22.04" ? "5.15.0-105-generic" : "4.15.0-213-generic")
        json.add("uptime", number: Double((t - bootTime) / 1000))
        json.add("boot_time", number: Double(bootTime / 1000))
        json.add("gateway", "192.168.1.1")
        json.add("dns_servers", raw: "[\"203.113.131.1\",\"203.113.131.2\"]")
        var disk = JSONWriter()
        disk.add("mount", "/"); disk.add("device", "/dev/sda1"); disk.add("fs_type", "ext4")
        disk.add("size", number: diskBytes); disk.add("free", number: rounded(diskBytes * 0.3, 0))
        json.add("disks", raw: "[" + disk.object + "]")
        var nic = JSONWriter()
        nic.add("name", "eth0"); nic.add("mac", "52:54:00:de:\(hex(site.index / 256)):\(hex(site.index % 256))")
        nic.add("speed_mbps", number: 100); nic.add("duplex", "full"); nic.add("oper_state", "up")
        nic.add("addresses", raw: "[\"192.168.1.10/24\"]")
        json.add("interfaces", raw: "[" + nic.object + "]")
        return Event(kind: Event.inventory, timestamp: t, labels: ["site": site.site.code],
                     text: "\(hostname): \(h.osName) \(h.osVersion), \(h.cores) cores, \(Int(memoryBytes) >> 20) MiB RAM",
                     document: json.object)
    }

    private func hex(_ n: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[(n >> 4) & 15], digits[n & 15]])
    }
}
