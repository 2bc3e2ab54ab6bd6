import WatchModel

/// What the agent's own PC is and how it is set up: hardware, OS, local disks, network interfaces, gateway, DNS.
public struct HostInventory: Sendable, Hashable {
    /// A local filesystem (not a pseudo, memory, network or snap-package one).
    public struct Disk: Sendable, Hashable {
        public var mount: String
        public var device: String
        public var fsType: String
        /// Size in bytes.
        public var size: Int
        /// Bytes ordinary users can still write (df's Avail, which leaves out root's reserve).
        public var free: Int

        public init(mount: String, device: String, fsType: String, size: Int = 0, free: Int = 0) {
            self.mount = mount
            self.device = device
            self.fsType = fsType
            self.size = size
            self.free = free
        }
    }

    /// A network interface other than loopback.
    public struct NetworkInterface: Sendable, Hashable {
        public var name: String
        /// Lower-case colon-separated hardware address; empty when the interface has none.
        public var mac: String
        /// Negotiated link speed; nil when the driver does not know it (link down, virtual NIC, Wi-Fi).
        public var speedMbps: Int?
        /// "full" or "half"; nil when the driver does not know it.
        public var duplex: String?
        /// The kernel's operational state: "up", "down", "dormant", "unknown"…
        public var operState: String
        /// Numeric IPv4 and IPv6 addresses, without prefix length or scope.
        public var addresses: [String]

        public init(name: String, mac: String = "", speedMbps: Int? = nil, duplex: String? = nil,
                    operState: String = "unknown", addresses: [String] = []) {
            self.name = name
            self.mac = mac
            self.speedMbps = speedMbps
            self.duplex = duplex
            self.operState = operState
            self.addresses = addresses
        }
    }

    public var hostname = ""
    public var cpuModel = ""
    /// Logical processors (hardware threads).
    public var cpuCores = 0
    /// Memory figures in bytes.
    public var memTotal = 0
    public var memAvailable = 0
    public var swapTotal = 0
    public var swapFree = 0
    public var disks: [Disk] = []
    /// os-release's NAME, e.g. "Debian GNU/Linux".
    public var osName = ""
    /// os-release's VERSION_ID, e.g. "12".
    public var osVersion = ""
    /// os-release's PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)".
    public var osPrettyName = ""
    /// The kernel release (`uname -r`).
    public var kernel = ""
    /// Seconds since boot.
    public var uptime: Double = 0
    /// When the PC booted, in Unix seconds.
    public var bootTime: Int64 = 0
    public var interfaces: [NetworkInterface] = []
    /// The IPv4 default gateway; nil when there is no default route.
    public var gateway: String?
    /// The system's DNS resolvers, in the order they are tried.
    public var dnsServers: [String] = []

    public init() {}

    /// "Debian GNU/Linux 12", or the pretty name when os-release lacks a name or version.
    public var osDescription: String {
        if !osName.isEmpty, !osVersion.isEmpty { return "\(osName) \(osVersion)" }
        return osPrettyName.isEmpty ? osName : osPrettyName
    }

    /// The numbers, named as in `MetricCatalog.hostMetrics`; disk ones carry a `mount` label.
    public var measurements: [Measurement] {
        var out = [
            Measurement(MetricCatalog.hostMemoryTotal.name, Double(memTotal)),
            Measurement(MetricCatalog.hostMemoryAvailable.name, Double(memAvailable)),
            Measurement(MetricCatalog.hostSwapTotal.name, Double(swapTotal)),
            Measurement(MetricCatalog.hostSwapFree.name, Double(swapFree)),
        ]
        for disk in disks {
            let labels = ["mount": disk.mount]
            out.append(Measurement(MetricCatalog.hostDiskSize.name, Double(disk.size), labels: labels))
            out.append(Measurement(MetricCatalog.hostDiskFree.name, Double(disk.free), labels: labels))
            // A zero-sized filesystem has no meaningful ratio; leaving it out avoids a NaN series.
            if disk.size > 0 {
                out.append(Measurement(MetricCatalog.hostDiskFreeRatio.name, Double(disk.free) / Double(disk.size), labels: labels))
            }
        }
        out.append(Measurement(MetricCatalog.hostUptime.name, uptime))
        out.append(Measurement(MetricCatalog.hostCPUCores.name, Double(cpuCores)))
        return out
    }

    /// What is not a number; keys are left out when the value is unknown.
    public var facts: [String: String] {
        var facts: [String: String] = [:]
        let known: [(String, String)] = [
            ("cpu_model", cpuModel), ("os", osPrettyName.isEmpty ? osDescription : osPrettyName),
            ("kernel", kernel), ("hostname", hostname),
            ("gateway", gateway ?? ""), ("dns", dnsServers.joined(separator: " ")),
        ]
        for (key, value) in known where !value.isEmpty { facts[key] = value }
        if bootTime > 0 { facts["boot_time"] = WallClock.iso8601(ms: bootTime * 1000) }
        return facts
    }
}
