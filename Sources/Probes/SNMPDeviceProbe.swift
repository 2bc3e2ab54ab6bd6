import SNMP
import Threads
import WatchModel

/// Polls a device over SNMP: the standard profile (system group, ifTable + ifXTable) and user-defined OIDs.
public struct SNMPDeviceProbe: Probe {
    /// A user-defined OID: its name, and how to read it.
    public struct CustomOID: Hashable, Sendable {
        /// How a user-defined OID is read.
        public enum Kind: String, Hashable, Sendable, CaseIterable { case gauge, counter, text }
        public var name: String
        public var oid: OID
        public var kind: Kind

        public init(name: String, oid: OID, kind: Kind) {
            self.name = name
            self.oid = oid
            self.kind = kind
        }
    }

    public var target: SNMPTarget
    /// Poll the system group and interfaces (off: only the custom OIDs).
    public var standardProfile = true
    public var custom: [CustomOID] = []
    /// When set, poll twice this far apart and report bit rates from the two polls (used by `check`;
    /// the scheduler instead computes rates between its own successive polls).
    public var rateWindow: Duration?

    public init(target: SNMPTarget) { self.target = target }

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> SNMPDeviceResult {
        var configured = self.target
        configured.timeout = context.timeout
        let target = configured, probe = self
        let first = try await DedicatedThread.measure { () throws(ProbeFailure) in try probe.poll(target) }
        guard let window = rateWindow else { return SNMPDeviceResult(current: first, previous: nil) }
        try? await Task.sleep(for: window)
        let second = try await DedicatedThread.measure { () throws(ProbeFailure) in try probe.poll(target) }
        return SNMPDeviceResult(current: second, previous: first)
    }

    /// One poll; blocking.
    func poll(_ target: SNMPTarget) throws(ProbeFailure) -> DeviceSnapshot {
        do {
            let session = try SNMPSession(target)
            let started = Double(MonotonicClock.nanoseconds()) / 1e9
            var snapshot: DeviceSnapshot
            if standardProfile {
                let system = try session.get([DeviceSnapshot.sysDescr, DeviceSnapshot.sysObjectID, DeviceSnapshot.sysUpTime,
                                              DeviceSnapshot.sysName, DeviceSnapshot.sysLocation])
                // Not every device has ifXTable (old switches): its absence is not an error.
                let ifTable = try session.walk(DeviceSnapshot.ifTable)
                let ifXTable = (try? session.walk(DeviceSnapshot.ifXTable)) ?? []
                snapshot = DeviceSnapshot(system: system, ifTable: ifTable, ifXTable: ifXTable)
            } else {
                snapshot = DeviceSnapshot(system: [], ifTable: [], ifXTable: [])
            }
            if !custom.isEmpty {
                let values = try session.get(custom.map(\.oid))
                for (item, (_, value)) in zip(custom, values) {
                    guard value.exists else {
                        throw ProbeFailure(.snmpNoSuchObject, "\(target.host) has no object \(item.oid) (\(item.name)): \(value)")
                    }
                    snapshot.custom[item.name] = value
                    snapshot.customKinds[item.name] = item.kind
                }
            }
            snapshot.polledAt = started
            return snapshot
        } catch let error as SNMPError {
            throw Self.failure(error)
        } catch let failure as ProbeFailure {
            throw failure
        } catch {
            throw ProbeFailure(.internalError, "\(error)")
        }
    }

    static func failure(_ error: SNMPError) -> ProbeFailure {
        switch error.kind {
        case .timeout: ProbeFailure(.timeout, error.message)
        case .authenticationFailure, .decryptionError, .unsupportedSecurityLevel: ProbeFailure(.snmpAuthFailed, error.message)
        case .unknownUser: ProbeFailure(.snmpUnknownUser, error.message)
        case .errorStatus where error.message.includes("noSuchName"): ProbeFailure(.snmpNoSuchObject, error.message)
        case .errorStatus: ProbeFailure(.snmpError, error.message)
        case .openFailed, .invalidRequest: ProbeFailure(.badTarget, error.message)
        case .other: ProbeFailure(.snmpError, error.message)
        }
    }
}

/// What a device poll found; with two polls, also rates and whether the device rebooted in between.
public struct SNMPDeviceResult: ProbeResult {
    public let current: DeviceSnapshot
    public let previous: DeviceSnapshot?
    public var failure: ProbeFailure? { nil }

    public init(current: DeviceSnapshot, previous: DeviceSnapshot?) {
        self.current = current
        self.previous = previous
    }

    /// True when sysUpTime shows a restart between the two polls.
    public var rebooted: Bool {
        guard let previous, previous.system.uptimeTicks > 0 || current.system.uptimeTicks > 0 else { return false }
        return UptimeCheck.rebooted(previousTicks: previous.system.uptimeTicks, currentTicks: current.system.uptimeTicks,
                                    seconds: current.polledAt - previous.polledAt)
    }

    /// In and out bit rates per interface label, where both polls allow one.
    public var rates: [String: (inBits: Double?, outBits: Double?)] {
        guard let previous else { return [:] }
        let seconds = current.polledAt - previous.polledAt
        let before = Dictionary(previous.interfaces.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: (Double?, Double?)] = [:]
        for now in current.interfaces {
            guard let then = before[now.index], then.counterBits == now.counterBits else { continue }
            // A loopback's ifSpeed is nominal (net-snmp says 10 Mbit/s for `lo`; local traffic goes
            // far past it), so it is no bound on a plausible rate there.
            let ceiling = now.speed > 0 && now.type != DeviceSnapshot.Interface.softwareLoopback ? now.speed / 8 : nil
            let inRate = CounterDelta.rate(previous: then.inOctets, current: now.inOctets, bits: now.counterBits,
                                           seconds: seconds, ceiling: ceiling, restarted: rebooted)
            let outRate = CounterDelta.rate(previous: then.outOctets, current: now.outOctets, bits: now.counterBits,
                                            seconds: seconds, ceiling: ceiling, restarted: rebooted)
            out[now.label] = (inRate.map { $0 * 8 }, outRate.map { $0 * 8 })
        }
        return out
    }

    public var measurements: [Measurement] {
        var out: [Measurement] = []
        let s = current.system
        if !s.objectID.isEmpty || s.uptimeTicks > 0 {
            out.append(Measurement(MetricCatalog.snmpUptime.name, Double(s.uptimeTicks) / 100))
            out.append(Measurement(MetricCatalog.snmpInterfaces.name, Double(current.interfaces.count)))
        }
        if previous != nil { out.append(Measurement(MetricCatalog.snmpRebooted.name, rebooted ? 1 : 0)) }
        let rates = self.rates
        for i in current.interfaces {
            let l = ["interface": i.label]
            out += [
                Measurement(MetricCatalog.snmpIfOperUp.name, i.operUp ? 1 : 0, labels: l),
                Measurement(MetricCatalog.snmpIfAdminUp.name, i.adminUp ? 1 : 0, labels: l),
                Measurement(MetricCatalog.snmpIfSpeed.name, i.speed, labels: l),
                Measurement(MetricCatalog.snmpIfInOctets.name, Double(i.inOctets), labels: l),
                Measurement(MetricCatalog.snmpIfOutOctets.name, Double(i.outOctets), labels: l),
                Measurement(MetricCatalog.snmpIfInErrors.name, Double(i.inErrors), labels: l),
                Measurement(MetricCatalog.snmpIfOutErrors.name, Double(i.outErrors), labels: l),
                Measurement(MetricCatalog.snmpIfInDiscards.name, Double(i.inDiscards), labels: l),
                Measurement(MetricCatalog.snmpIfOutDiscards.name, Double(i.outDiscards), labels: l),
            ]
            if let rate = rates[i.label] {
                if let v = rate.inBits { out.append(Measurement(MetricCatalog.snmpIfInRate.name, v, labels: l)) }
                if let v = rate.outBits { out.append(Measurement(MetricCatalog.snmpIfOutRate.name, v, labels: l)) }
            }
        }
        for name in current.custom.keys.sorted() {
            guard let number = current.customNumber(name) else { continue }
            out.append(Measurement(MetricCatalog.snmpCustom.name, number, labels: ["name": name]))
            if let rate = customRates[name] {
                out.append(Measurement(MetricCatalog.snmpCustomRate.name, rate, labels: ["name": name]))
            }
        }
        return out
    }

    /// Per-second rates of user-defined counters between the two polls (wrap and reboot handled).
    public var customRates: [String: Double] {
        guard let previous else { return [:] }
        var out: [String: Double] = [:]
        for (name, value) in current.custom {
            let (bits, now): (Int, UInt64)
            switch value {
            case let .counter32(v): (bits, now) = (32, UInt64(v))
            case let .counter64(v): (bits, now) = (64, v)
            default: continue
            }
            let then: UInt64
            switch previous.custom[name] {
            case let .counter32(v)?: then = UInt64(v)
            case let .counter64(v)?: then = v
            default: continue
            }
            out[name] = CounterDelta.rate(previous: then, current: now, bits: bits,
                                          seconds: current.polledAt - previous.polledAt, restarted: rebooted)
        }
        return out
    }

    public var facts: [String: String] {
        var facts: [String: String] = [:]
        let s = current.system
        if !s.description.isEmpty { facts["sys_descr"] = s.description }
        if !s.name.isEmpty { facts["sys_name"] = s.name }
        if !s.objectID.isEmpty { facts["sys_object_id"] = s.objectID }
        if !s.location.isEmpty { facts["sys_location"] = s.location }
        for (name, value) in current.custom where current.customNumber(name) == nil { facts[name] = value.text }
        return facts
    }
}
