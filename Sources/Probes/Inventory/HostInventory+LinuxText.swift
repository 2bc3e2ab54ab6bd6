/// Parsers for the Linux text files the inventory reads; each takes the text, so tests can feed them strings.
/// Malformed lines are skipped rather than trusted: these files come from the kernel, but tests and odd
/// kernels (old ARM boards, containers) must not crash the agent.
extension HostInventory {
    /// Memory figures from `/proc/meminfo`, in bytes.
    struct MemoryFigures: Hashable {
        var total = 0, available = 0, swapTotal = 0, swapFree = 0
    }

    /// The CPU model and the number of logical processors from `/proc/cpuinfo`.
    static func parseCPU(_ cpuinfo: String) -> (model: String, cores: Int) {
        var first: [String: String] = [:]
        var cores = 0
        for line in cpuinfo.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = trimmed(line[..<colon])
            let value = collapsingSpaces(line[line.index(after: colon)...])
            if key == "processor", Int(value) != nil { cores += 1 }
            if first[key] == nil, !value.isEmpty { first[key] = value }
        }
        // x86 says "model name"; ARM, MIPS and POWER kernels use other keys.
        let keys = ["model name", "Processor", "cpu model", "cpu", "Model", "Hardware"]
        return (keys.lazy.compactMap { first[$0] }.first ?? "", cores)
    }

    /// Memory and swap from `/proc/meminfo` (values in kB).
    static func parseMemory(_ meminfo: String) -> MemoryFigures {
        var kB: [String: Int] = [:]
        for line in meminfo.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let words = line[line.index(after: colon)...].split(separator: " ")
            guard let number = words.first.flatMap({ Int($0) }), number >= 0 else { continue }
            kB[trimmed(line[..<colon])] = number
        }
        func bytes(_ keys: String...) -> Int? {
            var sum = 0
            for key in keys {
                guard let value = kB[key] else { return nil }
                let (b, o1) = value.multipliedReportingOverflow(by: 1024)
                let (s, o2) = sum.addingReportingOverflow(b)
                if o1 || o2 { return nil }
                sum = s
            }
            return sum
        }
        var m = MemoryFigures()
        m.total = bytes("MemTotal") ?? 0
        // Kernels before 3.14 have no MemAvailable; free + buffers + page cache is the old estimate.
        m.available = bytes("MemAvailable") ?? bytes("MemFree", "Buffers", "Cached") ?? bytes("MemFree") ?? 0
        m.swapTotal = bytes("SwapTotal") ?? 0
        m.swapFree = bytes("SwapFree") ?? 0
        return m
    }

    /// The key/value pairs of `/etc/os-release`, unquoted.
    static func parseOSRelease(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let line = trimmed(line[...])
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let key = trimmed(line[..<equals])
            guard !key.isEmpty else { continue }
            out[key] = unquote(Substring(line[line.index(after: equals)...]))
        }
        return out
    }

    /// Local filesystems from `/proc/mounts`, sizes left at 0; a filesystem mounted twice (bind mounts)
    /// is listed once, at its shortest mount point.
    static func localFilesystems(_ mounts: String) -> [Disk] {
        var out: [Disk] = []
        for line in mounts.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3 else { continue }
            let disk = Disk(mount: unescapeMountField(fields[1]), device: unescapeMountField(fields[0]), fsType: String(fields[2]))
            guard isLocal(disk) else { continue }
            if let index = out.firstIndex(where: { $0.mount == disk.mount }) {
                out[index] = disk // A later mount hides the earlier one at the same place.
            } else if let index = out.firstIndex(where: { $0.device == disk.device && $0.fsType == disk.fsType }) {
                if disk.mount.utf8.count < out[index].mount.utf8.count { out[index] = disk }
            } else {
                out.append(disk)
            }
        }
        return out
    }

    /// Block-device filesystems (and ZFS datasets) are local disks; memory, kernel, network, optical and
    /// snap-package (squashfs on loop devices) ones are not. Overlay counts only as a container's root.
    static func isLocal(_ disk: Disk) -> Bool {
        if disk.fsType == "overlay" { return disk.mount == "/" }
        if ["iso9660", "udf", "squashfs"].contains(disk.fsType) || disk.device.hasPrefix("/dev/loop") { return false }
        return disk.device.hasPrefix("/dev/") || disk.fsType == "zfs"
    }

    /// The IPv4 default gateway from `/proc/net/route`: among default routes that are up and go through
    /// a gateway, the one with the lowest metric (the dedicated line before a 4G backup).
    public static func defaultGateway(routes table: String) -> String? {
        var best: (metric: Int, address: String)?
        for line in table.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 8, f[1] == "00000000", f[7] == "00000000",
                  let flags = UInt32(f[3], radix: 16), flags & 0x3 == 0x3, // RTF_UP | RTF_GATEWAY
                  let raw = UInt32(f[2], radix: 16), raw != 0, let metric = Int(f[6]) else { continue }
            // The kernel prints the address in host (little-endian) byte order.
            let address = [raw & 0xff, raw >> 8 & 0xff, raw >> 16 & 0xff, raw >> 24].map(String.init).joined(separator: ".")
            if best == nil || metric < best!.metric { best = (metric, address) }
        }
        return best?.address
    }

    /// Seconds since boot, the first figure of `/proc/uptime`.
    static func parseUptime(_ text: String) -> Double? {
        guard let first = text.split(whereSeparator: { $0 == " " || $0.isNewline }).first,
              let seconds = Double(first), seconds.isFinite, seconds >= 0 else { return nil }
        return seconds
    }

    /// Boot time in Unix seconds, the `btime` line of `/proc/stat`.
    static func parseBootTime(_ stat: String) -> Int64? {
        for line in stat.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == "btime", let seconds = Int64(words[1]), seconds > 0 { return seconds }
        }
        return nil
    }

    /// Link speed from `/sys/class/net/X/speed`; drivers write -1 (or its unsigned form) when it is unknown.
    static func parseSpeed(_ text: String?) -> Int? {
        guard let text, let speed = Int(trimmed(text[...])), speed > 0, speed < Int(UInt32.max) else { return nil }
        return speed
    }

    /// IPv6 addresses (32 lower-case hex digits) that `/proc/net/if_inet6` flags as temporary (privacy
    /// extensions): they rotate daily, so listing them would report a change every day.
    static func temporaryIPv6(_ ifInet6: String) -> Set<String> {
        var out: Set<String> = []
        for line in ifInet6.split(whereSeparator: \.isNewline) {
            let f = line.split(separator: " ")
            guard f.count >= 6, f[0].utf8.count == 32, let flags = UInt32(f[4], radix: 16), flags & 0x01 != 0 else { continue }
            out.insert(f[0].lowercased())
        }
        return out
    }

    // MARK: - Text helpers

    static func trimmed(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let start = text.firstIndex(where: { !isSpace($0) }), let end = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[start...end])
    }

    /// Trimmed, with runs of blanks made single spaces (some CPU model names are padded).
    static func collapsingSpaces(_ text: Substring) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// An os-release value: shell-style quotes removed, backslash escapes resolved inside double quotes.
    static func unquote(_ raw: Substring) -> String {
        let value = trimmed(raw)
        guard let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote else { return value }
        let inner = value.dropFirst().dropLast()
        guard quote == "\"" else { return String(inner) }
        var out = "", escaped = false
        for c in inner {
            if escaped || c != "\\" { out.append(c); escaped = false } else { escaped = true }
        }
        return out
    }

    /// `/proc/mounts` writes space, tab, newline and backslash in paths as octal escapes (`\040`).
    static func unescapeMountField(_ field: Substring) -> String {
        let bytes = Array(field.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count {
                let digits = bytes[(i + 1)...(i + 3)]
                if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                    let value = digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                    if value <= 0xff { out.append(UInt8(value)); i += 4; continue }
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
