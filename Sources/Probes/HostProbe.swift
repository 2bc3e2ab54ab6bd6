import Threads
import WatchModel

/// Takes this PC's inventory: the numbers (RAM, disks, uptime) and the facts (OS, CPU, network set-up).
public struct HostProbe: Probe {
    public init() {}

    public func run(in context: ProbeContext) async throws(ProbeFailure) -> HostResult {
        try await DedicatedThread.measure { () throws(ProbeFailure) in HostResult(inventory: HostInventory.collect()) }
    }
}

/// One inventory of the agent's PC.
public struct HostResult: ProbeResult {
    public let inventory: HostInventory
    public var failure: ProbeFailure? { nil }
    public var measurements: [Measurement] { inventory.measurements }
    public var facts: [String: String] { inventory.facts }
}
