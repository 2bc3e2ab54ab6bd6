import WatchModel

/// A site's upgrade priority (0–100, higher = upgrade first) and how it is made up, so a planner
/// can explain it: each component's raw figure, its sub-score (0 = fine, 1 = as bad as counts),
/// its weight and the points it adds. Components without data are left out and the others share
/// the 100 points: a site is neither helped nor hurt by what was not measured.
public struct UpgradeScore: Sendable, Hashable {
    /// One component of the score.
    public struct Part: Sendable, Hashable {
        public var component: ScoreComponent
        /// The figure as measured, in `unit`; nil when there is no data.
        public var raw: Double?
        public var unit: String
        /// 0…1, 1 the worst that counts; nil when there is no data.
        public var subScore: Double?
        public var weight: Double
        /// Points this component adds to the score; nil when there is no data.
        public var points: Double?

        public var name: String { component.rawValue }
    }

    /// Nil when no component has data.
    public var score: Double?
    public var parts: [Part]
    /// Share of the total weight that had data (0–1): how much of the score is evidence.
    public var coverage: Double

    /// Thirty days in minutes: counts are scaled to 30 days of measurement so periods compare.
    static let month = 30.0 * 24 * 60

    public init(_ f: SiteFigures, at end: TimestampMs, weights: ScoreWeights) {
        let measuredMonths = f.lineMeasuredMinutes > 0 ? Double(f.lineMeasuredMinutes) / Self.month : nil
        let hw = f.hardware
        var parts: [Part] = []
        func add(_ c: ScoreComponent, _ raw: Double?, _ unit: String, _ normalise: (Double) -> Double) {
            parts.append(Part(component: c, raw: raw, unit: unit, subScore: raw.map { Self.clamp(normalise($0)) }, weight: weights[c], points: nil))
        }
        add(.lineAvailability, f.lineAvailability, "ratio") { (1 - $0) / 0.05 }
        add(.outages, measuredMonths == nil ? nil : f.outageCount.map(Double.init), "outages") { $0 / measuredMonths! / 10 }
        add(.hoursOn4G, measuredMonths == nil ? nil : f.hoursOn4G, "hours") { $0 / measuredMonths! / 72 }
        add(.latency, f.rttP95, "seconds") { ($0 - 0.05) / 0.25 }
        add(.loss, f.lossMean, "ratio") { $0 / 0.05 }
        add(.signal4G, f.poorSignalShare, "ratio") { $0 }
        add(.portalTime, f.portalMedianSeconds, "seconds") { ($0 - 1) / 4 }
        add(.portalAvailability, f.portalAvailability, "ratio") { (1 - $0) / 0.05 }
        add(.pcAge, hw?.cpuAge(at: end).map(Double.init), "years") { ($0 - 3) / 7 }
        add(.memory, hw?.memoryBytes.map { Double($0) / 1_073_741_824 }, "GiB") { (8 - $0) / 6 }
        add(.disk, hw?.diskFreeRatio, "ratio") { (0.25 - $0) / 0.20 }
        add(.osSupport, hw?.daysToEndOfLife(from: end).map(Double.init), "days") { $0 <= 0 ? 1 : $0 <= 365 ? 0.5 : 0 }

        let total = parts.reduce(0) { $0 + $1.weight }
        let present = parts.filter { $0.subScore != nil }.reduce(0) { $0 + $1.weight }
        for i in parts.indices {
            if let s = parts[i].subScore { parts[i].points = present > 0 ? 100 * parts[i].weight * s / present : 0 }
        }
        self.parts = parts
        coverage = total > 0 ? present / total : 0
        let weighted = parts.reduce(0) { $0 + $1.weight * ($1.subScore ?? 0) }
        score = present > 0 ? 100 * weighted / present : nil
    }

    /// The part of one component.
    public subscript(_ component: ScoreComponent) -> Part { parts.first { $0.component == component }! }

    static func clamp(_ x: Double) -> Double { min(1, max(0, x)) }
}
