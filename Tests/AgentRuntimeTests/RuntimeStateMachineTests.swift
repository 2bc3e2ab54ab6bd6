import Testing
@testable import AgentRuntime

@Suite struct UploadBackoffTests {
    @Test func growsExponentiallyWithJitterAndResets() {
        var b = UploadBackoff(base: .seconds(2), ceiling: .seconds(60))
        #expect(b.failed(random: 1) == .seconds(2))
        #expect(b.failed(random: 1) == .seconds(4))
        #expect(b.failed(random: 0.5) == .seconds(4))   // half of 8 s
        #expect(b.failed(random: 1) == .seconds(16))
        for _ in 0..<10 { _ = b.failed(random: 1) }
        #expect(b.failed(random: 1) == .seconds(60), "capped")
        #expect(b.failed(random: 0) == .milliseconds(200), "never a tight loop")
        b.succeeded()
        #expect(b.failures == 0)
        #expect(b.failed(random: 1) == .seconds(2))
    }

    @Test func honoursRetryAfter() {
        var b = UploadBackoff()
        #expect(b.failed(retryAfter: .seconds(30), random: 0.5) == .seconds(30))
        #expect(b.failed(retryAfter: .seconds(3600), random: 0.5) == .seconds(300), "a hostile Retry-After is capped")
    }
}

@Suite struct StateConfirmationTests {
    @Test func oneLostEchoIsDismissed() {
        var c = StateConfirmation(retries: 2, spacing: .seconds(2))
        #expect(c.observe(.ok) == .none)
        #expect(c.observe(.failed) == .reprobe(after: .seconds(2)))
        #expect(c.observe(.ok) == .dismissed)
        #expect(c.confirmed == .ok)
    }

    @Test func aRealCutIsConfirmedAfterTwoReprobes() {
        var c = StateConfirmation(retries: 2, spacing: .seconds(2))
        #expect(c.observe(.failed) == .reprobe(after: .seconds(2)))
        #expect(c.observe(.failed) == .reprobe(after: .seconds(2)))
        #expect(c.observe(.failed) == .confirmed(.failed))
        #expect(c.observe(.failed) == .none, "already known: nothing more to send at once")
        // And back: recovery is confirmed the same way.
        #expect(c.observe(.ok) == .reprobe(after: .seconds(2)))
        #expect(c.observe(.ok) == .reprobe(after: .seconds(2)))
        #expect(c.observe(.ok) == .confirmed(.ok))
    }

    @Test func degradedThenFailedRestartsTheConfirmation() {
        var c = StateConfirmation(retries: 1, spacing: .seconds(1))
        #expect(c.observe(.degraded) == .reprobe(after: .seconds(1)))
        #expect(c.observe(.failed) == .reprobe(after: .seconds(1)))
        #expect(c.observe(.failed) == .confirmed(.failed))
    }

    @Test func noRetriesConfirmsAtOnce() {
        var c = StateConfirmation(retries: 0)
        #expect(c.observe(.failed) == .confirmed(.failed))
    }
}

@Suite struct ProbeScheduleTests {
    @Test func offsetSpreadsProbesAndRunsNeverOverlap() {
        var s = ProbeSchedule(interval: .seconds(60), random: 0.25, start: 1000)
        #expect(s.offset == 15)
        #expect(!s.isDue(at: 1014))
        #expect(s.isDue(at: 1015))
        s.started(at: 1015)
        #expect(s.nextDue == 1075)
        #expect(!s.isDue(at: 1080), "still running: no second copy")
        s.finished()
        #expect(s.isDue(at: 1080))
    }

    @Test func aLateRunDoesNotCauseABurst() {
        var s = ProbeSchedule(interval: .seconds(60), random: 0, start: 0)
        s.started(at: 0)
        s.finished()
        // The PC slept for an hour: one run now, then back on the grid.
        s.started(at: 3_630)
        #expect(s.nextDue == 3_660)
        #expect(!s.isDue(at: 3_640))
    }
}
