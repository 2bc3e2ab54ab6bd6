/// A commune office in the province's registry: who it is, where, which node its line goes
/// through, and which team looks after it.
public struct Site: Sendable, Hashable, Codable {
    /// The province's code for the office, e.g. `QNG-TINHKHE`: the `site` label of every series.
    public var code: String
    /// The office's name in Vietnamese, with diacritics.
    public var name: String
    public var kind: Kind
    public var district: String
    public var province: String
    public var latitude: Double?
    public var longitude: Double?
    /// The POP or district node the office's line goes through (for suppressing alerts downstream).
    public var upstream: String
    public var team: String
    public var contacts: String

    /// Commune, ward or special zone (xã, phường, đặc khu).
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case commune, ward, specialZone = "special_zone"
    }

    public init(code: String, name: String, kind: Kind = .commune, district: String = "", province: String = "",
                latitude: Double? = nil, longitude: Double? = nil, upstream: String = "", team: String = "", contacts: String = "") {
        self.code = code
        self.name = name
        self.kind = kind
        self.district = district
        self.province = province
        self.latitude = latitude
        self.longitude = longitude
        self.upstream = upstream
        self.team = team
        self.contacts = contacts
    }
}
