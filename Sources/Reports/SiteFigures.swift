import WatchModel

/// What a site's evidence says over one period. Every figure is nil when there is no data for it:
/// missing is shown as missing, never as 0 or 100%.
public struct SiteFigures: Sendable, Hashable {
    public var site: Site
    /// Minutes of the period with a result on the dedicated line.
    public var lineMeasuredMinutes: Int
    /// Share of the dedicated line's measured minutes in which it was up (0–1).
    public var lineAvailability: Double?
    public var outageCount: Int?
    public var outageMinutes: Int?
    /// Hours in which the dedicated line was down while the 4G backup worked (the office ran on 4G);
    /// nil when the site reported nothing over 4G.
    public var hoursOn4G: Double?
    /// Percentiles of the dedicated line's round-trip time (the rounds' medians), in seconds.
    public var rttP50: Double?
    public var rttP95: Double?
    /// Mean share of echoes lost on the dedicated line (0–1).
    public var lossMean: Double?
    /// Medians of the 4G modem's RSRP (dBm) and SNR (dB).
    public var rsrpMedian: Double?
    public var snrMedian: Double?
    /// Share of five-minute spans (hours, for periods over 31 days) with the 4G signal in a poor
    /// band (RSRP below −110 dBm or SNR below 0 dB, the alert rules' bands; the larger of the two shares).
    public var poorSignalShare: Double?
    /// Median total time of the portal probes (HTTP), in seconds, and the share of them that succeeded.
    public var portalMedianSeconds: Double?
    public var portalAvailability: Double?
    /// The newest inventory of the office PC at the end of the period.
    public var hardware: Hardware?

    public init(site: Site) {
        self.site = site
        lineMeasuredMinutes = 0
    }
}
