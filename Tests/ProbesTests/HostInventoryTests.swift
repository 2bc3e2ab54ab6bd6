import Foundation
import Testing
import TestSupport
import WatchModel
@testable import Probes

@Suite(.ownThread) struct HostInventoryTests {
    // MARK: - The live machine, checked against files read independently

    private func file(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Interface directories in /sys/class/net other than lo.
    private func sysInterfaces() -> Set<String> {
        let base = "/sys/class/net"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return Set(names.filter { name in
            var isDirectory: ObjCBool = false
            return name != "lo" && FileManager.default.fileExists(atPath: "\(base)/\(name)", isDirectory: &isDirectory) && isDirectory.boolValue
        })
    }

    @Test func collectMatchesThisMachine() throws {
        let namesBefore = sysInterfaces()
        let inventory = HostInventory.collect()
        // Other tests may add or remove veth pairs meanwhile: compare only interfaces present throughout.
        let stable = namesBefore.intersection(sysInterfaces())

        var buffer = [CChar](repeating: 0, count: 256)
        #expect(gethostname(&buffer, 255) == 0)
        #expect(inventory.hostname == String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))

        let memTotalKB = file("/proc/meminfo").split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Int($0.split(separator: " ")[1]) }
        #expect(inventory.memTotal == memTotalKB.map { $0 * 1024 })
        #expect(inventory.memAvailable > 0 && inventory.memAvailable <= inventory.memTotal)
        #expect(inventory.swapFree <= inventory.swapTotal)

        let processors = file("/proc/cpuinfo").split(separator: "\n").count { $0.hasPrefix("processor") }
        #expect(inventory.cpuCores == processors)
        #expect(!inventory.cpuModel.isEmpty)

        #expect(inventory.kernel == (try run("/bin/uname", ["-r"])))

        let osRelease = file("/etc/os-release").split(separator: "\n")
        let name = osRelease.first { $0.hasPrefix("NAME=") }.map { $0.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        #expect(inventory.osName == name)
        #expect(!inventory.osPrettyName.isEmpty)

        let root = try #require(inventory.disks.first { $0.mount == "/" })
        #expect(root.size > 0)
        #expect(root.free <= root.size)
        #expect(!inventory.disks.contains { ["proc", "sysfs", "tmpfs", "devtmpfs", "cgroup", "cgroup2", "devpts"].contains($0.fsType) })
        #expect(Set(inventory.disks.map(\.mount)).count == inventory.disks.count)

        #expect(!inventory.interfaces.contains { $0.name == "lo" })
        for name in stable {
            let nic = try #require(inventory.interfaces.first { $0.name == name }, "\(name) missing")
            let mac = file("/sys/class/net/\(name)/address").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(nic.mac == mac, "\(name)")
            #expect(nic.operState == file("/sys/class/net/\(name)/operstate").trimmingCharacters(in: .whitespacesAndNewlines))
            if let speed = Int(file("/sys/class/net/\(name)/speed").trimmingCharacters(in: .whitespacesAndNewlines)), speed > 0 {
                #expect(nic.speedMbps == speed)
            } else {
                #expect(nic.speedMbps == nil)
            }
            // `ip` lists the same global and link-local addresses (temporary IPv6 ones aside).
            let ipOutput = (try? run("/usr/sbin/ip", ["-o", "addr", "show", "dev", name])) ?? ""
            for line in ipOutput.split(separator: "\n") where !line.contains("temporary") {
                let words = line.split(separator: " ")
                guard let at = words.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), at + 1 < words.count else { continue }
                let address = String(words[at + 1].split(separator: "/")[0])
                #expect(nic.addresses.contains(address), "\(name) lacks \(address)")
            }
        }

        #expect(inventory.gateway == HostInventory.defaultGateway(routes: file("/proc/net/route")))
        #expect(inventory.dnsServers == SystemResolvers.list())
        #expect(inventory.uptime > 0)
        let btime = file("/proc/stat").split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Int64($0.dropFirst(6)) }
        #expect(inventory.bootTime == btime)

        let names = Set(inventory.measurements.map(\.metric))
        #expect(names.isSubset(of: Set(MetricCatalog.hostMetrics.map(\.name))))
        #expect(names.contains("host_disk_free_ratio") && names.contains("host_memory_total_bytes"))
        #expect(inventory.measurements.contains { $0.metric == "host_disk_size_bytes" && $0.labels == ["mount": "/"] && $0.value == Double(root.size) })
        #expect(inventory.measurements.first { $0.metric == "host_cpu_cores" }?.value == Double(processors))
        let facts = inventory.facts
        #expect(facts["hostname"] == inventory.hostname && facts["kernel"] == inventory.kernel)
        #expect(facts["boot_time"] == WallClock.iso8601(ms: inventory.bootTime * 1000))
        #expect(facts["os"] == inventory.osPrettyName)
    }

    @Test func collectReadsAFakeTree() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ path: String, _ text: String) throws {
            let full = root + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        try write("/proc/cpuinfo", Self.cpuinfo)
        try write("/proc/meminfo", Self.meminfo)
        try write("/proc/mounts", "/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sdb1 /does/not/exist ext4 rw 0 0\n")
        try write("/etc/os-release", Self.osRelease)
        try write("/proc/uptime", "3600.50 7000.00\n")
        try write("/proc/stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n")
        try write("/proc/net/route", Self.routes)
        try write("/etc/resolv.conf", "nameserver 203.113.131.1\nnameserver 8.8.8.8\n")
        try write("/sys/class/net/eth9/address", "AA:BB:CC:DD:EE:FF\n")
        try write("/sys/class/net/eth9/speed", "100\n")
        try write("/sys/class/net/eth9/duplex", "full\n")
        try write("/sys/class/net/eth9/operstate", "up\n")
        try write("/sys/class/net/wlan9/speed", "-1\n")
        try write("/sys/class/net/lo/address", "00:00:00:00:00:00\n")
        try write("/sys/class/net/bonding_masters", "\n")

        let inventory = HostInventory.collect(root: root)
        #expect(inventory.cpuModel == "Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz")
        #expect(inventory.cpuCores == 2)
        #expect(inventory.memTotal == 8_052_312 * 1024)
        #expect(inventory.osName == "Debian GNU/Linux" && inventory.osVersion == "12")
        #expect(inventory.osDescription == "Debian GNU/Linux 12")
        #expect(inventory.uptime == 3600.5)
        #expect(inventory.bootTime == 1_700_000_000)
        #expect(inventory.gateway == "192.168.1.1")
        #expect(inventory.dnsServers == ["203.113.131.1", "8.8.8.8"])
        // statvfs sees the live "/"; the mount point that does not exist is dropped.
        #expect(inventory.disks.map(\.mount) == ["/"])
        #expect(inventory.disks.first?.device == "/dev/sda1" && inventory.disks.first!.size > 0)
        #expect(inventory.interfaces.map(\.name) == ["eth9", "wlan9"])
        #expect(inventory.interfaces.first == HostInventory.NetworkInterface(
            name: "eth9", mac: "aa:bb:cc:dd:ee:ff", speedMbps: 100, duplex: "full", operState: "up"))
        #expect(inventory.interfaces.last == HostInventory.NetworkInterface(name: "wlan9"))
        #expect(inventory.facts["boot_time"] == "2023-11-14T22:13:20.000Z")
        #expect(inventory.facts["dns"] == "203.113.131.1 8.8.8.8")
    }
}

// MARK: - Parsers on fixed text

extension HostInventoryTests {
    static let cpuinfo = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Core(TM) i5-4590 CPU   @ 3.30GHz  
        flags\t\t: fpu vme

        processor\t: 1
        model name\t: Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz

        """
    static let meminfo = """
        MemTotal:        8052312 kB
        MemFree:          512000 kB
        MemAvailable:    4026156 kB
        Buffers:          100000 kB
        Cached:          1000000 kB
        SwapTotal:       2097148 kB
        SwapFree:        2000000 kB
        HugePages_Total:       0

        """
    static let osRelease = """
        # comment
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION='12 (bookworm)'
        ID=debian
        QUOTED="say \\"hi\\""
        """
    static let routes = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        wwan0\t00000000\t0100A8C0\t0003\t0\t0\t700\t00000000\t0\t0\t0
        eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
        eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0

        """

    @Test func parsesCPUInfo() {
        let cpu = HostInventory.parseCPU(Self.cpuinfo)
        #expect(cpu.model == "Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz")
        #expect(cpu.cores == 2)
        // Old ARM kernels name the model "Processor" and still count "processor" lines.
        let arm = HostInventory.parseCPU("Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\nprocessor\t: 1\nHardware\t: BCM2835\n")
        #expect(arm.model == "ARMv7 Processor rev 4 (v7l)" && arm.cores == 2)
    }

    @Test func parsesMeminfo() {
        let m = HostInventory.parseMemory(Self.meminfo)
        #expect(m == .init(total: 8_052_312 * 1024, available: 4_026_156 * 1024, swapTotal: 2_097_148 * 1024, swapFree: 2_000_000 * 1024))
        // Before Linux 3.14 there is no MemAvailable.
        let old = HostInventory.parseMemory("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n")
        #expect(old.available == 420 * 1024)
    }

    @Test func parsesOSRelease() {
        let fields = HostInventory.parseOSRelease(Self.osRelease)
        #expect(fields["NAME"] == "Debian GNU/Linux")
        #expect(fields["VERSION_ID"] == "12")
        #expect(fields["VERSION"] == "12 (bookworm)")
        #expect(fields["ID"] == "debian")
        #expect(fields["QUOTED"] == "say \"hi\"")
        #expect(fields["# comment"] == nil && fields.count == 6)
    }

    @Test func keepsOnlyLocalFilesystems() {
        let mounts = """
            sysfs /sys sysfs rw,nosuid 0 0
            proc /proc proc rw 0 0
            udev /dev devtmpfs rw 0 0
            tmpfs /run tmpfs rw 0 0
            /dev/mapper/vg-root / ext4 rw,relatime 0 0
            cgroup2 /sys/fs/cgroup cgroup2 rw 0 0
            /dev/sda1 /boot/efi vfat rw 0 0
            /dev/loop3 /snap/core20/2105 squashfs ro 0 0
            /dev/sdb1 /media/USB\\040Disk fuseblk rw 0 0
            server:/export /mnt/nfs nfs4 rw 0 0
            //nas/share /mnt/share cifs rw 0 0
            /dev/sr0 /media/cdrom iso9660 ro 0 0
            overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0
            /dev/mapper/vg-root /run/netns ext4 rw 0 0
            nsfs /run/netns/ns1 nsfs rw 0 0
            rpool/home /home zfs rw 0 0
            """
        let disks = HostInventory.localFilesystems(mounts)
        #expect(disks.map(\.mount) == ["/", "/boot/efi", "/media/USB Disk", "/home"])
        #expect(disks[0] == .init(mount: "/", device: "/dev/mapper/vg-root", fsType: "ext4"))
        // A container's root is an overlay, and it is the only disk it has.
        #expect(HostInventory.localFilesystems("overlay / overlay rw 0 0\nproc /proc proc rw 0 0\n").map(\.mount) == ["/"])
    }

    @Test func findsTheDefaultGatewayWithTheLowestMetric() {
        #expect(HostInventory.defaultGateway(routes: Self.routes) == "192.168.1.1")
        #expect(HostInventory.defaultGateway(routes: "Iface\tDestination\tGateway\n") == nil)
        // A default route that is down (flags without RTF_UP) is not the gateway.
        #expect(HostInventory.defaultGateway(routes: "h\neth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\n") == nil)
    }

    @Test func parsesUptimeBootTimeSpeedAndTemporaryAddresses() {
        #expect(HostInventory.parseUptime("12345.67 99.0\n") == 12345.67)
        #expect(HostInventory.parseBootTime("cpu 1 2\nbtime 1700000000\n") == 1_700_000_000)
        #expect(HostInventory.parseSpeed("1000\n") == 1000)
        #expect(HostInventory.parseSpeed("-1\n") == nil && HostInventory.parseSpeed("4294967295") == nil && HostInventory.parseSpeed(nil) == nil)
        let inet6 = """
            fe8000000000000000fc00fffe000001 04 40 20 80     eth0
            20010db8000000000000000000000abc 04 40 00 01     eth0

            """
        #expect(HostInventory.temporaryIPv6(inet6) == ["20010db8000000000000000000000abc"])
    }

    @Test func garbageDoesNotCrash() {
        var random = SystemRandomNumberGenerator()
        var inputs = ["", "\n\n", ":", "::::", "=", "\"", "'", "\\", "\\0", "\\04", "x\\777y", "MemTotal:", "MemTotal: kB",
                      "MemTotal: 99999999999999999999 kB", "MemTotal: 9223372036854775807 kB", "MemTotal: -5 kB",
                      "processor : x", "btime", "btime -1", "btime 99999999999999999999", "nan inf", "-1 2",
                      "Iface\n\t00000000\tZZZZ\t0003\n", "a b c\n/dev/x", "KEY=\"unterminated", "\u{0}\u{1}\u{FFFF}"]
        for _ in 0..<50 {
            let bytes = (0..<Int.random(in: 0..<400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            inputs.append(String(decoding: bytes, as: UTF8.self))
        }
        for text in inputs {
            _ = HostInventory.parseCPU(text)
            let m = HostInventory.parseMemory(text)
            #expect(m.total >= 0 && m.available >= 0)
            _ = HostInventory.parseOSRelease(text)
            _ = HostInventory.localFilesystems(text)
            _ = HostInventory.defaultGateway(routes: "header\n" + text)
            _ = HostInventory.parseUptime(text)
            _ = HostInventory.parseBootTime(text)
            _ = HostInventory.parseSpeed(text)
            _ = HostInventory.temporaryIPv6(text)
            _ = HostInventory.unescapeMountField(text[...])
        }
        #expect(HostInventory.parseMemory("MemTotal: 9223372036854775807 kB").total == 0)
        #expect(HostInventory.parseUptime("nan 1") == nil)
    }
}
