/// The host inventory's numbers: memory, swap, local disks, uptime and processors of the agent's own PC.
extension MetricCatalog {
    public static let hostMemoryTotal = MetricInfo("host_memory_total_bytes", unit: "bytes",
        help: "Physical memory the operating system can use (MemTotal).")
    public static let hostMemoryAvailable = MetricInfo("host_memory_available_bytes", unit: "bytes",
        help: "Memory available to start new programs without swapping (MemAvailable).")
    public static let hostSwapTotal = MetricInfo("host_swap_total_bytes", unit: "bytes",
        help: "Size of all swap space; 0 when there is none.")
    public static let hostSwapFree = MetricInfo("host_swap_free_bytes", unit: "bytes",
        help: "Swap space not in use.")
    public static let hostDiskSize = MetricInfo("host_disk_size_bytes", unit: "bytes",
        help: "Size of a local filesystem.", labels: ["mount"])
    public static let hostDiskFree = MetricInfo("host_disk_free_bytes", unit: "bytes",
        help: "Space ordinary users can still write on a local filesystem (df's Avail).", labels: ["mount"])
    public static let hostDiskFreeRatio = MetricInfo("host_disk_free_ratio", unit: "ratio 0-1",
        help: "Free space of a local filesystem as a share of its size.", labels: ["mount"])
    public static let hostUptime = MetricInfo("host_uptime_seconds", unit: "seconds",
        help: "Time since the PC was last started.")
    public static let hostCPUCores = MetricInfo("host_cpu_cores", unit: "processors",
        help: "Logical processors (hardware threads) the operating system sees.")

    /// The host metrics, in the order `docs/metrics.md` lists them.
    public static let hostMetrics: [MetricInfo] = [
        hostMemoryTotal, hostMemoryAvailable, hostSwapTotal, hostSwapFree,
        hostDiskSize, hostDiskFree, hostDiskFreeRatio, hostUptime, hostCPUCores,
    ]

    public static let agentRSS = MetricInfo("agent_resident_memory_bytes", unit: "bytes",
        help: "The agent's resident memory (VmRSS).")
    public static let agentCPU = MetricInfo("agent_cpu_seconds_total", unit: "seconds (counter)",
        help: "CPU time the agent has used, user and system.")
    public static let agentSpoolSamples = MetricInfo("agent_spool_samples", unit: "samples",
        help: "Samples in the spool, waiting for the collector's acknowledgement.")
    public static let agentSpoolBytes = MetricInfo("agent_spool_bytes", unit: "bytes",
        help: "Size of the spool on disk (database and WAL).")
    public static let agentSpoolOldest = MetricInfo("agent_spool_oldest_unsent_age_seconds", unit: "seconds",
        help: "Age of the oldest sample not yet acknowledged; absent when the spool is empty.")
    public static let agentSpoolThinned = MetricInfo("agent_spool_thinned_total", unit: "samples (counter)",
        help: "Raw samples merged into five-minute aggregates to keep the spool under its cap.")
    public static let agentSpoolDropped = MetricInfo("agent_spool_dropped_total", unit: "samples (counter)",
        help: "Samples dropped once thinning was not enough.")
    public static let agentSent = MetricInfo("agent_sent_total", unit: "samples (counter)",
        help: "Samples and events the collector acknowledged.")

    public static let agentBytesSent = MetricInfo("agent_upload_bytes_total", unit: "bytes (counter)",
        help: "Compressed bytes sent to the collector, retries included.")
    public static let agentBatchesRetried = MetricInfo("agent_upload_retries_total", unit: "attempts (counter)",
        help: "Upload attempts that did not end with the collector's acknowledgement.")

    /// The agent's own figures.
    public static let agentMetrics: [MetricInfo] = [
        agentRSS, agentCPU, agentSpoolSamples, agentSpoolBytes, agentSpoolOldest, agentSpoolThinned, agentSpoolDropped, agentSent,
        agentBytesSent, agentBatchesRetried,
    ]
}
