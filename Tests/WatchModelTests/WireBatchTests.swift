import Deflate
import Testing
@testable import WatchModel

@Suite struct WireBatchTests {
    /// Ten portals probed every 30 s: success, status, total time and ICMP median, with their definitions.
    func realistic(minutes: Int = 10, defined: Bool = true) -> WireBatch {
        var series: [WireSeries] = [], definitions: [SeriesDefinition] = []
        let start: TimestampMs = 1_795_000_000_000
        for probe in 0..<10 {
            let labels = ["probe": "portal \(probe)", "target": "https://p\(probe).gov.vn", "path": "dedicated", "kind": "http", "site": "QNG-001"]
            let points = { (value: (Int) -> Double) in
                (0..<(minutes * 2)).map { WirePoint(timestamp: start + TimestampMs($0) * 30_000 + TimestampMs(probe * 37), value: value($0)) }
            }
            func add(_ metric: String, _ value: (Int) -> Double) {
                let id = Int64(definitions.count + 1)
                definitions.append(SeriesDefinition(id: id, key: SeriesKey(metric, labels)))
                series.append(WireSeries(id: id, points: points(value)))
            }
            add("probe_success") { _ in 1 }
            add("probe_http_status_code") { _ in 200 }
            add("probe_http_total_seconds") { i in Double(150_000 + (i * 7919) % 40_000) / 1e6 }
            add("probe_icmp_rtt_median_seconds") { i in Double(20_000_000 + (i * 104_729) % 3_000_000) / 1e9 }
        }
        return WireBatch(id: Array(0..<16), agentTime: start + 600_000, clockSynced: true, syncedSince: start - 86_400_000,
                         path: "dedicated", site: "QNG-001", catalog: 0x0123_4567_89AB_CDEF,
                         definitions: defined ? definitions : [], series: series,
                         events: [Event(kind: Event.configChanged, timestamp: start, labels: ["site": "QNG-001"], text: "DNS server 8.8.8.8 → 203.113.131.1")])
    }

    @Test func roundTripsExactly() throws {
        var batch = realistic()
        batch.definitions.append(SeriesDefinition(id: 1000, key: SeriesKey("odd")))
        batch.series.append(WireSeries(id: 1000, points: [
            WirePoint(timestamp: -5, value: 0.1 + 0.2), WirePoint(timestamp: 10, value: -.infinity),
            WirePoint(timestamp: 7, value: .nan), WirePoint(timestamp: 8, value: 1e300,
                                                             aggregate: .init(min: -1, max: 3.5, count: 42)),
        ]))
        let decoded = try WireBatch.decode(batch.encoded())
        #expect(decoded == batch)
    }

    @Test func bytesPerSampleOnTheWire() {
        for batch in [realistic(defined: true), realistic(defined: false)] {
            let wire = Deflate.compress(batch.encoded())
            let perSample = Double(wire.count) / Double(batch.sampleCount)
            print("CWB2 (\(batch.definitions.count) definitions): \(batch.sampleCount) samples, \(batch.encoded().count) bytes encoded, \(wire.count) bytes deflated: \(perSample) bytes per sample")
            // The target is under 3 bytes per sample averaged over a run.
            #expect(perSample < 3, "\(perSample) bytes per sample (\(wire.count) bytes for \(batch.sampleCount) samples)")
        }
        // One point per series (a 60 s flush of 60 s probes): the definitions are what costs, once.
        let first = realistic(minutes: 1), later = realistic(minutes: 1, defined: false)
        #expect(Deflate.compress(later.encoded()).count * 2 < Deflate.compress(first.encoded()).count,
                "a batch of known series must cost a fraction of one that defines them")
    }

    @Test func theCatalogNamesSeriesAndFindsTheUnknown() throws {
        var catalog = SeriesCatalog()
        let first = realistic(minutes: 1)
        let named = try #require(catalog.resolve(try WireBatch.decode(first.encoded())))
        #expect(named.count == 40 && named[2].key == SeriesKey("probe_http_total_seconds", [
            "probe": "portal 0", "target": "https://p0.gov.vn", "path": "dedicated", "kind": "http", "site": "QNG-001"]))
        var later = realistic(minutes: 1, defined: false)
        later.series.append(WireSeries(id: 77, points: [WirePoint(timestamp: 1, value: 1)]))
        #expect(catalog.unknownIDs(in: later) == [77])
        #expect(catalog.resolve(later) == nil, "an id nobody defined must not be guessed")
        #expect(SeriesCatalog().unknownIDs(in: realistic(minutes: 1, defined: false)).count == 40)
    }

    @Test func damagedBodiesAreErrorsNotCrashes() {
        let good = realistic(minutes: 1).encoded()
        for cut in stride(from: 0, to: good.count, by: 7) {
            #expect(throws: BatchFormatError.self) { try WireBatch.decode(Array(good.prefix(cut))) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bad = good
            for _ in 0..<3 { bad[Int.random(in: 4..<bad.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? WireBatch.decode(bad)
        }
        for _ in 0..<500 {
            _ = try? WireBatch.decode(WireBatch.magic + (0..<Int.random(in: 0...200)).map { _ in UInt8.random(in: 0...255) })
        }
    }

    @Test func inflateRefusesABomb() throws {
        let bomb = Deflate.compress([UInt8](repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        #expect(throws: DeflateError.tooLarge(1_000_000)) { try Deflate.decompress(bomb, limit: 1_000_000) }
        #expect(try Deflate.decompress(bomb, limit: 20_000_000).count == 10_000_000)
        #expect(throws: DeflateError.self) { try Deflate.decompress(Array("not zlib".utf8), limit: 1000) }
    }
}
