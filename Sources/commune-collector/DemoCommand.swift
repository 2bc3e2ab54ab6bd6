import ArgumentParser
import CollectorServer
import DemoProvince
import Foundation
import WatchModel

/// `demo [--sites N] [--days N] [--seed N]`: a clearly labelled simulated province put into the
/// running collector through the real admin, enrollment and ingest API, so every page has data.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a simulated province (sites DEMO-…, names \"[Mô phỏng] …\") with history to the running collector.")
    @Option(help: "How many simulated communes (1…3300).") var sites = 96
    @Option(help: "Days of history up to now (1…60); the last two at one result a minute, five minutes before.") var days = 14
    @Option(help: "The same seed gives the same province and the same figures.") var seed: UInt64 = 2026
    @Option(help: "Sites uploaded at the same time.") var parallel = 2
    @Flag(help: "Remove the demo sites (not possible yet: see the message).") var remove = false
    @Flag(help: "After the history, keep the sites' agents reporting every minute until stopped (the pages stay live).")
    var keepReporting = false
    @OptionGroup var target: CollectorOptions

    func validate() throws {
        guard (1...3_300).contains(sites) else { throw ValidationError("--sites must be 1…3300, not \(sites)") }
        guard (1...60).contains(days) else { throw ValidationError("--days must be 1…60, not \(days)") }
        guard (1...16).contains(parallel) else { throw ValidationError("--parallel must be 1…16, not \(parallel)") }
    }

    func run() async throws {
        let token = try AdminClient.token(given: target.adminToken, dataDirectory: target.data)
        let uploader = DemoUploader(collector: target.collector, adminToken: token)
        if remove {
            let existing = try await uploader.existingDemoSites()
            throw ValidationError("""
                the collector's admin API cannot delete sites yet, so the \(existing.count) demo sites stay; \
                they are the ones whose code starts with \(DemoProvince.codePrefix) and whose name starts with "[Mô phỏng]". \
                To be rid of them, stop the collector and start it on a fresh data directory.
                """)
        }
        let province = DemoProvince(sites: sites, seed: seed)
        let started = Date()
        let outcome: DemoUploader.Outcome
        do {
            outcome = try await uploader.run(province, days: days, parallel: parallel) { say("demo: \($0)") }
        } catch let error as DemoError { throw ValidationError(error.description) }
        let seconds = Date().timeIntervalSince(started)
        for profile in DemoProvince.LineProfile.allCases where profile != .good {
            let codes = outcome.created.filter { $0.profile == profile }.map { "\($0.site.code) (\(outcome.outageMinutes[$0.site.code] ?? 0) min)" }
            if !codes.isEmpty { say("demo: \(profile == .outages ? "long outages" : "flapping line"): \(codes.joined(separator: ", "))") }
        }
        // Still wrong as the history ends: the alerting raises these now (see /incidents).
        for trouble in DemoProvince.Trouble.allCases {
            let codes = outcome.created.filter { $0.trouble == trouble }.map(\.site.code)
            if !codes.isEmpty { say("demo: \(trouble == .lineDown ? "line down now (on 4G)" : "dark now (line and 4G down)"): \(codes.joined(separator: ", "))") }
        }
        if !outcome.skipped.isEmpty { say("demo: \(outcome.skipped.count) demo sites were already there, left as they are") }
        say(String(format: "demo: %d sites, %d batches, %d samples, %d events, %.1f MB deflated, %d waits, in %.1f s (%.0f samples/s)",
                     outcome.created.count, outcome.batches, outcome.samples, outcome.events, Double(outcome.bytes) / 1e6,
                     outcome.retries, seconds, Double(outcome.samples) / max(seconds, 0.001)))
        if keepReporting {
            say("demo: the sites' agents keep reporting every minute until this is stopped")
            do { try await uploader.keepReporting(outcome) { say("demo: \($0)") } } catch let error as DemoError { throw ValidationError(error.description) }
        }
    }

    /// A line on standard output at once, even into a log file: with --keep-reporting the command
    /// never ends to flush a buffer.
    func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
