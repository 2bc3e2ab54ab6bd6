/// What one metric name means: its unit and a one-line help text, as `docs/metrics.md` lists it.
public struct MetricInfo: Hashable, Sendable {
    public let name: String
    public let unit: String
    public let help: String
    /// Label names that vary within one probe result, beyond `probe`, `target` and `path`.
    public let labels: [String]

    public init(_ name: String, unit: String, help: String, labels: [String] = []) {
        self.name = name
        self.unit = unit
        self.help = help
        self.labels = labels
    }
}

/// Every metric the agent produces; a test checks that `docs/metrics.md` lists each one.
public enum MetricCatalog {
    public static let probeSuccess = MetricInfo("probe_success", unit: "boolean (0 or 1)",
        help: "1 when the probe ran and met its expectations, 0 otherwise.")
    public static let probeDuration = MetricInfo("probe_duration_seconds", unit: "seconds",
        help: "Wall time the whole probe took, including name resolution.")
    public static let ipProtocol = MetricInfo("probe_ip_protocol", unit: "4 or 6",
        help: "IP version the probe used.")

    public static let icmpSent = MetricInfo("probe_icmp_packets_sent", unit: "packets",
        help: "Echo requests sent in the round.")
    public static let icmpReceived = MetricInfo("probe_icmp_packets_received", unit: "packets",
        help: "Echo replies received in time in the round.")
    public static let icmpLoss = MetricInfo("probe_icmp_loss_ratio", unit: "ratio 0-1",
        help: "Share of echoes lost in the round; 1 when every echo was lost.")
    public static let icmpRttMin = MetricInfo("probe_icmp_rtt_min_seconds", unit: "seconds",
        help: "Lowest round-trip time of the round.")
    public static let icmpRttMedian = MetricInfo("probe_icmp_rtt_median_seconds", unit: "seconds",
        help: "Median round-trip time of the round (SmokePing's central line).")
    public static let icmpRttMean = MetricInfo("probe_icmp_rtt_mean_seconds", unit: "seconds",
        help: "Mean round-trip time of the round.")
    public static let icmpRttMax = MetricInfo("probe_icmp_rtt_max_seconds", unit: "seconds",
        help: "Highest round-trip time of the round.")
    public static let icmpRttStddev = MetricInfo("probe_icmp_rtt_stddev_seconds", unit: "seconds",
        help: "Population standard deviation of the round's round-trip times.")
    public static let icmpJitter = MetricInfo("probe_icmp_jitter_seconds", unit: "seconds",
        help: "Mean absolute difference of consecutive round-trip times (RFC 3550 style).")
    public static let icmpLossBurst = MetricInfo("probe_icmp_loss_burst_max_packets", unit: "packets",
        help: "Longest run of consecutive lost echoes in the round.")

    public static let tcpConnect = MetricInfo("probe_tcp_connect_seconds", unit: "seconds",
        help: "Time for the TCP three-way handshake to complete.")

    public static let dnsLookup = MetricInfo("probe_dns_lookup_seconds", unit: "seconds",
        help: "Time from sending the query to receiving the answer.")
    public static let dnsRcode = MetricInfo("probe_dns_rcode", unit: "DNS rcode",
        help: "Response code: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED.")
    public static let dnsAnswers = MetricInfo("probe_dns_answer_rrs", unit: "records",
        help: "Number of records in the answer section.")

    public static let httpPhase = MetricInfo("probe_http_duration_seconds", unit: "seconds",
        help: "Time spent in each phase: resolve, connect, tls, processing (request sent to first byte), transfer. Every phase is present; tls is 0 for plain HTTP.",
        labels: ["phase"])
    public static let httpFirstByte = MetricInfo("probe_http_time_to_first_byte_seconds", unit: "seconds",
        help: "Time from the start to the first byte of the response (curl's time_starttransfer).")
    public static let httpTotal = MetricInfo("probe_http_total_seconds", unit: "seconds",
        help: "Time of the whole transfer including redirects (curl's time_total).")
    public static let httpStatus = MetricInfo("probe_http_status_code", unit: "HTTP status",
        help: "Status code of the last response.")
    public static let httpBytes = MetricInfo("probe_http_response_bytes", unit: "bytes",
        help: "Body bytes received.")
    public static let httpVersion = MetricInfo("probe_http_version", unit: "version number",
        help: "HTTP version of the last response: 1.0, 1.1, 2 or 3.")
    public static let httpRedirects = MetricInfo("probe_http_redirects", unit: "redirects",
        help: "Number of redirects followed.")
    public static let httpBodyMatched = MetricInfo("probe_http_content_matched", unit: "boolean (0 or 1)",
        help: "1 when the body contains the expected text; present only when an expectation is set.")
    public static let tlsExpiry = MetricInfo("probe_ssl_earliest_cert_expiry", unit: "Unix seconds",
        help: "Expiry time of the certificate in the chain that expires first.")
    public static let tlsRemaining = MetricInfo("probe_tls_cert_expiry_remaining_seconds", unit: "seconds",
        help: "Time left until that certificate expires; negative once expired.")

    public static let snmpUptime = MetricInfo("probe_snmp_uptime_seconds", unit: "seconds",
        help: "Device uptime from sysUpTime.")
    public static let snmpInterfaces = MetricInfo("probe_snmp_interfaces", unit: "interfaces",
        help: "Rows in the device's ifTable.")
    public static let snmpRebooted = MetricInfo("probe_snmp_rebooted", unit: "boolean (0 or 1)",
        help: "1 when sysUpTime went back between two polls (a reboot, not the 497-day TimeTicks wrap).")
    public static let snmpIfOperUp = MetricInfo("probe_snmp_if_oper_up", unit: "boolean (0 or 1)",
        help: "ifOperStatus is up.", labels: ["interface"])
    public static let snmpIfAdminUp = MetricInfo("probe_snmp_if_admin_up", unit: "boolean (0 or 1)",
        help: "ifAdminStatus is up.", labels: ["interface"])
    public static let snmpIfSpeed = MetricInfo("probe_snmp_if_speed_bits_per_second", unit: "bits per second",
        help: "Interface speed (ifHighSpeed when present, else ifSpeed).", labels: ["interface"])
    public static let snmpIfInOctets = MetricInfo("probe_snmp_if_in_octets_total", unit: "bytes (counter)",
        help: "Octets received (ifHCInOctets when present, else ifInOctets).", labels: ["interface"])
    public static let snmpIfOutOctets = MetricInfo("probe_snmp_if_out_octets_total", unit: "bytes (counter)",
        help: "Octets sent (ifHCOutOctets when present, else ifOutOctets).", labels: ["interface"])
    public static let snmpIfInErrors = MetricInfo("probe_snmp_if_in_errors_total", unit: "packets (counter)",
        help: "Inbound packets with errors (ifInErrors).", labels: ["interface"])
    public static let snmpIfOutErrors = MetricInfo("probe_snmp_if_out_errors_total", unit: "packets (counter)",
        help: "Outbound packets that could not be sent because of errors (ifOutErrors).", labels: ["interface"])
    public static let snmpIfInDiscards = MetricInfo("probe_snmp_if_in_discards_total", unit: "packets (counter)",
        help: "Inbound packets discarded (ifInDiscards).", labels: ["interface"])
    public static let snmpIfOutDiscards = MetricInfo("probe_snmp_if_out_discards_total", unit: "packets (counter)",
        help: "Outbound packets discarded (ifOutDiscards).", labels: ["interface"])
    public static let snmpIfInRate = MetricInfo("probe_snmp_if_in_bits_per_second", unit: "bits per second",
        help: "Receive rate between two polls; absent across a reboot, a counter reset, or a jump past the interface speed (loopbacks excepted).", labels: ["interface"])
    public static let snmpIfOutRate = MetricInfo("probe_snmp_if_out_bits_per_second", unit: "bits per second",
        help: "Send rate between two polls; absent across a reboot, a counter reset, or a jump past the interface speed (loopbacks excepted).", labels: ["interface"])
    public static let snmpCustom = MetricInfo("probe_snmp_value", unit: "as declared",
        help: "A user-defined OID declared as gauge or counter, by its configured name.", labels: ["name"])
    public static let snmpCustomRate = MetricInfo("probe_snmp_value_per_second", unit: "per second",
        help: "Rate of a user-defined counter between two polls; absent across a reboot or a reset.", labels: ["name"])

    public static let pathUp = MetricInfo("probe_path_up", unit: "boolean (0 or 1)",
        help: "1 when at least one reachability probe (ICMP, TCP, DNS, HTTP) over this path passed, or its far end answered at all (a lossy round, a refused port, a wrong status: lossy, not cut). `commune-agent run` writes it after every reachability result from the probes' confirmed states (one lost echo does not take a line down) and sends it with the essentials over 4G.", labels: ["path"])
    public static let modemRegistered = MetricInfo("probe_modem_registered", unit: "boolean (0 or 1)",
        help: "1 when the 4G modem is registered on a network (home or roaming).")
    public static let modemSignalQuality = MetricInfo("probe_modem_signal_quality_ratio", unit: "ratio 0-1",
        help: "ModemManager's signal quality.")
    public static let modemRSRP = MetricInfo("probe_modem_rsrp_dbm", unit: "dBm",
        help: "LTE reference signal received power (above -80 excellent, below -100 poor).")
    public static let modemRSRQ = MetricInfo("probe_modem_rsrq_db", unit: "dB",
        help: "LTE reference signal received quality.")
    public static let modemSNR = MetricInfo("probe_modem_snr_db", unit: "dB",
        help: "Signal-to-noise ratio (above 20 excellent, below 0 poor).")
    public static let modemRSSI = MetricInfo("probe_modem_rssi_dbm", unit: "dBm",
        help: "Received signal strength.")
    public static let modemCellID = MetricInfo("probe_modem_cell_id", unit: "cell id",
        help: "Serving cell id: a change means the modem moved to another cell or BTS.")
    public static let modemTAC = MetricInfo("probe_modem_tracking_area_code", unit: "code",
        help: "Tracking area code of the serving cell.")

    /// All metrics, in the order `docs/metrics.md` lists them.
    public static let all: [MetricInfo] = [
        probeSuccess, probeDuration, ipProtocol,
        icmpSent, icmpReceived, icmpLoss, icmpRttMin, icmpRttMedian, icmpRttMean, icmpRttMax,
        icmpRttStddev, icmpJitter, icmpLossBurst,
        tcpConnect,
        dnsLookup, dnsRcode, dnsAnswers,
        httpPhase, httpFirstByte, httpTotal, httpStatus, httpBytes, httpVersion, httpRedirects,
        httpBodyMatched, tlsExpiry, tlsRemaining,
        snmpUptime, snmpInterfaces, snmpRebooted, snmpIfOperUp, snmpIfAdminUp, snmpIfSpeed, snmpIfInOctets, snmpIfOutOctets,
        snmpIfInErrors, snmpIfOutErrors, snmpIfInDiscards, snmpIfOutDiscards, snmpIfInRate, snmpIfOutRate, snmpCustom, snmpCustomRate,
        pathUp, modemRegistered, modemSignalQuality, modemRSRP, modemRSRQ, modemSNR, modemRSSI, modemCellID, modemTAC,
    ] + hostMetrics + agentMetrics
}
