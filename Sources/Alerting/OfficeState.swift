import WatchModel

/// The last time an agent was heard from, and over which path (`dedicated`, `4g`): every upload
/// counts, the rows-less heartbeat over 4G too.
public struct AgentContact: Sendable, Hashable {
    public var site: String
    public var agent: String
    /// The PC's hostname, as the office staff name it.
    public var host: String
    public var path: String
    public var at: TimestampMs

    public init(site: String, agent: String, host: String = "", path: String, at: TimestampMs) {
        self.site = site
        self.agent = agent
        self.host = host
        self.path = path
        self.at = at
    }

    /// Over anything but the dedicated line (the 4G backup).
    public var onBackup: Bool { path != "dedicated" }
}

/// What a quiet agent means for its office, so the team knows what to drive out with: a line
/// technician, someone who can restart a PC, or nobody until the power is back.
public enum OfficeState: String, Sendable, Hashable, CaseIterable {
    /// Heard from recently over the dedicated line.
    case ok
    /// The line is down but heartbeats arrive over 4G: the office has power and people can work.
    case lineDownOn4G = "line_down_on_4g"
    /// Nothing on any path from any agent of the office: a power cut, or both paths cut.
    case dark
    /// This agent is quiet while another agent of the same office still reports: the PC or the
    /// agent stopped, the office itself is fine.
    case agentStopped = "agent_stopped"

    /// Contact older than this is "quiet" when no rule says otherwise (a heartbeat over 4G comes
    /// every minute or so).
    public static let quietAfter: Int64 = 300_000

    /// The state of `agent`'s office at `now`, from every contact of that office's agents.
    public static func of(agent: String, contacts: [AgentContact], now: TimestampMs, quietAfter: Int64 = quietAfter) -> OfficeState {
        let recent = contacts.filter { now - $0.at < quietAfter }
        if let own = recent.first(where: { $0.agent == agent }) {
            return own.onBackup ? .lineDownOn4G : .ok
        }
        if recent.contains(where: { $0.agent != agent }) { return .agentStopped }
        return .dark
    }

    /// The office as a whole (no particular agent): heard on the line, only on 4G, or not at all.
    public static func of(site contacts: [AgentContact], now: TimestampMs, quietAfter: Int64 = quietAfter) -> OfficeState? {
        guard !contacts.isEmpty else { return nil }
        let recent = contacts.filter { now - $0.at < quietAfter }
        if recent.isEmpty { return .dark }
        return recent.contains { !$0.onBackup } ? .ok : .lineDownOn4G
    }

    /// In the team's words.
    public func text(language: String) -> String {
        let vi = language == "vi"
        return switch self {
        case .ok: vi ? "hoạt động bình thường" : "reporting normally"
        case .lineDownOn4G: vi ? "mất đường truyền, trụ sở vẫn hoạt động qua 4G" : "line down, office alive on 4G"
        case .dark: vi ? "trụ sở mất liên lạc hoàn toàn (mất điện hoặc đứt cả hai đường)" : "office dark (no contact on any path: power or total cut)"
        case .agentStopped: vi ? "máy giám sát ngừng, máy khác của trụ sở vẫn báo" : "agent stopped (the office's other agents still report)"
        }
    }
}
