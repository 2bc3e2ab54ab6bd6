import Foundation
import Testing
import TestSupport
@testable import AgentRuntime
@testable import WatchModel

@Suite struct SpoolTests {
    func path() -> String { scratchDirectory("spool") + "/spool.db" }

    func samples(series: Int, each: Int, from start: TimestampMs = 1_700_000_000_000, step: TimestampMs = 10_000) -> [Sample] {
        (0..<each).flatMap { i in
            (0..<series).map { s in
                Sample(SeriesKey("probe_icmp_rtt_median_seconds", ["target": "10.0.0.\(s)", "path": "dedicated"]),
                       Double(i) / 1000, at: start + TimestampMs(i) * step)
            }
        }
    }

    @Test func everySampleLeavesOnceInOrderWithItsTimestamp() throws {
        let spool = try Spool(path: path())
        let written = samples(series: 5, each: 200)
        for chunk in stride(from: 0, to: written.count, by: 137) {
            try spool.append(Array(written[chunk..<min(chunk + 137, written.count)]))
        }
        var received: [SpooledSample] = []
        var batches = 0
        while let batch = try spool.nextBatch(limit: 300) {
            // The reply was lost: asking again gives the same batch, same id, same content.
            let again = try #require(try spool.nextBatch(limit: 300))
            #expect(again == batch)
            received += batch.samples
            try spool.acknowledge(batch.id)
            batches += 1
            #expect(batches < 100)
        }
        #expect(received.count == written.count)
        #expect(Set(received.map { "\($0.key)@\($0.timestamp)" }).count == written.count)
        for (key, series) in Dictionary(grouping: received, by: \.key) {
            let times = series.map(\.timestamp)
            #expect(times == times.sorted(), "\(key) out of order")
        }
        let expected = Dictionary(grouping: written, by: \.key).mapValues { $0.map(\.value) }
        let got = Dictionary(grouping: received, by: \.key).mapValues { $0.map(\.value) }
        #expect(got == expected)
        #expect(try spool.stats().sent == written.count)
        #expect(try spool.stats().samples == 0)
    }

    @Test func urgentStateChangesGoFirst() throws {
        let spool = try Spool(path: path())
        try spool.append(samples(series: 2, each: 50))
        let cut = Sample(SeriesKey("probe_success", ["target": "gateway"]), 0, at: 1_800_000_000_000)
        try spool.append([cut], urgent: true)
        try spool.append(Event(kind: Event.configChanged, timestamp: 1_800_000_000_000, text: "DNS server 8.8.8.8 → 203.113.131.1"))
        let batch = try #require(try spool.nextBatch(limit: 10))
        #expect(batch.samples.first?.key == cut.key)
        #expect(batch.events.first?.text == "DNS server 8.8.8.8 → 203.113.131.1")
    }

    @Test func reopeningKeepsEverythingAndTheBatchInFlight() throws {
        let file = path()
        var id = ""
        do {
            let spool = try Spool(path: file)
            try spool.append(samples(series: 3, each: 10))
            id = try #require(try spool.nextBatch(limit: 7)).id
        }
        let reopened = try Spool(path: file)
        let batch = try #require(try reopened.nextBatch(limit: 7))
        #expect(batch.id == id, "the unacknowledged batch keeps its id across a restart")
        #expect(batch.samples.count == 7)
        #expect(try reopened.stats().samples == 30)
    }

    @Test func capThinsBeforeDroppingAndCountsWhatItDid() throws {
        let cap = 512 << 10
        let spool = try Spool(path: path(), capBytes: cap)
        var inserted = 0, firstThinned: Int?, firstDropped: Int?
        // Until thinning is no longer enough and the oldest aggregates must go (bounded).
        for round in 0..<300 where firstDropped == nil || round < firstDropped! + 3 {
            let chunk = samples(series: 20, each: 200, from: 1_700_000_000_000 + TimestampMs(round) * 2_000_000)
            try spool.append(chunk)
            inserted += chunk.count
            try spool.enforceCap()
            let stats = try spool.stats()
            if stats.thinned > 0 && firstThinned == nil { firstThinned = round }
            if stats.dropped > 0 && firstDropped == nil { firstDropped = round }
            #expect(stats.bytes <= cap, "round \(round): \(stats.bytes) bytes")
        }
        let stats = try spool.stats()
        #expect(stats.thinned > 0 && stats.dropped > 0)
        #expect(try #require(firstThinned) < (firstDropped ?? Int.max), "thinning comes before dropping")
        // Nothing disappears unaccounted: every inserted sample is still raw, inside an aggregate, or counted as dropped.
        var remaining = 0
        while let batch = try spool.nextBatch(limit: 5000) {
            remaining += batch.samples.reduce(0) { $0 + ($1.aggregate?.count ?? 1) }
            #expect(batch.samples.allSatisfy { $0.aggregate.map { $0.min <= $0.max && $0.count > 1 } ?? true })
            try spool.acknowledge(batch.id)
        }
        #expect(remaining + stats.dropped == inserted)
    }

    @Test func garbageFileIsAClearError() throws {
        let file = path()
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: file))
        #expect(throws: (any Error).self) { _ = try Spool(path: file) }
    }
}
