import WatchModel

/// Where modem status comes from: ModemManager's `mmcli` on Linux (a Windows build would add
/// a file with a Mobile Broadband API source).
public protocol ModemSource: Sendable {
    /// The status of the modem at `index` in the list (0 = first); re-arms signal polling when it is off.
    func status(index: Int, signalRefresh: Int) throws(ProbeFailure) -> (ModemStatus, rearmed: Bool)
}

/// Reads ModemManager through `mmcli -J`.
public struct MMCLIModemSource: ModemSource {
    public var mmcli: String
    public var timeout: Duration

    public init(mmcli: String = "mmcli", timeout: Duration = .seconds(5)) {
        self.mmcli = mmcli
        self.timeout = timeout
    }

    public func status(index: Int, signalRefresh: Int) throws(ProbeFailure) -> (ModemStatus, rearmed: Bool) {
        let list = try json(["-L", "-J"])
        let modems = list["modem-list"]?.array?.compactMap(\.string) ?? []
        guard !modems.isEmpty else { throw ProbeFailure(.noModem, "no modem found (ModemManager lists none)") }
        guard index < modems.count else {
            throw ProbeFailure(.noModem, "no modem number \(index): ModemManager lists \(modems.count)")
        }
        let path = modems[index]
        var status = ModemStatus()
        status.path = path
        status.read(modem: try json(["-m", path, "-J"]))
        if status.state == "failed" {
            let reason = status.failedReason == "sim-missing" ? "no SIM card" : status.failedReason.isEmpty ? "unknown reason" : status.failedReason
            throw ProbeFailure(.modemFailed, "the modem \(status.model.isEmpty ? path : status.model) has failed: \(reason)",
                               facts: ["modem_state": status.state, "modem_failed_reason": status.failedReason])
        }
        var rearmed = false
        if let signal = try? json(["-m", path, "--signal-get", "-J"]) {
            status.read(signal: signal)
            // ModemManager forgets the polling rate when it restarts: set it again.
            if status.signalRefresh == 0 {
                rearmed = (try? CommandRunner.run(mmcli, ["-m", path, "--signal-setup=\(signalRefresh)"], timeout: timeout))?.status == 0
            }
        }
        if let location = try? json(["-m", path, "--location-get", "-J"]) { status.read(location: location) }
        return (status, rearmed)
    }

    private func json(_ arguments: [String]) throws(ProbeFailure) -> JSONValue {
        let output: CommandRunner.Output
        do {
            output = try CommandRunner.run(mmcli, arguments, timeout: timeout)
        } catch {
            switch error {
            case .notFound:
                throw ProbeFailure(.missingTool, "ModemManager is not installed (\(mmcli) not found): apt-get install modemmanager")
            case .timedOut:
                throw ProbeFailure(.timeout, "\(mmcli) \(arguments.joined(separator: " ")) did not answer in time")
            case let .spawnFailed(_, code):
                throw ProbeFailure(.internalError, "cannot run \(mmcli): error \(code)")
            }
        }
        guard output.status == 0 else {
            let message = output.stderr.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(output.status)"
            if message.includes("couldn't find the ModemManager process") || message.includes("ModemManager is not running") {
                throw ProbeFailure(.missingTool, "ModemManager is not running: \(message)")
            }
            throw ProbeFailure(.modemFailed, "\(mmcli) \(arguments.joined(separator: " ")): \(message)")
        }
        do {
            return try JSONValue.parse(output.stdout)
        } catch {
            throw ProbeFailure(.internalError, "\(mmcli) printed something that is not JSON: \(error)")
        }
    }
}
