import Testing
@testable import AgentRuntime

@Suite struct LineCapacityTests {
    @Test func firstBatchMeasuresThenAFifthIsUsed() {
        var line = LineCapacity()
        #expect(line.capForCatchUp() == nil, "no estimate yet: send uncapped and measure")
        line.record(bytes: 4 << 10, seconds: 0.5)
        #expect(line.estimate == nil, "a small upload measures round trips, not the line")
        line.record(bytes: 100_000, seconds: 1)
        #expect(line.capForCatchUp() == 20_000)
        line.record(bytes: 50_000, seconds: 1)
        #expect(line.estimate == 100_000, "a busy moment does not lower the estimate")
    }

    @Test func theLineIsMeasuredAgainNowAndThen() {
        var line = LineCapacity()
        line.record(bytes: 200_000, seconds: 2)
        let caps = (0..<25).map { _ in line.capForCatchUp() }
        #expect(caps.prefix(20).allSatisfy { $0 == 20_000 })
        #expect(caps[20] == nil, "every 21st catch-up batch goes uncapped to measure again")
        for _ in 0..<9 { line.record(bytes: 30_000, seconds: 1) }
        #expect(line.estimate == 30_000, "old measurements age out")
        #expect(line.capForCatchUp() == 6_000)
    }
}
