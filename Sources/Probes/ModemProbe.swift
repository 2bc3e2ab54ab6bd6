import Threads
import WatchModel

/// Reads the 4G modem through ModemManager: radio access, signal (RSRP, RSRQ, SNR, RSSI), operator,
/// registration and the serving cell (MCC, MNC, TAC, cell id) that identifies the BTS.
public struct ModemProbe: Probe {
    /// 0 for the first modem ModemManager lists.
    public var index = 0
    /// Seconds between ModemManager's signal readings, set again when it has forgotten it.
    public var signalRefresh = 10
    public var source: any ModemSource = MMCLIModemSource()
    /// The probe fails when RSRP is below this (dBm), e.g. -115: too weak to carry the backup.
    public var minRSRP: Double?

    public init() {}

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> ModemResult {
        let probe = self
        return try await DedicatedThread.measure { () throws(ProbeFailure) in
            let (status, rearmed) = try probe.source.status(index: probe.index, signalRefresh: probe.signalRefresh)
            var failure: ProbeFailure?
            if !status.registered {
                failure = ProbeFailure(.modemFailed, "the modem is not registered on a network (state \(status.state), registration \(status.registration.isEmpty ? "unknown" : status.registration))")
            } else if let floor = probe.minRSRP, let rsrp = status.rsrp, rsrp < floor {
                failure = ProbeFailure(.tooSlow, "4G signal too weak: RSRP \(Int(rsrp)) dBm (limit \(Int(floor)) dBm)")
            }
            return ModemResult(status: status, signalRearmed: rearmed, failure: failure)
        }
    }
}

/// One reading of the modem.
public struct ModemResult: ProbeResult {
    public let status: ModemStatus
    /// True when signal polling was off and the probe switched it back on (values come next time).
    public let signalRearmed: Bool
    public let failure: ProbeFailure?

    public var measurements: [Measurement] {
        let s = status
        var out = [Measurement(MetricCatalog.modemRegistered.name, s.registered ? 1 : 0)]
        let optional: [(MetricInfo, Double?)] = [
            (MetricCatalog.modemSignalQuality, s.signalQuality.map { $0 / 100 }),
            (MetricCatalog.modemRSRP, s.rsrp), (MetricCatalog.modemRSRQ, s.rsrq),
            (MetricCatalog.modemSNR, s.snr), (MetricCatalog.modemRSSI, s.rssi),
            (MetricCatalog.modemCellID, s.cellID.map { Double($0) }), (MetricCatalog.modemTAC, s.tac.map { Double($0) }),
        ]
        for (info, value) in optional { if let value { out.append(Measurement(info.name, value)) } }
        return out
    }

    public var facts: [String: String] {
        let s = status
        var facts: [String: String] = ["modem_state": s.state, "sim": s.simPresent ? "present" : "absent"]
        if !s.accessTechnologies.isEmpty { facts["access_technology"] = s.accessTechnologies.joined(separator: ",") }
        if !s.operatorName.isEmpty { facts["operator"] = s.operatorName }
        if !s.operatorCode.isEmpty { facts["operator_code"] = s.operatorCode }
        if !s.registration.isEmpty { facts["registration"] = s.registration }
        if !s.model.isEmpty { facts["modem_model"] = s.model }
        if !s.mcc.isEmpty { facts["mcc"] = s.mcc }
        if !s.mnc.isEmpty { facts["mnc"] = s.mnc }
        if let tac = s.tac { facts["tac"] = String(tac) }
        if let cell = s.cellID { facts["cell_id"] = String(cell) }
        if !s.mcc.isEmpty, let tac = s.tac, let cell = s.cellID { facts["serving_cell"] = "\(s.mcc)-\(s.mnc)-\(tac)-\(cell)" }
        if signalRearmed { facts["signal_polling"] = "was off, re-armed every \(s.signalRefresh ?? 0 == 0 ? "few" : String(s.signalRefresh!)) s" }
        return facts
    }
}
