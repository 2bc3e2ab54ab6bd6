import Foundation
import Testing
import TestSupport
@testable import Probes
@testable import WatchModel

/// ModemManager parsing on committed `mmcli -J` outputs (there is no modem here), through the real
/// command runner and a stand-in `mmcli` that prints them.
@Suite struct ModemProbeTests {
    /// A stand-in mmcli for one scenario, and the directory where it records --signal-setup calls.
    func fakeMMCLI(_ scenario: String) throws -> (path: String, state: String) {
        let dir = scratchDirectory("mmcli")
        let path = dir + "/mmcli"
        try "#!/bin/sh\nexec \(repositoryRoot.path)/Tests/Peers/fake_mmcli.sh \(scenario) \(dir) \"$@\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return (path, dir)
    }

    func read(_ scenario: String) async throws -> (ProbeOutcome, String) {
        let fake = try fakeMMCLI(scenario)
        var probe = ModemProbe()
        probe.source = MMCLIModemSource(mmcli: fake.path)
        return (await outcome(.modem(probe)), fake.state)
    }

    @Test func lteModemWithFullSignal() async throws {
        let (o, state) = try await read("lte-full")
        #expect(o.ok, "\(String(describing: o.failure))")
        #expect(metric(o, "probe_modem_rsrp_dbm") == -97)
        #expect(metric(o, "probe_modem_rsrq_db") == -11)
        #expect(metric(o, "probe_modem_snr_db") == 9.4)
        #expect(metric(o, "probe_modem_rssi_dbm") == -67)
        #expect(metric(o, "probe_modem_signal_quality_ratio") == 0.67)
        #expect(metric(o, "probe_modem_registered") == 1)
        #expect(metric(o, "probe_modem_cell_id") == Double(0x0A8B3C02))
        #expect(metric(o, "probe_modem_tracking_area_code") == Double(0x002F1A))
        #expect(o.facts["operator"] == "Viettel")
        #expect(o.facts["operator_code"] == "45204")
        #expect(o.facts["access_technology"] == "lte")
        #expect(o.facts["serving_cell"] == "452-04-\(0x002F1A)-\(0x0A8B3C02)")
        #expect(!FileManager.default.fileExists(atPath: state + "/signal-setup-calls"), "polling was on: nothing to re-arm")
    }

    @Test func signalPollingOffIsReArmed() async throws {
        let (o, state) = try await read("lte-polling-off")
        #expect(o.ok)
        #expect(metric(o, "probe_modem_rsrp_dbm") == nil, "ModemManager has no values while polling is off")
        #expect(o.facts["signal_polling"]?.hasPrefix("was off") == true)
        let calls = try String(contentsOfFile: state + "/signal-setup-calls", encoding: .utf8)
        #expect(calls.contains("--signal-setup=10"))
        #expect(calls.contains("/org/freedesktop/ModemManager1/Modem/0"))
    }

    @Test func modemWithoutSIM() async throws {
        let (o, _) = try await read("no-sim")
        let failure = try #require(o.failure)
        #expect(failure.kind == .modemFailed)
        #expect(failure.detail.contains("no SIM card"), "\(failure.detail)")
    }

    @Test func noModem() async throws {
        let (o, _) = try await read("none")
        #expect(o.failure?.kind == .noModem)
        #expect(o.failure?.detail.hasPrefix("no modem found") == true)
    }

    @Test func modemManagerNotInstalled() async throws {
        var probe = ModemProbe()
        probe.source = MMCLIModemSource(mmcli: "/nonexistent/mmcli")
        let o = await outcome(.modem(probe))
        #expect(o.failure?.kind == .missingTool)
        #expect(o.failure?.detail.contains("ModemManager is not installed") == true)
    }

    @Test func modemManagerValuesArriveAsStringsWithDashesForMissing() throws {
        var status = ModemStatus()
        status.read(signal: try JSONValue.parse(#"{"modem":{"signal":{"refresh":{"rate":"5"},"lte":{"rsrp":"--","rsrq":"--","snr":"--","rssi":"--"},"umts":{"rscp":"-80.00","rssi":"-71.00","ecio":"-6.00"}}}}"#))
        #expect(status.signalRefresh == 5)
        #expect(status.rsrp == nil)
        #expect(status.rssi == -71, "falls back to the technology that has values")
        status.read(location: try JSONValue.parse(#"{"modem":{"location":{"3gpp":{"mcc":"452","mnc":"01","tac":"zz","cid":"--"}}}}"#))
        #expect(status.mnc == "01" && status.tac == nil && status.cellID == nil)
    }
}
