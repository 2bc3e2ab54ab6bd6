import Probes

/// What `check` measures when given neither a configuration nor targets: the gateway, the system's
/// resolvers and a short list of public-service portals.
public enum DefaultTargets {
    /// National portals most communes depend on.
    public static let portals = ["https://dichvucong.gov.vn", "https://chinhphu.vn"]
    /// The name resolvers are asked for.
    public static let dnsName = "dichvucong.gov.vn"

    public static func probes(routes: String? = TextFile.read("/proc/net/route"),
                              resolvers: [String] = SystemResolvers.list()) -> [ConfiguredProbe] {
        // This PC first: a full disk or exhausted memory also makes "the internet" slow.
        var out = [ConfiguredProbe(spec: ProbeSpec(name: "this PC", target: .host(HostProbe()), critical: false), role: .pc)]
        if let gateway = routes.flatMap(HostInventory.defaultGateway(routes:)) {
            var echo = ICMPEchoProbe(host: gateway)
            echo.count = 20
            out.append(ConfiguredProbe(spec: ProbeSpec(name: "gateway", target: .icmp(echo), timeout: .seconds(1)), role: .gateway))
        }
        for (index, resolver) in resolvers.prefix(3).enumerated() {
            let spec = ProbeSpec(name: "dns \(index + 1)", target: .dns(DNSProbe(resolver: resolver, name: dnsName)),
                                 timeout: .seconds(3))
            out.append(ConfiguredProbe(spec: spec, role: .resolver))
        }
        for portal in portals {
            let host = portal.split(separator: "/").last.map(String.init) ?? portal
            let spec = ProbeSpec(name: host, target: .http(HTTPProbe(url: portal)), timeout: .seconds(15), critical: false)
            out.append(ConfiguredProbe(spec: spec, role: .portal))
        }
        // The 4G backup, where ModemManager is installed.
        if CommandRunner.locate("mmcli") != nil {
            out.append(ConfiguredProbe(spec: ProbeSpec(name: "4g modem", target: .modem(ModemProbe()), path: "4g", critical: false), role: .modem))
        }
        return out
    }
}
