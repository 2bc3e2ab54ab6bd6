import Testing
@testable import Probes

@Suite struct RoundStatisticsTests {
    @Test func figuresOfARoundWithLoss() {
        let s = RoundStatistics(rtts: [0.010, nil, 0.030, nil, nil, 0.020, 0.040])
        #expect(s.sent == 7)
        #expect(s.received == 4)
        #expect(abs(s.loss - 3.0 / 7.0) < 1e-12)
        #expect(s.min == 0.010)
        #expect(s.max == 0.040)
        #expect(abs(s.median! - 0.025) < 1e-12)
        #expect(abs(s.mean! - 0.025) < 1e-12)
        // Population stddev of 10, 30, 20, 40 ms is sqrt(125) ms.
        #expect(abs(s.stddev! - 0.011180339887) < 1e-9)
        // Consecutive received: |30-10| + |20-30| + |40-20| = 50 ms over 3 pairs.
        #expect(abs(s.jitter! - 0.050 / 3) < 1e-12)
        #expect(s.longestLossBurst == 2)
    }

    @Test func everyEchoLostStillHasALossOfOne() {
        let s = RoundStatistics(rtts: [nil, nil, nil])
        #expect(s.loss == 1)
        #expect(s.received == 0)
        #expect(s.median == nil && s.jitter == nil)
        #expect(s.longestLossBurst == 3)
    }

    @Test func oneReplyHasNoJitter() {
        let s = RoundStatistics(rtts: [0.005])
        #expect(s.loss == 0)
        #expect(s.median == 0.005)
        #expect(s.jitter == nil)
        #expect(s.stddev == 0)
    }
}
