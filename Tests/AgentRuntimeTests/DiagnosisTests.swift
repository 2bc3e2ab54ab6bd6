import Testing
@testable import AgentRuntime
@testable import Curl
@testable import Probes

/// The diagnosis reasons over outcomes; these are built by hand to cover each situation exactly.
@Suite struct DiagnosisTests {
    let gatewayProbe = ConfiguredProbe(spec: ProbeSpec(name: "gateway", target: .icmp(ICMPEchoProbe(host: "192.168.1.1"))), role: .gateway)
    let dnsProbe = ConfiguredProbe(spec: ProbeSpec(name: "dns", target: .dns(DNSProbe(resolver: "203.113.131.1", name: "dichvucong.gov.vn"))), role: .resolver)
    let portalProbe = ConfiguredProbe(spec: ProbeSpec(name: "dvc", target: .http(HTTPProbe(url: "https://dichvucong.gov.vn/")), critical: false), role: .portal)
    let lineProbe = ConfiguredProbe(spec: ProbeSpec(name: "node", target: .icmp(ICMPEchoProbe(host: "203.162.4.1"))), role: .host)

    func echo(_ probe: ConfiguredProbe, lost: Int, of count: Int = 20, rtt: Double = 0.001) -> ProbeOutcome {
        // The probes above keep the defaults, so their settings follow from the target.
        let settings = ICMPEchoProbe(host: probe.spec.target.label)
        let rtts: [Double?] = (0..<count).map { $0 < lost ? nil : rtt }
        let result = ICMPEchoResult(probe: settings, target: SocketAddress(numeric: settings.host)!, rtts: rtts, sendErrors: [], icmpErrors: [])
        return ProbeOutcome(spec: probe.spec, startedAt: 0, duration: 5, result: result, failure: result.failure)
    }

    func failed(_ probe: ConfiguredProbe, _ kind: ProbeFailure.Kind, _ detail: String = "failed") -> ProbeOutcome {
        ProbeOutcome(spec: probe.spec, startedAt: 0, duration: 1, result: nil, failure: ProbeFailure(kind, detail))
    }

    func http(_ probe: ConfiguredProbe, total: Double, startTransfer: Double) -> ProbeOutcome {
        let settings = HTTPProbe(url: probe.spec.target.label)
        var response = CurlResponse()
        response.status = 200
        response.times = .init(nameLookup: 0.01, connect: 0.05, appConnect: 0.1, preTransfer: 0.1, startTransfer: startTransfer, total: total)
        let result = HTTPResult(probe: settings, response: response)
        return ProbeOutcome(spec: probe.spec, startedAt: 0, duration: total, result: result, failure: result.failure)
    }

    func diagnose(_ pairs: [(ConfiguredProbe, ProbeOutcome)], _ language: Language = .en) -> CheckReport {
        CheckReport(probes: pairs.map(\.0), outcomes: pairs.map(\.1), language: language, startedAt: 0)
    }

    @Test func gatewayDown() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 20)), (dnsProbe, failed(dnsProbe, .dnsTimeout))])
        #expect(report.diagnosis.findings[0].hasPrefix("The gateway (office router) 192.168.1.1 does not answer"))
        #expect(report.exitStatus == 1)
    }

    @Test func gatewayLosingThirtyPercent() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 6))])
        #expect(report.diagnosis.findings[0] == "The line to the gateway 192.168.1.1 loses 30% of packets: check the LAN cable, the switch port or the Wi-Fi signal.")
        // 30% is beyond the default max_loss of 20%: the probe fails.
        #expect(report.assessments[0].verdict == .failed)
        let vi = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 6))], .vi)
        #expect(vi.diagnosis.findings[0].hasPrefix("Đường truyền tới cổng mạng 192.168.1.1 mất 30% gói tin"))
    }

    @Test func gatewayAnswersButDNSDoesNot() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (dnsProbe, failed(dnsProbe, .dnsTimeout)),
                               (portalProbe, http(portalProbe, total: 0.3, startTransfer: 0.25))])
        #expect(report.diagnosis.findings == ["The gateway answers but the DNS resolver 203.113.131.1 does not: check the DNS setting."])
        #expect(report.exitStatus == 1)
    }

    @Test func lineDownBeyondTheGateway() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (dnsProbe, failed(dnsProbe, .dnsTimeout)),
                               (portalProbe, failed(portalProbe, .timeout)), (lineProbe, echo(lineProbe, lost: 20))])
        #expect(report.diagnosis.findings[0].hasPrefix("The gateway answers but nothing beyond it does: the line (or the modem) is down"))
        let vi = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (lineProbe, echo(lineProbe, lost: 20)), (portalProbe, failed(portalProbe, .timeout))], .vi)
        #expect(vi.diagnosis.findings[0].hasPrefix("Cổng mạng trả lời nhưng không có gì phía sau trả lời"))
    }

    @Test func expiredPortalCertificate() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)),
                               (portalProbe, failed(portalProbe, .certificateExpired, "the TLS certificate of dichvucong.gov.vn has expired (expired 3 days ago)"))])
        #expect(report.diagnosis.findings[0] == "The TLS certificate of dichvucong.gov.vn has expired: the fault is on the portal's side, not in this office.")
        // The portal is not critical: the office is fine, exit 0.
        #expect(report.exitStatus == 0)
        let vi = diagnose([(portalProbe, failed(portalProbe, .certificateExpired, "x (expired 3 days ago)"))], .vi)
        #expect(vi.assessments[0].note == "chứng chỉ TLS của https://dichvucong.gov.vn/ đã hết hạn (3 ngày trước)")
    }

    @Test func slowPortalWaitingForTheServer() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (portalProbe, http(portalProbe, total: 4.2, startTransfer: 4.1))])
        #expect(report.assessments[1].verdict == .degraded)
        #expect(report.diagnosis.findings[0] == "dichvucong.gov.vn is slow (4.2 s, mostly waiting for the server): the portal is overloaded, not your line.")
        #expect(report.exitStatus == 0)
    }

    @Test func lossyLineBeyondTheGateway() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (lineProbe, echo(lineProbe, lost: 2))])
        #expect(report.assessments[1].verdict == .degraded)
        #expect(report.diagnosis.findings[0].hasPrefix("The line loses 10% of packets to 203.162.4.1"))
    }

    @Test func everythingFine() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (portalProbe, http(portalProbe, total: 0.4, startTransfer: 0.3))])
        #expect(report.diagnosis.findings[0].hasPrefix("Everything answers normally."))
        #expect(report.exitStatus == 0)
        #expect(report.table().contains("OK"))
        let vi = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0))], .vi)
        #expect(vi.table().contains("Chẩn đoán: Mọi thứ đều trả lời bình thường."))
        #expect(vi.table().contains("TỐT"))
        #expect(vi.table().contains("0,00 ms") || vi.table().contains("1,00 ms"))
    }

    @Test func missingCapabilityComesFirst() {
        let report = diagnose([(gatewayProbe, failed(gatewayProbe, .missingCapability, "cannot send ICMP echoes"))])
        #expect(report.diagnosis.findings[0].contains("CAP_NET_RAW"))
    }
}

extension DiagnosisTests {
    @Test func portalsThatFailOnlyForWantOfDNSAreNotASecondCause() {
        let report = diagnose([(gatewayProbe, echo(gatewayProbe, lost: 0)), (dnsProbe, failed(dnsProbe, .nxdomain)),
                               (portalProbe, failed(portalProbe, .resolveFailed, "cannot resolve dichvucong.gov.vn"))])
        #expect(report.diagnosis.findings.count == 1)
        #expect(report.diagnosis.findings[0].contains("NXDOMAIN"))
    }
}

extension DiagnosisTests {
    @Test func pcShortOfMemoryAndDiskIsSaid() {
        var inventory = HostInventory()
        inventory.memTotal = 2 << 30
        inventory.memAvailable = 150 << 20
        inventory.disks = [.init(mount: "/", device: "/dev/sda1", fsType: "ext4", size: 100_000_000_000, free: 3_000_000_000)]
        let pc = ConfiguredProbe(spec: ProbeSpec(name: "this PC", target: .host(HostProbe()), critical: false), role: .pc)
        let outcome = ProbeOutcome(spec: pc.spec, startedAt: 0, duration: 0.01, result: HostResult(inventory: inventory), failure: nil)
        let report = diagnose([(pc, outcome), (gatewayProbe, echo(gatewayProbe, lost: 0))])
        #expect(report.assessments[0].verdict == .degraded)
        #expect(report.diagnosis.findings.contains("This PC has only 150 MiB of memory free: close programs (or add RAM); that alone makes the internet feel slow."))
        #expect(report.diagnosis.findings.contains("The disk / of this PC is 97% full: free some space."))
        #expect(report.exitStatus == 0)
    }

    @Test func defaultsStartWithThisPCAndTheGateway() {
        let probes = DefaultTargets.probes(routes: "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\n",
                                           resolvers: ["203.113.131.1"])
        #expect(probes.map(\.role).prefix(3) == [.pc, .gateway, .resolver])
        guard case let .icmp(gateway) = probes[1].spec.target else { Issue.record("no gateway probe"); return }
        #expect(gateway.host == "192.168.1.1")
        #expect(probes.contains { $0.role == .portal && !$0.spec.critical })
    }
}
