import Foundation
import Testing
import TestSupport
@testable import Probes
@testable import SNMP

func snmpd() throws -> SNMPDPeer { try SNMPDPeer.shared.get() }
func snmpsim() throws -> SNMPSimPeer { try SNMPSimPeer.shared.get() }

func device(_ target: SNMPTarget, custom: [SNMPDeviceProbe.CustomOID] = [], window: Duration? = nil,
            profile: Bool = true, timeout: Duration = .seconds(2)) async -> ProbeOutcome {
    var probe = SNMPDeviceProbe(target: target)
    probe.custom = custom
    probe.rateWindow = window
    probe.standardProfile = profile
    return await outcome(.snmp(probe), timeout: timeout)
}

/// SNMP against Debian's snmpd (v1, v2c, v3) and snmpsim recordings of real devices.
/// Serialized: SNMPv3 users live in one net-snmp table per process, and the reboot test restarts snmpd.
@Suite(.serialized, .ownQueue, .enabled(if: runningAsRoot, "snmpsim must drop from root to nobody"))
struct SNMPDeviceProbeTests {
    @Test func v2cStandardProfile() async throws {
        let peer = try snmpd()
        let o = await device(SNMPTarget(host: "127.0.0.1", port: peer.port, community: "cwpublic"))
        #expect(o.ok, "\(String(describing: o.failure))")
        let result = try #require(o.result as? SNMPDeviceResult)
        #expect(result.current.system.description == "CommuneWatch snmpd_peer (net-snmp)")
        #expect(result.current.system.objectID.hasPrefix("1.3.6.1.4.1.8072"))
        let lo = try #require(result.current.interfaces.first { $0.label == "lo" })
        #expect(lo.operUp && lo.adminUp && lo.counterBits == 64)
        #expect(metric(o, "probe_snmp_if_oper_up", ["interface": "lo"]) == 1)
        #expect(try #require(metric(o, "probe_snmp_uptime_seconds")) > 0)
        #expect(o.facts["sys_descr"] != nil)
    }

    @Test func v1UsesGetNext() async throws {
        let peer = try snmpd()
        let o = await device(SNMPTarget(host: "127.0.0.1", port: peer.port, version: .v1, community: "cwpublic"))
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(try #require(metric(o, "probe_snmp_interfaces")) >= 1)
    }

    @Test func v3AuthPrivAndAuthNoPriv() async throws {
        let peer = try snmpd()
        var priv = SNMPTarget(host: "127.0.0.1", port: peer.port, version: .v3)
        priv.v3 = SNMPv3Credentials(user: "cwpriv", auth: .sha, authPassword: "authpass123", privacy: .aes, privacyPassword: "privpass123")
        let a = await device(priv)
        #expect(a.ok, "\(String(describing: a.failure))")
        var auth = priv
        auth.v3 = SNMPv3Credentials(user: "cwauth", auth: .sha, authPassword: "authpass123")
        let b = await device(auth)
        #expect(b.ok, "\(String(describing: b.failure))")
    }

    @Test func failuresAreToldApart() async throws {
        let peer = try snmpd()
        var wrongPassword = SNMPTarget(host: "127.0.0.1", port: peer.port, version: .v3)
        wrongPassword.v3 = SNMPv3Credentials(user: "cwauth", auth: .sha, authPassword: "not-the-password")
        let auth = await device(wrongPassword)
        #expect(auth.failure?.kind == .snmpAuthFailed, "\(String(describing: auth.failure))")
        #expect(auth.failure?.detail.includes("authentication failed") == true)

        var stranger = wrongPassword
        stranger.v3 = SNMPv3Credentials(user: "intruder", auth: .sha, authPassword: "authpass123")
        let unknown = await device(stranger)
        #expect(unknown.failure?.kind == .snmpUnknownUser, "\(String(describing: unknown.failure))")
        #expect(unknown.failure?.detail.includes("intruder") == true)

        // The right password after a wrong one works: the wrong keys are not kept.
        var corrected = wrongPassword
        corrected.v3 = SNMPv3Credentials(user: "cwauth", auth: .sha, authPassword: "authpass123")
        #expect(await device(corrected).ok)

        var community = SNMPTarget(host: "127.0.0.1", port: peer.port, community: "wrong")
        community.retries = 0
        let silent = await device(community, timeout: .milliseconds(500))
        #expect(silent.failure?.kind == .timeout)
        #expect(silent.failure?.detail.includes("wrong community") == true)

        let missing = await device(SNMPTarget(host: "127.0.0.1", port: peer.port, community: "cwpublic"),
                                   custom: [.init(name: "nothing", oid: OID("1.3.6.1.4.1.99999.9.0")!, kind: .gauge)], profile: false)
        #expect(missing.failure?.kind == .snmpNoSuchObject)
        #expect(missing.failure?.detail.includes("1.3.6.1.4.1.99999.9.0") == true)
    }

    @Test func counterRateAcrossA32BitWrapAndAcrossAReboot() async throws {
        let peer = try snmpd()
        let target = SNMPTarget(host: "127.0.0.1", port: peer.port, community: "cwpublic")
        let probe = { (window: Duration) -> SNMPDeviceProbe in
            var p = SNMPDeviceProbe(target: target)
            p.custom = [.init(name: "c32", oid: OID("1.3.6.1.4.1.99999.1.1.0")!, kind: .counter),
                        .init(name: "c64", oid: OID("1.3.6.1.4.1.99999.1.2.0")!, kind: .counter)]
            p.rateWindow = window
            return p
        }
        // The peer adds 1.5e9 per read of c32, so three reads cross 2^32 (4.29e9): poll until one pair wraps.
        var wrapped: SNMPDeviceResult?
        for _ in 0..<4 {
            let o = await outcome(.snmp(probe(.milliseconds(500))))
            let r = try #require(o.result as? SNMPDeviceResult, "\(String(describing: o.failure))")
            guard case let .counter32(before)? = r.previous?.custom["c32"], case let .counter32(after)? = r.current.custom["c32"] else { continue }
            if after < before { wrapped = r; break }
        }
        let r = try #require(wrapped, "no wrap seen in four polls")
        let seconds = r.current.polledAt - r.previous!.polledAt
        let rate = try #require(r.customRates["c32"])
        // The true increase is one step (1.5e9) between the two reads, as the 64-bit twin confirms.
        #expect(abs(rate * seconds - 1_500_000_000) < 1, "rate \(rate) over \(seconds) s")
        let rate64 = try #require(r.customRates["c64"])
        #expect(abs(rate - rate64) / rate64 < 0.01)
        #expect(!r.rebooted)

        // A reboot between two polls: no rate at all rather than a spike.
        var p = probe(.zero)
        p.rateWindow = nil
        let context = ProbeContext(http: runner.http, timeout: .seconds(2))
        let first = try await p.run(in: context)
        try peer.reboot()
        let second = try await p.run(in: context)
        let across = SNMPDeviceResult(current: second.current, previous: first.current)
        #expect(across.rebooted)
        #expect(across.customRates.isEmpty)
        #expect(across.rates.values.allSatisfy { $0.inBits == nil && $0.outBits == nil })
        #expect(across.measurements.contains { $0.metric == "probe_snmp_rebooted" && $0.value == 1 })
    }

    @Test func interfaceRatesFromMovingCounters() async throws {
        let sim = try snmpsim()
        let o = await device(SNMPTarget(host: "127.0.0.1", port: sim.port, community: "counters"), window: .seconds(2))
        #expect(o.ok, "\(String(describing: o.failure))")
        let result = try #require(o.result as? SNMPDeviceResult)
        let eth0 = try #require(result.current.interfaces.first { $0.operUp && $0.label != "lo" })
        // The recording raises ifHCInOctets by 125,000 per second: 1 Mb/s; out by 62,500: 0.5 Mb/s.
        let inRate = try #require(metric(o, "probe_snmp_if_in_bits_per_second", ["interface": eth0.label]))
        let outRate = try #require(metric(o, "probe_snmp_if_out_bits_per_second", ["interface": eth0.label]))
        #expect(abs(inRate - 1_000_000) / 1_000_000 < 0.1, "in \(inRate)")
        #expect(abs(outRate - 500_000) / 500_000 < 0.1, "out \(outRate)")
        #expect(metric(o, "probe_snmp_rebooted") == 0)
    }

    /// For each recording, our walk of ifTable and ifXTable returns what `snmpwalk` returns.
    @Test(arguments: SNMPSimPeer.recordings)
    func walkAgreesWithSnmpwalk(recording: String) async throws {
        let sim = try snmpsim()
        for root in ["1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1"] {
            let theirs = try snmpwalk(port: sim.port, community: recording, root: root)
            let session = try SNMPSession(SNMPTarget(host: "127.0.0.1", port: sim.port, community: recording))
            let ours = try session.walk(OID(root)!)
            #expect(ours.count == theirs.count, "\(recording) \(root): \(ours.count) vs snmpwalk \(theirs.count)")
            for ((oid, value), (theirOID, theirValue)) in zip(ours, theirs) {
                #expect(oid.description == theirOID, "\(recording): \(oid) vs \(theirOID)")
                #expect(Self.render(value) == theirValue, "\(recording) \(oid): \(value) vs \(theirValue)")
            }
        }
        let o = await device(SNMPTarget(host: "127.0.0.1", port: sim.port, community: recording))
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(try #require(metric(o, "probe_snmp_interfaces")) > 0)
    }

    /// 20 devices polled at once, one of them dead: the others finish within their own timeout,
    /// long before the dead one has used up its timeout and retry.
    @Test func oneDeadDeviceDoesNotDelayTheOthers() async throws {
        let sim = try snmpsim(), daemon = try snmpd()
        var specs: [ProbeSpec] = []
        for i in 0..<19 {
            // Half on snmpd, half on snmpsim's recordings (snmpsim is one Python process: slower under load).
            let target = i % 2 == 0
                ? SNMPTarget(host: "127.0.0.1", port: daemon.port, community: "cwpublic")
                : SNMPTarget(host: "127.0.0.1", port: sim.port, community: SNMPSimPeer.recordings[i % 3])
            specs.append(ProbeSpec(name: "live \(i)", target: .snmp(SNMPDeviceProbe(target: target)), timeout: .seconds(5)))
        }
        var dead = SNMPTarget(host: "127.0.0.1", port: UInt16(closedPort()), community: "public")
        dead.retries = 1
        specs.append(ProbeSpec(name: "dead", target: .snmp(SNMPDeviceProbe(target: dead)), timeout: .seconds(5)))
        let outcomes = await runner.runAll(specs)
        let deadOutcome = try #require(outcomes.last)
        #expect(deadOutcome.failure?.kind == .timeout)
        #expect(deadOutcome.duration >= 9.5, "dead took \(deadOutcome.duration) s: timeout × (retries + 1) is 10 s")
        let live = outcomes.dropLast()
        for o in live {
            #expect(o.ok, "\(o.spec.name): \(String(describing: o.failure))")
            #expect(o.duration < 5, "\(o.spec.name) took \(o.duration) s")
        }
        let slowest = live.map(\.duration).max() ?? 0
        #expect(slowest < deadOutcome.duration - 4, "slowest live device \(slowest) s, dead \(deadOutcome.duration) s")
    }

    /// snmpwalk's `-On -Oe -Ot -OQ` rendering of a value, so the two can be compared.
    static func render(_ value: SNMPValue) -> String {
        switch value {
        case let .octets(bytes): return bytes.map { String(format: "%02X", $0) }.joined()
        case let .oid(oid): return "." + oid.description
        case let .ipAddress(bytes): return bytes.map(String.init).joined(separator: ".")
        case .integer, .counter32, .gauge32, .timeticks, .counter64: return value.text
        default: return value.description
        }
    }
}

/// `snmpwalk` of a subtree: numeric OIDs and bare values, in order.
func snmpwalk(port: UInt16, community: String, root: String) throws -> [(String, String)] {
    let result = try run("/usr/bin/snmpwalk", ["-v2c", "-c", community, "-On", "-Oe", "-Ot", "-OQ", "-Ox", "-m", "", "-Cc",
                                                "127.0.0.1:\(port)", root], environment: ["MIBS": ""])
    // -Ox prints every string as hex, wrapping long ones onto continuation lines without " = ".
    var rows: [(String, String)] = []
    for line in result.stdout.split(separator: "\n") {
        if let eq = line.firstRange(of: " = ") {
            var oid = String(line[..<eq.lowerBound])
            if oid.hasPrefix(".") { oid.removeFirst() }
            rows.append((oid, String(line[eq.upperBound...])))
        } else if !rows.isEmpty {
            rows[rows.count - 1].1 += " " + line
        }
    }
    return rows.map { oid, value in
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        // A quoted hex string: compare the bytes.
        if trimmed.hasPrefix("\"") { return (oid, trimmed.filter { $0.isHexDigit }) }
        return (oid, trimmed)
    }.filter { !$0.1.hasPrefix("No more variables") }
}
