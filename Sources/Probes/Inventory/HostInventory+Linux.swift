#if canImport(Glibc)
import Glibc
#endif
import WatchModel

/// Collecting the inventory on Linux: `/proc`, `/sys`, `/etc` and a few system calls.
extension HostInventory {
    /// This PC's inventory. `root` prefixes every file path so tests can point at a fake tree; the
    /// system calls (uname, gethostname, statvfs, getifaddrs) still see the live system.
    public static func collect(root: String = "") -> HostInventory {
        var inventory = HostInventory()
        inventory.hostname = hostName()
        inventory.kernel = kernelRelease()
        if let text = TextFile.read(root + "/proc/cpuinfo") { (inventory.cpuModel, inventory.cpuCores) = parseCPU(text) }
        // Some kernels (containers, odd architectures) list no "processor" lines.
        if inventory.cpuCores == 0 { inventory.cpuCores = max(0, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
        if let text = TextFile.read(root + "/proc/meminfo") {
            let memory = parseMemory(text)
            inventory.memTotal = memory.total
            inventory.memAvailable = memory.available
            inventory.swapTotal = memory.swapTotal
            inventory.swapFree = memory.swapFree
        }
        // Network mounts are dropped before statvfs, which can hang on a dead server.
        if let text = TextFile.read(root + "/proc/mounts") {
            inventory.disks = localFilesystems(text).compactMap(withSpace)
        }
        // os-release's documented fallback location.
        if let text = TextFile.read(root + "/etc/os-release") ?? TextFile.read(root + "/usr/lib/os-release") {
            let fields = parseOSRelease(text)
            inventory.osName = fields["NAME"] ?? ""
            inventory.osVersion = fields["VERSION_ID"] ?? fields["VERSION"] ?? ""
            inventory.osPrettyName = fields["PRETTY_NAME"] ?? ""
        }
        inventory.uptime = TextFile.read(root + "/proc/uptime").flatMap(parseUptime) ?? 0
        inventory.bootTime = TextFile.read(root + "/proc/stat").flatMap(parseBootTime)
            ?? (inventory.uptime > 0 ? WallClock.nowMs() / 1000 - Int64(inventory.uptime) : 0)
        inventory.interfaces = networkInterfaces(root: root)
        inventory.gateway = TextFile.read(root + "/proc/net/route").flatMap { defaultGateway(routes: $0) }
        inventory.dnsServers = SystemResolvers.list(resolvConf: root + "/etc/resolv.conf")
        return inventory
    }

    /// The disk with its size and free space, or nil when the filesystem cannot be asked (stale mount).
    static func withSpace(_ disk: Disk) -> Disk? {
        var info = statvfs()
        guard statvfs(disk.mount, &info) == 0 else { return nil }
        let blockSize = Int(clamping: info.f_frsize > 0 ? info.f_frsize : info.f_bsize)
        var disk = disk
        disk.size = Int(clamping: info.f_blocks).multipliedReportingOverflow(by: blockSize).partialValue
        disk.free = Int(clamping: info.f_bavail).multipliedReportingOverflow(by: blockSize).partialValue
        return disk
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        return withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Every interface in `/sys/class/net` except loopback, with its link figures and addresses.
    static func networkInterfaces(root: String) -> [NetworkInterface] {
        let base = root + "/sys/class/net/"
        let temporary = TextFile.read(root + "/proc/net/if_inet6").map(temporaryIPv6) ?? []
        let addresses = interfaceAddresses(skipping: temporary)
        return directoryEntries(base).compactMap { name in
            func read(_ file: String) -> String? { TextFile.read(base + name + "/" + file, limit: 4096).map { trimmed($0[...]) } }
            // ARPHRD_LOOPBACK, whatever the interface is called.
            guard name != "lo", read("type") != "772" else { return nil }
            let duplex = read("duplex")
            return NetworkInterface(
                name: name, mac: read("address")?.lowercased() ?? "", speedMbps: parseSpeed(read("speed")),
                duplex: duplex == nil || duplex == "" || duplex == "unknown" ? nil : duplex,
                operState: read("operstate").flatMap { $0.isEmpty ? nil : $0 } ?? "unknown",
                addresses: addresses[name] ?? [])
        }
    }

    /// Sub-directories and links in a directory, sorted; plain files (`bonding_masters`) are left out.
    static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            guard entry.pointee.d_type != UInt8(DT_REG) else { continue }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// IPv4 and IPv6 addresses per interface from getifaddrs, IPv4 first, temporary IPv6 ones left out.
    static func interfaceAddresses(skipping temporary: Set<String>) -> [String: [String]] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return [:] }
        defer { freeifaddrs(head) }
        var v4: [String: [String]] = [:], v6: [String: [String]] = [:]
        var cursor = head
        while let entry = cursor?.pointee {
            cursor = entry.ifa_next
            guard let sa = entry.ifa_addr, let cName = entry.ifa_name else { continue }
            // IPv4 alias labels ("eth0:1") belong to their interface.
            let name = String(cString: cName).split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                let address = SocketAddress(storage: sa, length: MemoryLayout<sockaddr_in>.size).host
                v4[name, default: []].append(address)
            case AF_INET6:
                let hex = UnsafeRawPointer(sa).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Hex.encode($0) }
                }
                guard !temporary.contains(hex) else { continue }
                v6[name, default: []].append(SocketAddress(storage: sa, length: MemoryLayout<sockaddr_in6>.size).host)
            default:
                continue
            }
        }
        return v4.merging(v6) { $0 + $1 }
    }
}
