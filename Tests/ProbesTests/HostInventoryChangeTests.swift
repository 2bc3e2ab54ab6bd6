import Testing
@testable import Probes

@Suite struct HostInventoryChangeTests {
    static let gib = 1 << 30

    /// A commune PC as it was last week.
    static var before: HostInventory {
        var h = HostInventory()
        h.hostname = "ubnd-xa-01"
        h.cpuModel = "Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz"
        h.cpuCores = 4
        h.memTotal = 8 * gib
        h.memAvailable = 5 * gib
        h.swapTotal = 2 * gib
        h.swapFree = 2 * gib
        h.disks = [.init(mount: "/", device: "/dev/sda1", fsType: "ext4", size: 100_000_000_000, free: 40_000_000_000)]
        h.osName = "Debian"
        h.osVersion = "12"
        h.osPrettyName = "Debian GNU/Linux 12 (bookworm)"
        h.kernel = "6.1.0-25"
        h.uptime = 86400
        h.bootTime = 1_700_000_000
        h.interfaces = [.init(name: "eth0", mac: "00:11:22:33:44:55", speedMbps: 1000, duplex: "full", operState: "up",
                              addresses: ["192.168.1.10", "fe80::211:22ff:fe33:4455"])]
        h.gateway = "192.168.1.1"
        h.dnsServers = ["8.8.8.8"]
        return h
    }

    @Test func describesEachChange() {
        var after = Self.before
        after.dnsServers = ["203.113.131.1"]
        after.interfaces[0].speedMbps = 100
        after.memTotal = 4 * Self.gib
        after.kernel = "6.1.0-26"
        after.interfaces.append(.init(name: "wwan0", mac: "", operState: "up", addresses: ["10.64.1.2"]))
        // Things that always move are not changes.
        after.memAvailable = 1 * Self.gib
        after.swapFree = 0
        after.disks[0].free = 10_000_000_000
        after.uptime = 60
        after.bootTime = 1_700_500_000

        #expect(after.changes(since: Self.before).map(\.description) == [
            "kernel 6.1.0-25 → 6.1.0-26",
            "RAM 8 → 4 GiB",
            "eth0 1000 → 100 Mb/s",
            "interface wwan0 added",
            "DNS server 8.8.8.8 → 203.113.131.1",
        ])
        #expect(after.changes(since: Self.before)[1] == InventoryChange(field: "RAM", before: "8", after: "4", unit: "GiB"))
    }

    @Test func noChangesAgainstItself() {
        #expect(Self.before.changes(since: Self.before).isEmpty)
        let live = HostInventory.collect()
        #expect(live.changes(since: live).isEmpty)
        #expect(HostInventory().changes(since: HostInventory()).isEmpty)
    }

    @Test func describesTheRest() {
        var after = Self.before
        after.hostname = "ubnd-xa-02"
        after.osName = "Debian"
        after.osVersion = "13"
        after.cpuModel = "AMD Ryzen 5 5600G"
        after.memTotal = Int(7.8 * Double(Self.gib))
        after.disks[0].size = 50_000_000_000
        after.disks.append(.init(mount: "/media/usb", device: "/dev/sdb1", fsType: "vfat", size: 16_000_000_000))
        after.interfaces[0].mac = "00:11:22:33:44:66"
        after.interfaces[0].duplex = "half"
        after.interfaces[0].addresses = ["192.168.1.20", "fe80::211:22ff:fe33:4455", "2001:db8::5"]
        after.gateway = "192.168.1.254"
        after.dnsServers = ["8.8.8.8", "1.1.1.1"]

        #expect(after.changes(since: Self.before).map(\.description) == [
            "hostname ubnd-xa-01 → ubnd-xa-02",
            "OS Debian 12 → Debian 13",
            "CPU Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz → AMD Ryzen 5 5600G",
            "RAM 8 → 7.8 GiB",
            "disk / size 100 → 50 GB",
            "disk /media/usb added",
            "eth0 MAC 00:11:22:33:44:55 → 00:11:22:33:44:66",
            "eth0 duplex full → half",
            "eth0 address 192.168.1.10 → 192.168.1.20",
            "eth0 address 2001:db8::5 added",
            "gateway 192.168.1.1 → 192.168.1.254",
            "DNS server 1.1.1.1 added",
        ])

        var unplugged = Self.before
        unplugged.interfaces = []
        unplugged.gateway = nil
        unplugged.dnsServers = ["8.8.8.8", "8.8.4.4"]
        #expect(unplugged.changes(since: Self.before).map(\.description) == [
            "interface eth0 removed", "gateway 192.168.1.1 removed", "DNS server 8.8.4.4 added",
        ])
    }

    @Test func ignoresNoiseAndUnknowns() {
        var after = Self.before
        // A kernel update moves MemTotal by a few megabytes; a link that went down has no speed.
        after.memTotal = Self.before.memTotal - (12 << 20)
        after.interfaces[0].speedMbps = nil
        after.interfaces[0].duplex = nil
        after.interfaces[0].operState = "down"
        after.dnsServers = []
        #expect(after.changes(since: Self.before).map(\.description) == ["eth0 link up → down", "DNS server 8.8.8.8 removed"])

        var reordered = Self.before
        reordered.dnsServers = ["8.8.8.8", "1.1.1.1"]
        var swapped = reordered
        swapped.dnsServers = ["1.1.1.1", "8.8.8.8"]
        #expect(swapped.changes(since: reordered).map(\.description) == ["DNS servers 8.8.8.8, 1.1.1.1 → 1.1.1.1, 8.8.8.8"])
    }

    @Test func roundsSizesSensibly() {
        #expect(HostInventory.amount(7.8) == "7.8")
        #expect(HostInventory.amount(8.0) == "8")
        #expect(HostInventory.amount(7.96) == "8")
        #expect(HostInventory.amount(0.5) == "0.5")
        #expect(HostInventory.amount(465.76) == "466")
        #expect(HostInventory.amount(99.97) == "100")
    }
}
