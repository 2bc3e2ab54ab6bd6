import ArgumentParser
import CollectorServer
import Foundation
import Reports
import WatchModel

/// `report --period 2026-03 [--district D | --site CODE…] [--csv FILE]`: the planner report, read
/// from the database directly (no running collector needed).
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank the sites for upgrades over a period (planner report; docs/report.md explains the score).")
    @Option(help: "A month (2026-03), quarter (2026-Q1) or year (2026) in Vietnam's time.") var period: String?
    @Option(help: "Start instead of --period: UTC milliseconds.") var from: Int64?
    @Option(help: "End (excluded) with --from: UTC milliseconds.") var to: Int64?
    @Option(help: "Only the sites of this district.") var district: String?
    @Option(help: "Only this site (repeat for several).") var site: [String] = []
    @Option(help: "Write the report as CSV to this file instead of printing the table.") var csv: String?
    @Flag(help: "Start the CSV with a byte order mark (what Excel needs to read Vietnamese).") var excel = false
    @Option(help: "A collector.toml whose [report.weights] to use (default: the documented weights).") var config: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let chosen: ReportPeriod
        switch (period, from, to) {
        case let (text?, nil, nil):
            guard let parsed = ReportPeriod(parsing: text) else {
                throw ValidationError("--period '\(text)' is not YYYY-MM, YYYY-Qn or YYYY")
            }
            chosen = parsed
        case let (nil, start?, end?):
            guard start < end else { throw ValidationError("--from must be before --to") }
            chosen = .range(from: start, to: end)
        default: throw ValidationError("give --period, or --from and --to")
        }
        guard district == nil || site.isEmpty else { throw ValidationError("--district and --site do not go together") }
        let area: ReportArea = district.map { .district($0) } ?? (site.isEmpty ? .all : .sites(site))
        let weights = try config.map { path throws -> ScoreWeights in
            do { return try CollectorConfig.load(path: path).reportWeights } catch { throw ValidationError("\(error)") }
        } ?? .defaults
        let report = try await store.database.with {
            try await PlannerReport.compute(period: chosen, area: area, weights: weights, metrics: $0, registry: $0)
        }
        if let path = csv {
            let text: String = report.csv(byteOrderMark: excel)
            try text.write(toFile: path, atomically: true, encoding: String.Encoding.utf8)
            print("wrote \(report.rows.count) sites to \(path)")
        } else {
            print(report.table(), terminator: "")
        }
    }
}
