/// One figure that counts towards the upgrade priority score; its raw value is the key in
/// `[report.weights]` and in the CSV header.
public enum ScoreComponent: String, Sendable, Hashable, CaseIterable {
    case lineAvailability = "line_availability"
    case outages
    case hoursOn4G = "hours_on_4g"
    case latency
    case loss
    case signal4G = "signal_4g"
    case portalTime = "portal_time"
    case portalAvailability = "portal_availability"
    case pcAge = "pc_age"
    case memory
    case disk
    case osSupport = "os_support"

    /// What a planner reads in a table header, in Vietnamese.
    public var title: String {
        switch self {
        case .lineAvailability: "Độ sẵn sàng đường truyền"
        case .outages: "Số lần mất kết nối"
        case .hoursOn4G: "Giờ chạy bằng 4G"
        case .latency: "Độ trễ (p95)"
        case .loss: "Mất gói"
        case .signal4G: "Sóng 4G yếu"
        case .portalTime: "Thời gian tải cổng"
        case .portalAvailability: "Truy cập được cổng"
        case .pcAge: "Tuổi CPU"
        case .memory: "RAM"
        case .disk: "Ổ đĩa còn trống"
        case .osSupport: "Hệ điều hành hết hỗ trợ"
        }
    }
}

/// How much each component counts in the upgrade priority score. Only the ratios matter: the
/// score divides by the sum of the weights of the components that have data. The defaults add
/// up to 100 and put the line first (what the province buys most), then the PC.
public struct ScoreWeights: Sendable, Hashable {
    private var values: [ScoreComponent: Double]

    /// line_availability 25, outages 10, hours_on_4g 5, latency 10, loss 10, signal_4g 5,
    /// portal_time 5, portal_availability 5, pc_age 10, memory 5, disk 5, os_support 5.
    public static let defaults = ScoreWeights(values: [
        .lineAvailability: 25, .outages: 10, .hoursOn4G: 5, .latency: 10, .loss: 10, .signal4G: 5,
        .portalTime: 5, .portalAvailability: 5, .pcAge: 10, .memory: 5, .disk: 5, .osSupport: 5,
    ])

    private init(values: [ScoreComponent: Double]) { self.values = values }

    /// The defaults with some weights changed. Weights are finite and ≥ 0, and at least one is above 0.
    public init(_ overrides: [ScoreComponent: Double] = [:]) throws(ScoreWeightsError) {
        var values = Self.defaults.values
        for (component, weight) in overrides {
            guard weight.isFinite, weight >= 0 else { throw .negative(component, weight) }
            values[component] = weight
        }
        guard values.values.contains(where: { $0 > 0 }) else { throw .allZero }
        self.values = values
    }

    public subscript(_ component: ScoreComponent) -> Double { values[component] ?? 0 }
}

/// Weights that cannot make a score.
public enum ScoreWeightsError: Error, Hashable, CustomStringConvertible {
    case negative(ScoreComponent, Double)
    case allZero

    public var description: String {
        switch self {
        case let .negative(c, w): "the weight of \(c.rawValue) must be a number ≥ 0, not \(w)"
        case .allZero: "at least one weight must be above 0"
        }
    }
}
