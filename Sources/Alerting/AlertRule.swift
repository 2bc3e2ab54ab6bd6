import WatchModel

/// One alert rule: what is measured, when it fires and when it is over (two thresholds), how
/// serious it is, and the words for the team.
public struct AlertRule: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        case info, warning, critical

        public static func < (a: Severity, b: Severity) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var name: String
    public var group: String
    public var expression: RuleExpression
    /// Where the value must come back to for the incident to clear (hysteresis); the threshold by default.
    public var resolveThreshold: Double
    public var policy: IncidentMachine.Policy
    public var severity: Severity
    public var labels: [String: String]
    /// `summary_vi`, `summary_en`, `description_vi`, … with `{{site}}`, `{{value}}`, `{{labels.NAME}}` placeholders.
    public var annotations: [String: String]
    /// Rules this one silences at the same site while it is on: a cut line does not also page
    /// for the portals, DNS and devices behind it.
    public var inhibits: Set<String> = []
    /// Incidents at many sites told as one (`group_by`); nil: each on its own.
    public var groupBy: Grouping?

    /// What many sites failing together have in common.
    public enum Grouping: String, Sendable, Hashable, CaseIterable {
        /// The upstream node (POP, district node) from the site registry; the district when none is registered.
        case upstream
        case district
        /// The probe's target (a portal, a DNS server): a large share of sites failing is the target's problem.
        case target
    }

    public init(name: String, group: String = "", expression: RuleExpression, resolveThreshold: Double? = nil,
                policy: IncidentMachine.Policy = .init(), severity: Severity = .warning, labels: [String: String] = [:],
                annotations: [String: String] = [:]) {
        self.name = name
        self.group = group
        self.expression = expression
        self.resolveThreshold = resolveThreshold ?? expression.threshold
        self.policy = policy
        self.severity = severity
        self.labels = labels
        self.annotations = annotations
    }

    /// The value against both thresholds; nothing to judge holds whatever holds.
    public func observe(_ value: Double?) -> Observation {
        guard let value, value.isFinite else { return .holding }
        if expression.breaches(value, expression.threshold) { return .breaching }
        return expression.breaches(value, resolveThreshold) ? .holding : .clear
    }
}
