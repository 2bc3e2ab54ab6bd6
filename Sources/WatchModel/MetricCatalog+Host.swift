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
}
