import WatchModel

/// What one simulated agent would have sent over a period: the probes of a commune office
/// (the line to the district node, the 4G path and modem, DNS, portals, the PC) with the
/// agent's own metric names and labels, as CWB2 batches in time order.
public struct DemoHistory: Sendable {
    public let site: DemoSite
    public let seed: UInt64
    public let from: TimestampMs
    public let to: TimestampMs
    /// Before this the probes' results are five minutes apart (an agent's thinned backlog), after it one minute.
    public let fineFrom: TimestampMs
    /// When the dedicated line was down.
    public let outages: [Range<TimestampMs>]

    public static let minute: TimestampMs = 60_000
    public static let hour: TimestampMs = 3_600_000

    public init(site: DemoSite, seed: UInt64, days: Int, now: TimestampMs) {
        self.site = site
        self.seed = seed
        to = now / Self.minute * Self.minute
        from = to - TimestampMs(days) * 24 * Self.hour
        fineFrom = max(from, to - 48 * Self.hour)
        outages = Self.outages(site: site, seed: seed, from: from, to: to)
    }

    /// The site's own cuts by its profile, and the cuts of its upstream node (shared by its sites).
    static func outages(site: DemoSite, seed: UInt64, from: TimestampMs, to: TimestampMs) -> [Range<TimestampMs>] {
        var r = DemoRandom(seed: seed, 2, site.index)
        var out: [Range<TimestampMs>] = []
        func walk(firstEnd: ClosedRange<Double>, length: ClosedRange<Double>, gap: ClosedRange<Double>) {
            var end = to - TimestampMs(r.uniform(firstEnd) * Double(minute))
            while end > from {
                let start = end - TimestampMs(r.uniform(length) * Double(minute))
                out.append(max(start, from)..<end)
                end = start - TimestampMs(r.uniform(gap) * Double(minute))
            }
        }
        switch site.profile {
        case .good:
            if r.chance(0.5) {
                let start = from + TimestampMs(r.uniform(0...1) * Double(to - from - hour))
                out.append(start..<start + TimestampMs(r.uniform(5...25)) * minute)
            }
        case .outages: walk(firstEnd: 60...900, length: 40...300, gap: 600...2_400)
        case .flapping: walk(firstEnd: 10...120, length: 2...9, gap: 40...300)
        }
        // Live trouble: cut in the last minutes and still cut when the history ends.
        // It stays cut after the history ends, while `demo --keep-reporting` goes on sending.
        if site.trouble != nil { out.append(max(from, to - DemoProvince.troubleMinutes * minute)..<to + 60 * 24 * hour) }
        // The node upstream fails once in the period for about a third of the nodes: all its sites go dark together.
        var node = DemoRandom(seed: seed, 3, Int(truncatingIfNeeded: fnv(site.site.upstream)))
        if node.chance(0.35), to - from > 4 * hour {
            let start = from + TimestampMs(node.uniform(0...1) * Double(to - from - 3 * hour))
            out.append(start..<start + TimestampMs(node.uniform(40...120)) * minute)
        }
        return out.sorted { $0.lowerBound < $1.lowerBound }
    }

    static func fnv(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// Whether the line is down at `t`.
    public func lineDown(at t: TimestampMs) -> Bool { outages.contains { $0.contains(t) } }

    /// Minutes of outage in the period (overlaps counted once).
    public var outageMinutes: Int {
        var total: TimestampMs = 0, covered: TimestampMs = from
        for o in outages where o.upperBound > covered && o.lowerBound < to {
            total += min(o.upperBound, to) - max(o.lowerBound, covered)
            covered = o.upperBound
        }
        return Int(total / Self.minute)
    }

    /// The batches, each covering `fineChunk` in the last two days and `coarseChunk` before
    /// (5,000–15,000 samples, like an agent catching up on its spool).
    public func batches(fineChunk: TimestampMs = 6 * hour, coarseChunk: TimestampMs = 24 * hour) -> [WireBatch] {
        var out: [WireBatch] = []
        var start = from
        var chunk = 0
        while start < to {
            let end = min(to, start < fineFrom ? min(start + coarseChunk, fineFrom) : start + fineChunk)
            var book = DemoSeriesBook()
            generate(into: &book, from: start, to: end, first: chunk == 0)
            out.append(WireBatch(id: Self.batchID(), agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated", site: site.site.code,
                                 catalog: 1, definitions: book.definitions, series: book.series, events: book.events))
            start = end
            chunk += 1
        }
        return out
    }

    /// The site's probe results from `start` to `end` after the history, as its agent would send
    /// them a minute at a time (`demo --keep-reporting`): the same lines, signal and portals, the
    /// same live trouble.
    public func continuation(from start: TimestampMs, to end: TimestampMs) -> WireBatch {
        var book = DemoSeriesBook()
        generate(into: &book, from: start, to: end, first: false)
        return WireBatch(id: Self.batchID(), agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated", site: site.site.code,
                         catalog: 1, definitions: book.definitions, series: book.series, events: book.events)
    }

    /// A fresh random batch id, as an agent makes one for each batch.
    static func batchID() -> [UInt8] {
        var system = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &system) }
    }

    /// Every probe's results in `[start, end)`.
    func generate(into book: inout DemoSeriesBook, from start: TimestampMs, to end: TimestampMs, first: Bool) {
        let code = site.site.code
        // Each site's probes run a few seconds apart from the other sites'.
        let offset = TimestampMs(site.index * 7_919 % 50_000)
        func times(every step: TimestampMs) -> StrideTo<TimestampMs> {
            let first = (start - offset + step - 1) / step * step + offset
            return stride(from: first, to: end, by: Int(step))
        }
        // The line's round every minute (its state, loss and median throughout, so outages and the
        // report count every minute); the round's other figures every minute in the last two days,
        // every five minutes before (what a thinned backlog keeps). The 4G path likewise, its full
        // round every fifteen minutes.
        let line = Probe(name: "district node (line)", kind: "icmp", target: "10.\(site.index / 250 + 1).\(site.index % 250).1", path: "dedicated", site: code)
        let cellular = Probe(name: "district node (4g)", kind: "icmp", target: line.target, path: "4g", site: code)
        let weak = site.rsrp < -110
        var wasDown = first ? false : lineDown(at: start - 1)
        for t in times(every: Self.minute) {
            var r = DemoRandom(seed: seed, 10, site.index, Int(t / 1000))
            let down = lineDown(at: t)
            let onGrid = (t - offset) % (5 * Self.minute) == 0
            icmpRound(line, at: t, base: site.baseRTT * evening(t), lossy: site.profile != .good, down: down,
                      full: t >= fineFrom || onGrid, into: &book, &r)
            book.add(SeriesKey(MetricCatalog.pathUp.name, ["path": "dedicated", "site": code]), t, down ? 0 : 1)
            if down != wasDown {
                book.events.append(Event(kind: Event.stateChanged, timestamp: t, labels: line.labels.merging(["state": down ? "failed" : "ok"]) { a, _ in a },
                                         text: "\(line.name): " + (down ? "failed (100% loss)" : "ok")))
                wasDown = down
            }
            if t >= fineFrom || down || onGrid {
                let cellDown = (weak && r.chance(0.12)) || (site.trouble == .dark && t >= to - DemoProvince.troubleMinutes * Self.minute)
                icmpRound(cellular, at: t, base: 0.035 + (-site.rsrp - 80) * 0.0012, lossy: true, down: cellDown,
                          full: (t - offset) % (15 * Self.minute) == 0, into: &book, &r)
                book.add(SeriesKey(MetricCatalog.pathUp.name, ["path": "4g", "site": code]), t, cellDown ? 0 : 1)
            }
        }
        let modem = Probe(name: "4g modem", kind: "modem", target: "modem 0", path: "4g", site: code)
        let dns = Probe(name: "dns vnpt", kind: "dns", target: "203.113.131.1/dichvucong.gov.vn", path: "dedicated", site: code)
        for t in times(every: 5 * Self.minute) {
            var r = DemoRandom(seed: seed, 12, site.index, Int(t / 1000))
            modemReading(modem, at: t, into: &book, &r)
            if lineDown(at: t) {
                book.add(dns.key("probe_success"), t, 0)
                book.add(dns.key("probe_duration_seconds"), t, 5)
            } else {
                let lookup = rounded(0.004 + site.baseRTT * evening(t) + abs(r.normal()) * 0.006, 6)
                book.add(dns.key("probe_success"), t, 1)
                book.add(dns.key("probe_duration_seconds"), t, rounded(lookup + 0.0004, 6))
                book.add(dns.key("probe_dns_lookup_seconds"), t, lookup)
                book.add(dns.key("probe_dns_rcode"), t, 0)
                book.add(dns.key("probe_dns_answer_rrs"), t, 1)
            }
        }
        for (n, portal) in Self.portals.enumerated() {
            let probe = Probe(name: portal.name, kind: "http", target: portal.url, path: "dedicated", site: code)
            for t in times(every: 15 * Self.minute) {
                var r = DemoRandom(seed: seed, 13 + n, site.index, Int(t / 1000))
                portalVisit(probe, portal, at: t, into: &book, &r)
            }
        }
        for t in times(every: Self.hour) {
            var r = DemoRandom(seed: seed, 20, site.index, Int(t / 1000))
            hostReading(at: t, into: &book, &r)
        }
        if first, let t = times(every: Self.hour).first(where: { _ in true }) { book.events.append(inventoryEvent(at: t)) }
    }

    /// Evening congestion (19–22 h in Viet Nam): round trips up to twice as long on a poor line.
    func evening(_ t: TimestampMs) -> Double {
        let hour = (t / Self.hour + 7) % 24
        guard (19...22).contains(hour) else { return 1 }
        return site.profile == .good ? 1.25 : 1.9
    }
}

/// A probe's four labels (and the site), as the agent puts them on every sample.
struct Probe {
    let name: String
    let kind: String
    let target: String
    let path: String
    let site: String

    var labels: [String: String] { ["probe": name, "kind": kind, "target": target, "path": path, "site": site] }
    func key(_ metric: String, _ extra: [String: String] = [:]) -> SeriesKey { SeriesKey(metric, labels.merging(extra) { a, _ in a }) }
}

/// The series of one batch: ids, definitions and points, in the order they were first seen.
struct DemoSeriesBook {
    private var ids: [SeriesKey: Int] = [:]
    private var keys: [SeriesKey] = []
    private var points: [[WirePoint]] = []
    var events: [Event] = []

    mutating func add(_ key: SeriesKey, _ t: TimestampMs, _ value: Double) {
        if let i = ids[key] { points[i].append(WirePoint(timestamp: t, value: value)); return }
        ids[key] = keys.count
        keys.append(key)
        points.append([WirePoint(timestamp: t, value: value)])
    }

    /// Ids from the key itself, so the same series keeps its id in every batch of the agent's catalog.
    private func id(_ key: SeriesKey) -> Int64 { Int64(bitPattern: DemoHistory.fnv(key.description) >> 12) }

    var definitions: [SeriesDefinition] { keys.map { SeriesDefinition(id: id($0), key: $0) }.sorted { $0.id < $1.id } }
    var series: [WireSeries] {
        keys.indices.map { WireSeries(id: id(keys[$0]), points: points[$0]) }.sorted { $0.id < $1.id }
    }
}
