import Reports
import Testing
import WatchModel

/// The CSV a planner opens in a spreadsheet: RFC 4180 quoting, Vietnamese names intact.
@Suite struct PlannerReportCSVTests {
    /// RFC 4180 records (CRLF line ends, quoted fields with doubled quotes).
    func records(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = "", quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\r" && chars.first == "\n" { chars.removeFirst(); record.append(field); records.append(record); record = []; field = "" }
            else { field.unicodeScalars.append(c) }
        }
        return records
    }

    @Test func quotingAndMissingFields() async throws {
        var tricky = SiteFigures(site: Site(code: "QNG-Q", name: "Phường \"Nghĩa Lộ\", TP Quảng Ngãi", district: "Quảng Ngãi\nthành phố"))
        tricky.lineMeasuredMinutes = 1440
        tricky.lineAvailability = 0.5
        tricky.outageCount = 3
        tricky.outageMinutes = 720
        let empty = SiteFigures(site: Site(code: "QNG-E", name: "Đặc khu Lý Sơn", kind: .specialZone))
        let report = PlannerReport(period: .month(year: 2026, month: 3), area: .all, weights: .defaults, figures: [empty, tricky])
        let text = report.csv()
        #expect(text.hasSuffix("\r\n") && !text.hasPrefix("\u{FEFF}") && report.csv(byteOrderMark: true).hasPrefix("\u{FEFF}"))
        #expect(text.contains("\"Phường \"\"Nghĩa Lộ\"\", TP Quảng Ngãi\""), "a comma and quotes: quoted, quotes doubled")
        #expect(text.contains("\"Quảng Ngãi\nthành phố\""), "a line break: quoted")
        let rows = records(text)
        #expect(rows.count == 3)
        let header = rows[0]
        #expect(rows.allSatisfy { $0.count == header.count }, "every row has every column")
        #expect(header.contains("line_availability_points") && header.contains("os_support_weight"))
        let q = Dictionary(uniqueKeysWithValues: zip(header, rows[1]))
        #expect(q["rank"] == "1" && q["site"] == "QNG-Q" && q["name"] == "Phường \"Nghĩa Lộ\", TP Quảng Ngãi" && q["district"] == "Quảng Ngãi\nthành phố")
        // Availability 0.5 → sub-score 1; 3 cuts in a day = 90 a month → 1; only these two have data:
        // points 100 × 25 / 35 and 100 × 10 / 35.
        #expect(q["line_availability"] == "0.5" && q["outage_count"] == "3" && q["outage_minutes"] == "720")
        #expect(q["line_availability_sub"] == "1" && q["line_availability_weight"] == "25" && q["outages_raw"] == "3")
        #expect(Double(q["line_availability_points"] ?? "") .map { abs($0 - 2500.0 / 35) < 1e-9 } == true)
        #expect(Double(q["score"] ?? "") == 100 && q["coverage"] == "0.35")
        #expect(q["hours_on_4g"] == "" && q["rtt_p95_seconds"] == "" && q["cpu_model"] == "" && q["latency_points"] == "", "missing: empty, never 0")
        let e = Dictionary(uniqueKeysWithValues: zip(header, rows[2]))
        #expect(e["rank"] == "" && e["name"] == "Đặc khu Lý Sơn" && e["kind"] == "special_zone" && e["score"] == "" && e["line_availability"] == "")
        #expect(e["line_measured_minutes"] == "0" && e["coverage"] == "0")
    }
}
