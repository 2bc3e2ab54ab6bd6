import WatchModel

/// What ModemManager says about a modem: registration, radio, signal and the serving cell (the BTS).
public struct ModemStatus: Sendable, Hashable {
    public var path = ""
    public var state = ""
    public var failedReason = ""
    public var simPresent = false
    public var model = ""
    public var accessTechnologies: [String] = []
    /// 0–100, as ModemManager reports it.
    public var signalQuality: Double?
    public var operatorName = ""
    public var operatorCode = ""
    public var registration = ""
    /// Signal refresh rate in seconds; 0 means ModemManager is not polling (values are then missing).
    public var signalRefresh: Int?
    public var rsrp: Double?, rsrq: Double?, snr: Double?, rssi: Double?
    public var mcc = "", mnc = ""
    /// Tracking area code and cell id, decoded from mmcli's hexadecimal text.
    public var tac: UInt64?, cellID: UInt64?

    public init() {}

    /// True when registered on a network (home or roaming).
    public var registered: Bool { registration == "home" || registration == "roaming" }

    /// Fills the modem part from `mmcli -m PATH -J`.
    mutating func read(modem json: JSONValue) {
        let generic = json[path: "modem", "generic"]
        path = json[path: "modem", "dbus-path"].flatMap(Self.text) ?? path
        state = generic?["state"].flatMap(Self.text) ?? ""
        failedReason = generic?["state-failed-reason"].flatMap(Self.text) ?? ""
        simPresent = generic?["sim"].flatMap(Self.text) != nil
        model = generic?["model"].flatMap(Self.text) ?? ""
        accessTechnologies = generic?["access-technologies"]?.array?.compactMap(Self.text) ?? []
        signalQuality = generic?[path: "signal-quality", "value"].flatMap(Self.number)
        let gpp = json[path: "modem", "3gpp"]
        operatorName = gpp?["operator-name"].flatMap(Self.text) ?? ""
        operatorCode = gpp?["operator-code"].flatMap(Self.text) ?? ""
        registration = gpp?["registration-state"].flatMap(Self.text) ?? ""
    }

    /// Fills the signal part from `mmcli -m PATH --signal-get -J` (LTE first, then 5G, UMTS, GSM).
    mutating func read(signal json: JSONValue) {
        let signal = json[path: "modem", "signal"]
        signalRefresh = signal?[path: "refresh", "rate"].flatMap(Self.number).map { Int($0) }
        for technology in ["lte", "5g", "umts", "gsm"] {
            guard let values = signal?[technology] else { continue }
            let found = (values["rsrp"].flatMap(Self.number), values["rsrq"].flatMap(Self.number),
                         values["snr"].flatMap(Self.number), values["rssi"].flatMap(Self.number))
            if found.0 != nil || found.1 != nil || found.2 != nil || found.3 != nil {
                (rsrp, rsrq, snr, rssi) = found
                return
            }
        }
    }

    /// Fills the serving cell from `mmcli -m PATH --location-get -J`.
    mutating func read(location json: JSONValue) {
        let cell = json[path: "modem", "location", "3gpp"]
        mcc = cell?["mcc"].flatMap(Self.text) ?? ""
        mnc = cell?["mnc"].flatMap(Self.text) ?? ""
        tac = cell?["tac"].flatMap(Self.text).flatMap { UInt64($0, radix: 16) }
        cellID = cell?["cid"].flatMap(Self.text).flatMap { UInt64($0, radix: 16) }
    }

    /// ModemManager prints "--" for a value it does not know.
    static func text(_ value: JSONValue) -> String? {
        guard let s = value.string, s != "--", !s.isEmpty else { return nil }
        return s
    }

    /// Numbers arrive as strings ("-97.00").
    static func number(_ value: JSONValue) -> Double? {
        if case let .number(n) = value { return n }
        return text(value).flatMap(Double.init)
    }
}
