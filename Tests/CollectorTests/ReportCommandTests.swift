import Deflate
import Foundation
import Testing
import TestSupport
@testable import WatchModel

/// `commune-collector report`: the planner's ranked table and CSV, read from the collector's database.
@Suite(.ownThread) struct ReportCommandTests {
    @Test(arguments: Backend.allCases) func aCutLineRanksFirstInTheTableAndTheCSV(backend: Backend) throws {
        let collector = try CollectorProcess(backend: backend)
        defer { collector.stop() }
        let cut = try collector.enrolledAgent(site: "QNG-CUT", name: "Xã Sơn Tây, huyện \"miền núi\"")
        let steady = try collector.enrolledAgent(site: "QNG-OK", name: "Phường Trương Quang Trọng")
        let start = (WallClock.nowMs() - 3 * 3_600_000) / 3_600_000 * 3_600_000
        // One hour, one result a minute: QNG-CUT's line is down in minutes 20–34 (15 minutes, one
        // cut); QNG-OK's never is. Availability 45/60 = 75.00% and 100.00%.
        for (n, (credentials, down)) in [(cut, 20..<35), (steady, 0..<0)].enumerated() {
            let line = (0..<60).map { WirePoint(timestamp: start + TimestampMs($0) * 60_000 + 1_000, value: down.contains($0) ? 0 : 1) }
            let batch = WireBatch(id: Array(repeating: UInt8(n + 1), count: 16), agentTime: WallClock.nowMs(), clockSynced: true, path: "dedicated",
                                  site: "", catalog: 1, definitions: [SeriesDefinition(id: 1, key: SeriesKey("probe_path_up", ["path": "dedicated"]))],
                                  series: [WireSeries(id: 1, points: line)])
            let stored = try collector.request("POST", "/api/v1/ingest", token: credentials, body: Deflate.compress(batch.encoded()),
                                               headers: ["Content-Encoding: deflate"])
            #expect(stored.status == 200, "\(stored.body)")
        }
        let period = ["--from", "\(start)", "--to", "\(start + 3_600_000)"]
        let table = try run(try collectorBinary(), ["report"] + period + collector.storeOptions)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(table.stdout)")
        #expect(lines.count == 4 && lines[2].hasPrefix("1  QNG-CUT") && lines[2].contains("75.00") && lines[2].contains(" 15 "), "\(table.stdout)")
        #expect(lines.count == 4 && lines[3].hasPrefix("2  QNG-OK") && lines[3].contains("100.00"), "\(table.stdout)")

        let file = collector.data + "/report.csv"
        let written = try run(try collectorBinary(), ["report"] + period + ["--site", "QNG-CUT", "--csv", file, "--excel"] + collector.storeOptions)
        #expect(written.status == 0 && written.stdout.contains("wrote 1 sites"), "\(written.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        // The byte order mark Excel needs (Foundation drops it when it decodes the text).
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let csv = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(csv.hasPrefix("rank,site,name,"))
        #expect(csv.contains("\r\n1,QNG-CUT,\"Xã Sơn Tây, huyện \"\"miền núi\"\"\",commune,"), "\(csv)")
        #expect(csv.split(separator: "\r\n").count == 2)

        let bad = try run(try collectorBinary(), ["report", "--period", "2026-13"] + collector.storeOptions)
        #expect(bad.status != 0 && bad.stderr.contains("--period '2026-13' is not YYYY-MM, YYYY-Qn or YYYY"), "\(bad.stderr)")
        let unknown = try run(try collectorBinary(), ["report"] + period + ["--site", "QNG-NONE"] + collector.storeOptions)
        #expect(unknown.status != 0 && unknown.stderr.contains("not in the site registry: QNG-NONE"), "\(unknown.stderr)")
    }
}
