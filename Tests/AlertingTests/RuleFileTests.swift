import Testing
import TestSupport
@testable import Alerting
import WatchModel

/// Rule files: the shipped defaults load; every mistake names the file, the line and what was expected.
@Suite struct RuleFileTests {
    @Test func theDefaultRulesLoad() throws {
        let rules = try RuleFile.loadDirectory(repositoryRoot.path + "/alerts")
        let names = Set(rules.map(\.name))
        #expect(names.isSuperset(of: ["DedicatedLineDown", "HighLoss", "HighLatency", "HighJitter", "BackupPathDown", "PoorSignalRSRP",
                                      "PoorSignalSNR", "OnBackupTooLong", "PortalSlow", "PortalDown", "CertificateExpiring", "DNSFailing",
                                      "AgentSilent", "DeviceRebooted", "InterfaceErrorsRising", "InterfaceSpeedDropped", "DiskNearlyFull",
                                      "MemoryExhausted", "ConfigurationChanged"]), "\(names.sorted())")
        let loss = try #require(rules.first { $0.name == "HighLoss" })
        #expect(loss.expression == RuleExpression(function: .avg, metric: "probe_icmp_loss_ratio", matchers: ["path": "dedicated"],
                                                  window: 300_000, comparison: .above, threshold: 0.05))
        #expect(loss.resolveThreshold == 0.02 && loss.policy.holdFor == 300_000 && loss.severity == .warning)
        #expect(loss.annotations["summary_vi"]?.contains("mất gói") == true)
        #expect(rules.allSatisfy { $0.annotations["summary_vi"] != nil && $0.annotations["summary_en"] != nil }, "every rule speaks both languages")
    }

    @Test(arguments: [
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'avg(probe_up[5m]) > 1'\n", 5, "unknown function 'avg'"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'probe_up > '\n", 5, "a number after '>'"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'avg_over_time(probe_up) > 1'\n", 5, "a window such as [5m]"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'probe_up < 1'\n        resolve: 0.5\n", 6, "alerting side"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'probe_up < 1'\n        for: 5 minutes\n", 6, "'for'"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'probe_up < 1'\n        severity: urgent\n", 6, "one of info, warning, critical"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'probe_up < 1'\n        thresold: 2\n", 6, "unknown key 'thresold'"),
        ("groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: 'probe_up < 1'\n      - alert: A\n        expr: 'probe_up < 1'\n", 6, "defined twice"),
        ("groups:\n  - name: x\n    rules:\n      - expr: 'probe_up < 1'\n", 4, "needs 'alert: NAME'"),
        ("groups:\n  - name: x\n    rules: [\n", 4, "not YAML"),
    ] as [(String, Int, String)])
    func mistakesNameTheirLine(text: String, line: Int, fragment: String) {
        #expect(throws: RuleFileError.self) { try RuleFile.parse(text, source: "rules.yml") }
        do {
            _ = try RuleFile.parse(text, source: "rules.yml")
        } catch {
            #expect(error.description.hasPrefix("rules.yml:\(line)") || (fragment.isEmpty && error.description.contains("rules.yml")),
                    "\(error.description)")
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func windowFunctionsComputeWhatTheirNamesSay() throws {
        let points = [0.0, 10, 20, 5, 15].enumerated().map { WirePoint(timestamp: TimestampMs($0.offset) * 60_000, value: $0.element) }
        let now: TimestampMs = 4 * 60_000
        func value(_ text: String) throws -> Double? { try RuleExpression.parse(text).value(of: points, now: now) }
        #expect(try value("avg_over_time(x[10m]) > 1") == 10)
        #expect(try value("max_over_time(x[10m]) > 1") == 20)
        #expect(try value("min_over_time(x[2m]) > 1") == 5, "the window is the last 2 minutes: 5 and 15")
        #expect(try value("x > 1") == 15)
        #expect(try value("quantile_over_time(0.95, x[10m]) > 1") == 20)
        #expect(try value("delta(x[10m]) > 1") == 15)
        // A counter that went 0 → 10 → 20, was reset (a reboot) and counted 5, then 15: 35 in 4 minutes.
        #expect(try value("rate(x[10m]) > 1") == 35.0 / 240)
        #expect(try value("absent_over_time(x[10m]) > 0") == 0)
        #expect(try RuleExpression.parse("absent_over_time(x[1m]) > 0").value(of: points, now: now + 5 * 60_000) == 1)
        #expect(try RuleExpression.parse("avg_over_time(x[1m]) > 0").value(of: points, now: now + 5 * 60_000) == nil,
                "no data in the window: nothing to judge")
    }
}
