/// A seeded generator (SplitMix64): the same `--seed` gives the same province and the same data.
public struct DemoRandom: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one thing (a site, a day) drawn from the seed without disturbing the others.
    public init(seed: UInt64, _ parts: Int...) {
        var s = seed ^ 0x9E37_79B9_7F4A_7C15
        for p in parts { s = (s ^ UInt64(bitPattern: Int64(p))) &* 0xBF58_476D_1CE4_E5B9 &+ 0x94D0_49BB_1331_11EB }
        state = s
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }

    /// Roughly normal (sum of uniforms), mean 0, deviation 1: enough for noise on a chart.
    public mutating func normal() -> Double {
        var sum = 0.0
        for _ in 0..<4 { sum += uniform(0...1) }
        return (sum - 2) * 1.732
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { uniform(0...1) < p }
}

/// `value` rounded to `decimals` places, so the wire format stores it as a small integer delta.
func rounded(_ value: Double, _ decimals: Int) -> Double {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return (value * scale).rounded() / scale
}
