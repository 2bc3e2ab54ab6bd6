import Testing
@testable import Alerting
import WatchModel

/// Every transition of the incident state machine, with a manual clock (milliseconds from 0).
@Suite struct IncidentMachineTests {
    let s: TimestampMs = 1_000
    let m: TimestampMs = 60_000

    @Test func firesAfterItsHoldAndNotBefore() {
        var machine = IncidentMachine(policy: .init(holdFor: 5 * m))
        #expect(machine.observe(.breaching, at: 0).isEmpty)
        #expect(machine.phase == .pending)
        #expect(machine.observe(.breaching, at: 4 * m).isEmpty)
        #expect(machine.observe(.breaching, at: 5 * m) == [.fired])
        #expect(machine.phase == .firing && machine.since == 0)
        #expect(machine.observe(.breaching, at: 6 * m).isEmpty, "told once")
    }

    @Test func aPendingConditionThatClearsNeverFires() {
        var machine = IncidentMachine(policy: .init(holdFor: 5 * m))
        _ = machine.observe(.breaching, at: 0)
        #expect(machine.observe(.clear, at: 2 * m).isEmpty)
        #expect(machine.phase == nil)
        // Between the thresholds does not count as breaching either: the hold starts again.
        _ = machine.observe(.breaching, at: 3 * m)
        _ = machine.observe(.holding, at: 4 * m)
        #expect(machine.observe(.breaching, at: 7 * m).isEmpty, "3 m … 7 m is 4 minutes")
        #expect(machine.observe(.breaching, at: 8 * m) == [.fired])
    }

    @Test func aResolutionIsToldAfterTheResolveHold() {
        var machine = IncidentMachine()
        #expect(machine.observe(.breaching, at: 0) == [.fired])
        #expect(machine.observe(.clear, at: 30 * s).isEmpty, "held: the line may drop again")
        #expect(machine.tick(at: 60 * s).isEmpty)
        #expect(machine.tick(at: 90 * s) == [.resolved])
        #expect(machine.phase == .resolved)
        // A new breach is a new incident.
        #expect(machine.observe(.breaching, at: 10 * m) == [.fired])
        #expect(machine.since == 10 * m)
    }

    @Test func aBriefRecoveryWithinTheHoldIsNotTold() {
        var machine = IncidentMachine()
        _ = machine.observe(.breaching, at: 0)
        _ = machine.observe(.clear, at: 10 * s)
        #expect(machine.observe(.breaching, at: 40 * s).isEmpty, "neither a resolution nor a second page")
        #expect(machine.phase == .firing && machine.since == 0)
    }

    @Test func acknowledgedStopsNothingButIsTold() {
        var machine = IncidentMachine()
        #expect(machine.acknowledge(by: "anh Tuấn").isEmpty, "nothing to acknowledge yet")
        _ = machine.observe(.breaching, at: 0)
        #expect(machine.acknowledge(by: "anh Tuấn") == [.acknowledged(by: "anh Tuấn")])
        #expect(machine.phase == .acknowledged && machine.acknowledgedBy == "anh Tuấn")
        #expect(machine.acknowledge(by: "chị Lan").isEmpty, "acknowledged once")
        _ = machine.observe(.clear, at: 5 * m)
        #expect(machine.tick(at: 7 * m) == [.resolved])
    }

    @Test func hysteresisHoldsBetweenTheThresholds() throws {
        let rule = AlertRule(name: "HighLoss", expression: try RuleExpression.parse("avg_over_time(probe_icmp_loss_ratio[5m]) > 0.05"),
                             resolveThreshold: 0.02)
        #expect(rule.observe(0.06) == .breaching)
        #expect(rule.observe(0.04) == .holding)
        #expect(rule.observe(0.02) == .clear)
        #expect(rule.observe(nil) == .holding, "no data does not end an incident")
        var machine = IncidentMachine(policy: rule.policy)
        var told: [IncidentChange] = []
        // Loss around 4–6 %: one incident, not one per crossing of 5 %.
        for (i, loss) in [0.06, 0.045, 0.055, 0.04, 0.06, 0.03, 0.01].enumerated() {
            told += machine.observe(rule.observe(loss), at: TimestampMs(i) * m)
        }
        told += machine.tick(at: 10 * m)
        #expect(told == [.fired, .resolved])
    }

    /// Down and up every 30 s for 10 minutes: the first page, one "flapping", one "settled".
    @Test func aLineGoingUpAndDownIsFlappingOnce() {
        var machine = IncidentMachine()
        var told: [IncidentChange] = []
        var t: TimestampMs = 0
        for i in 0..<20 {
            told += machine.observe(i % 2 == 0 ? .breaching : .clear, at: t)
            t += 30 * s
        }
        #expect(told == [.fired, .startedFlapping], "\(told)")
        #expect(machine.phase == .flapping)
        // Stable (up) from here: it settles once, ten minutes after the last change.
        for minute in 1...12 { told += machine.observe(.clear, at: t + TimestampMs(minute) * m) }
        #expect(told == [.fired, .startedFlapping, .settled(firing: false)], "\(told)")
        #expect(machine.phase == .resolved)
    }

    @Test func flappingThatSettlesDownStaysAnIncident() {
        var machine = IncidentMachine()
        var told: [IncidentChange] = []
        for i in 0..<6 { told += machine.observe(i % 2 == 0 ? .breaching : .clear, at: TimestampMs(i) * 30 * s) }
        told += machine.observe(.breaching, at: 3 * m)
        for minute in 4...14 { told += machine.observe(.breaching, at: TimestampMs(minute) * m) }
        #expect(told == [.fired, .startedFlapping, .settled(firing: true)], "\(told)")
        #expect(machine.phase == .firing)
        told = machine.observe(.clear, at: 20 * m) + machine.tick(at: 22 * m)
        #expect(told == [.resolved])
    }

    @Test func changesOlderThanTheWindowDoNotCountAsFlapping() {
        var machine = IncidentMachine()
        var told: [IncidentChange] = []
        // One outage every 20 minutes is a bad line, not a flapping one: each is paged and resolved.
        for k in 0..<4 {
            told += machine.observe(.breaching, at: TimestampMs(k) * 20 * m)
            told += machine.observe(.clear, at: TimestampMs(k) * 20 * m + 2 * m)
            told += machine.tick(at: TimestampMs(k) * 20 * m + 4 * m)
        }
        #expect(told == Array(repeating: [IncidentChange.fired, .resolved], count: 4).flatMap { $0 })
    }
}
