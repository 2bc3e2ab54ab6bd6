import Foundation
import Testing
import TestSupport
@testable import AgentRuntime
import SQLite

/// `commune-agent run` killed with SIGKILL at random moments while it measures: the spool reopens
/// every time, passes SQLite's integrity check, and never loses what was committed before.
@Suite(.ownThread) struct AgentRunCrashTests {
    @Test func fiftyKillNineRoundsLoseNothingCommitted() throws {
        let peer = try HTTPSPeer.shared.get()
        let dir = scratchDirectory("crash")
        let spool = dir + "/spool.db"
        var config = "[agent]\nsite = \"CRASH-01\"\nconfirm_spacing = \"100ms\"\n[defaults]\ninterval = \"1s\"\ntimeout = \"500ms\"\n"
        for i in 0..<20 {
            config += "[[probe]]\nname = \"door \(i)\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:\(i % 2 == 0 ? peer.http : 1)\"\n"
        }
        try config.write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        var committed = 0
        var grew = 0
        for round in 0..<50 {
            let process = try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", spool])
            Thread.sleep(forTimeInterval: Double.random(in: 0.15...0.7))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let reopened = try Spool(path: spool)
            let database = try Database(path: spool)
            let check = try database.prepare("PRAGMA integrity_check")
            #expect(try check.step() && check.text(0) == "ok", "round \(round): integrity check failed")
            let count = try reopened.stats().samples
            #expect(count >= committed, "round \(round): \(committed) samples before the kill, \(count) after")
            if count > committed { grew += 1 }
            committed = count
        }
        #expect(grew >= 25, "the agent measured in only \(grew) of 50 rounds")
        // Everything is still there to be sent, once each.
        let spoolAfter = try Spool(path: spool)
        var seen = Set<String>()
        while let batch = try spoolAfter.nextBatch(limit: 5000) {
            for s in batch.samples { seen.insert("\(s.key)@\(s.timestamp)@\(s.value)") }
            try spoolAfter.acknowledge(batch.id)
        }
        #expect(seen.count > 0)
    }
}

extension AgentRunCrashTests {
    /// SIGHUP with a broken file keeps the old configuration; SIGTERM stops cleanly.
    @Test func reloadRejectsABadFileAndTermStops() throws {
        let dir = scratchDirectory("signals")
        let good = "[agent]\nconfirm_spacing = \"100ms\"\n[[probe]]\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ninterval = \"1s\"\n"
        try good.write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        let process = try startAgentProcess(["run", "--config", dir + "/agent.toml", "--spool", dir + "/spool.db"],
                                            log: dir + "/agent.log")
        defer { if process.isRunning { process.terminate() } }
        Thread.sleep(forTimeInterval: 1.5)
        try "[[probe]]\nkind = \"smokeping\"\n".write(toFile: dir + "/agent.toml", atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 1.5)
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning, "SIGTERM did not stop the agent within 10 s")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let text = (try? String(contentsOfFile: dir + "/agent.log", encoding: .utf8)) ?? ""
        #expect(text.contains("configuration rejected, keeping the old one"), "\(text)")
        #expect(text.contains("unknown probe kind"))
        #expect(text.contains("stopped"))
        #expect(try Spool(path: dir + "/spool.db").stats().samples > 0, "it kept measuring with the old configuration")
    }
}
