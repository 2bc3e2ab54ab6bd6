#if canImport(Glibc)
import Glibc
#endif
import Probes
import WatchModel

/// The agent's own figures: memory, CPU, and what the spool holds or had to give up.
enum SelfMetrics {
    static func samples(spool: SpoolStats, site: String?, at now: TimestampMs) -> [Sample] {
        var labels: [String: String] = [:]
        if let site { labels["site"] = site }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        let values: [(MetricInfo, Double?)] = [
            (MetricCatalog.agentRSS, residentBytes()),
            (MetricCatalog.agentCPU, cpu),
            (MetricCatalog.agentSpoolSamples, Double(spool.samples)),
            (MetricCatalog.agentSpoolBytes, Double(spool.bytes)),
            (MetricCatalog.agentSpoolOldest, spool.oldestUnsent.map { Double(max(now - $0, 0)) / 1000 }),
            (MetricCatalog.agentSpoolThinned, Double(spool.thinned)),
            (MetricCatalog.agentSpoolDropped, Double(spool.dropped)),
            (MetricCatalog.agentSent, Double(spool.sent)),
            (MetricCatalog.agentBytesSent, Double(spool.bytesSent)),
            (MetricCatalog.agentBatchesRetried, Double(spool.batchesRetried)),
        ]
        return values.compactMap { info, value in value.map { Sample(SeriesKey(info.name, labels), $0, at: now) } }
    }

    /// VmRSS from /proc/self/statm (resident pages × page size).
    static func residentBytes() -> Double? {
        guard let text = TextFile.read("/proc/self/statm"), let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
    }
}
