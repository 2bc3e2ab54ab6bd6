import Foundation
import Testing
import TestSupport
@testable import AgentRuntime
@testable import Probes
@testable import WatchModel

/// `commune-agent inventory` as a support team member runs it: the real binary on this machine.
@Suite(.ownThread) struct InventoryCommandTests {
    @Test func changesBetweenTwoRunsAreReported() throws {
        let dir = scratchDirectory("inventory")
        let state = dir + "/inventory.json"
        let first = try run(try agentBinary(), ["inventory", "--state", state, "--lang", "en"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Computer"))
        #expect(!first.stdout.contains("since the last inventory"), "nothing to compare with on the first run")
        // Pretend the PC had other DNS servers and twice the RAM last time.
        var saved = HostInventory(document: try JSONValue.parse(try String(contentsOfFile: state, encoding: .utf8)))
        let real = saved
        saved.dnsServers = ["8.8.8.8"]
        saved.memTotal = real.memTotal * 2
        try saved.document.write(toFile: state, atomically: true, encoding: .utf8)
        let second = try run(try agentBinary(), ["inventory", "--state", state, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let lines = second.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.first?["kind"] as? String == "inventory")
        let changes = lines.filter { $0["kind"] as? String == "config_changed" }.compactMap { $0["text"] as? String }
        if let now = real.dnsServers.first {
            #expect(changes.contains("DNS server 8.8.8.8 → \(now)") || changes.contains { $0.hasPrefix("DNS servers 8.8.8.8 → ") }, "\(changes)")
        }
        #expect(changes.contains { $0.hasPrefix("RAM ") && $0.hasSuffix(" GiB") }, "\(changes)")
        // The snapshot saved by the second run is the real one again: our injected changes are gone.
        // (Other tests add and remove veth interfaces meanwhile, so interfaces may still change.)
        let third = try run(try agentBinary(), ["inventory", "--state", state, "--json"])
        let again = third.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "config_changed" }.compactMap { $0["text"] as? String }
        #expect(!again.contains { $0.hasPrefix("DNS") || $0.hasPrefix("RAM") }, "\(again)")
    }

    @Test func noChangeIsSaidInVietnamese() {
        let report = InventoryReport(inventory: HostInventory.collect(), changes: [], compared: true, language: .vi)
        #expect(report.table().contains("Không có thay đổi so với lần kiểm kê trước."))
        let changed = InventoryReport(inventory: HostInventory(), changes: [InventoryChange(field: "DNS server", before: "8.8.8.8", after: "203.113.131.1")],
                                      compared: true, language: .en)
        #expect(changed.table().contains("Changed since the last inventory:\n  DNS server 8.8.8.8 → 203.113.131.1"))
    }

    @Test func documentRoundTrips() {
        let now = HostInventory.collect()
        let back = HostInventory(document: try! JSONValue.parse(now.document))
        #expect(back.changes(since: now).isEmpty)
        #expect(back.hostname == now.hostname && back.disks == now.disks && back.interfaces == now.interfaces)
    }

    @Test func unwritableStateIsAnError() throws {
        let result = try run(try agentBinary(), ["inventory", "--state", "/nonexistent/dir/inventory.json"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot save the inventory to /nonexistent/dir/inventory.json"))
    }
}
