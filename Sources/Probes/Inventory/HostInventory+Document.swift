import WatchModel

extension HostInventory {
    /// The inventory as a JSON document: what an `inventory` event carries and what the next run compares with.
    public var document: String {
        var json = JSONWriter()
        json.add("hostname", hostname)
        json.add("cpu_model", cpuModel)
        json.add("cpu_cores", number: Double(cpuCores))
        json.add("mem_total", number: Double(memTotal))
        json.add("mem_available", number: Double(memAvailable))
        json.add("swap_total", number: Double(swapTotal))
        json.add("swap_free", number: Double(swapFree))
        json.add("os_name", osName)
        json.add("os_version", osVersion)
        json.add("os_pretty_name", osPrettyName)
        json.add("kernel", kernel)
        json.add("uptime", number: uptime)
        json.add("boot_time", number: Double(bootTime))
        json.add("gateway", gateway)
        json.add("dns_servers", raw: "[" + dnsServers.map(JSONWriter.quote).joined(separator: ",") + "]")
        json.add("disks", raw: "[" + disks.map { d in
            var o = JSONWriter()
            o.add("mount", d.mount); o.add("device", d.device); o.add("fs_type", d.fsType)
            o.add("size", number: Double(d.size)); o.add("free", number: Double(d.free))
            return o.object
        }.joined(separator: ",") + "]")
        json.add("interfaces", raw: "[" + interfaces.map { i in
            var o = JSONWriter()
            o.add("name", i.name); o.add("mac", i.mac); o.add("speed_mbps", number: i.speedMbps.map(Double.init))
            o.add("duplex", i.duplex); o.add("oper_state", i.operState)
            o.add("addresses", raw: "[" + i.addresses.map(JSONWriter.quote).joined(separator: ",") + "]")
            return o.object
        }.joined(separator: ",") + "]")
        return json.object
    }

    /// Reads a document written by `document`; missing members keep their defaults.
    public init(document json: JSONValue) {
        self.init()
        let text = { (key: String) in json[key]?.string ?? "" }
        let int = { (v: JSONValue?) -> Int in if case let .number(n)? = v { return Int(n) } else { return 0 } }
        hostname = text("hostname")
        cpuModel = text("cpu_model")
        cpuCores = int(json["cpu_cores"])
        memTotal = int(json["mem_total"])
        memAvailable = int(json["mem_available"])
        swapTotal = int(json["swap_total"])
        swapFree = int(json["swap_free"])
        osName = text("os_name")
        osVersion = text("os_version")
        osPrettyName = text("os_pretty_name")
        kernel = text("kernel")
        if case let .number(n)? = json["uptime"] { uptime = n }
        bootTime = Int64(int(json["boot_time"]))
        gateway = json["gateway"]?.string
        dnsServers = json["dns_servers"]?.array?.compactMap(\.string) ?? []
        disks = (json["disks"]?.array ?? []).map { d in
            Disk(mount: d["mount"]?.string ?? "", device: d["device"]?.string ?? "", fsType: d["fs_type"]?.string ?? "",
                 size: int(d["size"]), free: int(d["free"]))
        }
        interfaces = (json["interfaces"]?.array ?? []).map { i in
            var speed: Int?
            if case let .number(n)? = i["speed_mbps"] { speed = Int(n) }
            return NetworkInterface(name: i["name"]?.string ?? "", mac: i["mac"]?.string ?? "", speedMbps: speed,
                                    duplex: i["duplex"]?.string, operState: i["oper_state"]?.string ?? "unknown",
                                    addresses: i["addresses"]?.array?.compactMap(\.string) ?? [])
        }
    }

    /// The `inventory` event and one `config_changed` event per change since `previous`.
    public func events(since previous: HostInventory?, at timestamp: TimestampMs, labels: [String: String] = [:]) -> [Event] {
        var events = [Event(kind: Event.inventory, timestamp: timestamp, labels: labels,
                            text: "\(hostname): \(osDescription), \(cpuCores) cores, \(memTotal >> 20) MiB RAM", document: document)]
        for change in previous.map(changes(since:)) ?? [] {
            events.append(Event(kind: Event.configChanged, timestamp: timestamp, labels: labels.merging(["field": change.field]) { a, _ in a },
                                text: change.description))
        }
        return events
    }
}
