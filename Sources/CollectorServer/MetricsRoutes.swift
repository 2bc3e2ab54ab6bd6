import Foundation
import Hummingbird
import Storage
import WatchModel

/// `GET /metrics`: Prometheus text format, so an existing Prometheus or VictoriaMetrics can scrape
/// the province: the collector's own counters and the newest value of every site series.
struct MetricsRoutes {
    let store: any MetricStore
    let counters: IngestCounters

    func add(to router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            let text = Self.exposition(try await store.everyLatest(), counters.snapshot)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    static func exposition(_ latest: [(key: SeriesKey, point: WirePoint)], _ counts: IngestCounters.Counts) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("communewatch_ingest_batches_total", "counter", "Batches stored since the collector started.")
        out += "communewatch_ingest_batches_total \(counts.batches)\n"
        family("communewatch_ingest_duplicate_batches_total", "counter", "Batches received again after they were stored (retries after a lost reply).")
        out += "communewatch_ingest_duplicate_batches_total \(counts.duplicates)\n"
        family("communewatch_ingest_samples_total", "counter", "Samples stored since the collector started.")
        out += "communewatch_ingest_samples_total \(counts.samples)\n"
        family("communewatch_ingest_clock_corrected_batches_total", "counter", "Batches whose timestamps were corrected for an unsynchronised agent clock.")
        out += "communewatch_ingest_clock_corrected_batches_total \(counts.clockCorrected)\n"
        family("communewatch_ingest_refused_total", "counter", "Uploads refused, by HTTP status.")
        for (status, n) in counts.refused.sorted(by: { $0.key < $1.key }) { out += "communewatch_ingest_refused_total{status=\"\(status)\"} \(n)\n" }
        let help = Dictionary(MetricCatalog.all.map { ($0.name, $0.help) }, uniquingKeysWith: { a, _ in a })
        var current = ""
        for (key, point) in latest.sorted(by: { $0.key < $1.key }) {
            if key.metric != current {
                current = key.metric
                let text = help[key.metric].map { $0.replacingOccurrences(of: "\n", with: " ") } ?? "Newest value reported by the agents."
                family(key.metric, key.metric.hasSuffix("_total") ? "counter" : "gauge", text)
            }
            let labels = key.labels.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ",")
            out += "\(key.metric)\(labels.isEmpty ? "" : "{\(labels)}") \(format(point.value)) \(point.timestamp)\n"
        }
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
