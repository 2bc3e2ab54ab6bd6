import Foundation
import Testing
@testable import WatchModel

@Suite struct MetricCatalogTests {
    @Test func docsListEveryMetricWithItsUnit() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/metrics.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for info in MetricCatalog.all {
            let row = text.split(separator: "\n").first { $0.hasPrefix("| `\(info.name)` |") }
            #expect(row != nil, "docs/metrics.md does not list \(info.name)")
            #expect(row?.contains("| \(info.unit) |") == true, "\(info.name): unit \(info.unit) not in docs")
        }
        let documented = text.split(separator: "\n").filter { $0.hasPrefix("| `probe_") || $0.hasPrefix("| `host_") || $0.hasPrefix("| `agent_") }.count
        #expect(documented == MetricCatalog.all.count, "docs list metrics the code does not produce")
    }

    @Test func namesFollowPrometheusConventions() {
        for info in MetricCatalog.all {
            #expect(["probe_", "host_", "agent_"].contains { info.name.hasPrefix($0) }, "\(info.name)")
            #expect(info.name.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(info.name)")
            if info.unit == "seconds" { #expect(info.name.hasSuffix("_seconds"), "\(info.name)") }
            if info.unit == "bytes" { #expect(info.name.hasSuffix("_bytes"), "\(info.name)") }
        }
        #expect(Set(MetricCatalog.all.map(\.name)).count == MetricCatalog.all.count)
    }

    @Test func seriesKeyPrintsInExpositionFormat() {
        let key = SeriesKey("probe_http_duration_seconds", ["phase": "tls", "target": "https://x/\"q\""])
        #expect(key.description == #"probe_http_duration_seconds{phase="tls",target="https://x/\"q\""}"#)
        #expect(SeriesKey("m", ["b": "1", "a": "2"]) == SeriesKey("m", ["a": "2", "b": "1"]))
    }

    @Test func wallClockFormatsUTC() {
        #expect(WallClock.iso8601(ms: 0) == "1970-01-01T00:00:00.000Z")
        #expect(WallClock.iso8601(ms: 1_795_000_000_123) == "2026-11-18T11:06:40.123Z")
        #expect(WallClock.isoDate(seconds: 951_782_400) == "2000-02-29")
    }
}

@Suite struct StringSearchTests {
    @Test func findsTheFirstOccurrence() throws {
        let text = "https://dichvucong.gov.vn/p/home"
        let range = try #require(text.firstOccurrence(of: "://"))
        #expect(text[range.upperBound...] == "dichvucong.gov.vn/p/home")
        #expect("Cổng Dịch vụ công".includes("Dịch vụ"))
        #expect(!"abc".includes("abd"))
        #expect("aaab".firstOccurrence(of: "aab").map { "aaab"[$0] } == "aab")
        #expect("".firstOccurrence(of: "x") == nil)
        #expect("x".includes(""))
    }
}
