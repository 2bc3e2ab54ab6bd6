/// What the collector adds to a notice before it is sent, from outside the rules: the site as
/// people name it, the other things wrong at that site, and the signed link to acknowledge.
public struct NoticeContext: Sendable, Hashable {
    /// The site's name from the registry ("UBND xã Tân Lập"); nil when unknown.
    public var siteName: String?
    public var district: String?
    /// One line each for the other open incidents at the same site (muted ones too: the team
    /// should know the portal is also unreachable, even though it was not paged for).
    public var alsoAffected: [String]
    /// The signed, expiring page where the person acknowledges, adds a note or silences.
    public var acknowledgeURL: String?
    /// The team whose receivers get it, when routing named one.
    public var team: String?
    /// What the office's contacts say (on the line, on 4G only, dark, agent stopped).
    public var office: OfficeState?
    /// Sent again because nobody acknowledged in time: the escalation step (1 for the first).
    public var escalation: Int?

    public init(siteName: String? = nil, district: String? = nil, alsoAffected: [String] = [], acknowledgeURL: String? = nil, team: String? = nil) {
        self.siteName = siteName
        self.district = district
        self.alsoAffected = alsoAffected
        self.acknowledgeURL = acknowledgeURL
        self.team = team
    }
}
