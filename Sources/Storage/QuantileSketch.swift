import Foundation
import WatchModel

/// A mergeable summary of many values for quantiles over any span (DDSketch): values fall into
/// logarithmic bins, so the p95 of a week merged from 5-minute rollups is within 1% of the
/// p95 of the raw samples, and a bucket of latencies costs a few dozen bytes.
public struct QuantileSketch: Sendable, Hashable {
    /// Relative accuracy of every quantile.
    public static let accuracy = 0.01
    static let gamma = (1 + accuracy) / (1 - accuracy)
    static let logGamma = log(gamma)
    /// Smaller magnitudes count as zero (a loss ratio of 0, a counter that did not move).
    static let smallest = 1e-9

    /// Bin index → count, for positive values and for the magnitudes of negative ones (dBm, dB).
    var positive: [Int32: Int] = [:]
    var negative: [Int32: Int] = [:]
    var zeros = 0

    public init() {}

    public init<S: Sequence>(_ values: S) where S.Element == Double {
        for v in values { add(v) }
    }

    public var count: Int { zeros + positive.values.reduce(0, +) + negative.values.reduce(0, +) }

    public mutating func add(_ value: Double, count: Int = 1) {
        guard value.isFinite, count > 0 else { return }
        let magnitude = abs(value)
        if magnitude < Self.smallest {
            zeros += count
        } else if value > 0 {
            positive[Self.bin(magnitude), default: 0] += count
        } else {
            negative[Self.bin(magnitude), default: 0] += count
        }
    }

    public mutating func merge(_ other: QuantileSketch) {
        positive.merge(other.positive, uniquingKeysWith: +)
        negative.merge(other.negative, uniquingKeysWith: +)
        zeros += other.zeros
    }

    static func bin(_ magnitude: Double) -> Int32 {
        Int32(clamping: Int((log(magnitude) / logGamma).rounded(.up)))
    }

    /// The middle of a bin: within `accuracy` of every value in it.
    static func value(_ bin: Int32) -> Double { 2 * pow(gamma, Double(bin)) / (gamma + 1) }

    /// The nearest-rank quantile `q` (0…1), nil when empty: the same rank `Rollup.buckets` takes of raw values.
    public func quantile(_ q: Double) -> Double? {
        let total = count
        guard total > 0 else { return nil }
        var rank = max(1, Int((q * Double(total)).rounded(.up)))
        // Ascending values: the largest negative magnitudes first, then zeros, then positives.
        for bin in negative.keys.sorted(by: >) {
            rank -= negative[bin]!
            if rank <= 0 { return -Self.value(bin) }
        }
        rank -= zeros
        if rank <= 0 { return 0 }
        for bin in positive.keys.sorted() {
            rank -= positive[bin]!
            if rank <= 0 { return Self.value(bin) }
        }
        return Self.value(positive.keys.max() ?? 0)
    }

    /// Compact bytes: the zero count, then each side's bins as (index delta, count) varints.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.varint(UInt64(zeros))
        for side in [positive, negative] {
            w.varint(UInt64(side.count))
            var previous: Int64 = 0
            for bin in side.keys.sorted() {
                w.zigzag(Int64(bin) - previous)
                w.varint(UInt64(side[bin]!))
                previous = Int64(bin)
            }
        }
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(BatchFormatError) {
        var r = ByteReader(bytes)
        zeros = try r.count(limit: Int(Int32.max))
        for side in 0..<2 {
            let bins = try r.count(limit: bytes.count)
            var previous: Int64 = 0
            var map: [Int32: Int] = [:]
            for _ in 0..<bins {
                previous += try r.zigzag()
                map[Int32(clamping: previous)] = try r.count(limit: Int(Int32.max))
            }
            if side == 0 { positive = map } else { negative = map }
        }
    }
}
