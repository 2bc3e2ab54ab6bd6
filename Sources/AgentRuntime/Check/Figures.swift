/// Number formatting for people, without Foundation: Vietnamese uses a decimal comma.
struct Figures {
    let language: Language

    /// `value` with `decimals` digits after the separator.
    func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let fraction = String(scaled % Int64(scale))
            text += (language == .vi ? "," : ".") + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }

    /// A duration given in seconds, in ms below 1 s: `0.42 ms`, `12.3 ms`, `154 ms`, `4.2 s`.
    func duration(_ seconds: Double) -> String {
        let ms = seconds * 1000
        if ms >= 1000 { return number(seconds, decimals: 1) + " s" }
        if ms >= 100 { return number(ms, decimals: 0) + " ms" }
        if ms >= 10 { return number(ms, decimals: 1) + " ms" }
        return number(ms, decimals: 2) + " ms"
    }

    /// A ratio as a percentage: `0%`, `2.5%`, `30%`.
    func percent(_ ratio: Double) -> String {
        let p = ratio * 100
        return (p == p.rounded() || p >= 10 ? number(p, decimals: 0) : number(p, decimals: 1)) + "%"
    }

    /// A rate in bits per second: `850 b/s`, `12.3 kb/s`, `1.2 Mb/s`, `1 Gb/s`.
    func bitRate(_ bits: Double) -> String {
        let units = [(1e9, "Gb/s"), (1e6, "Mb/s"), (1e3, "kb/s")]
        for (scale, unit) in units where bits >= scale {
            let value = bits / scale
            return number(value, decimals: value >= 100 || value == value.rounded() ? 0 : 1) + " " + unit
        }
        return number(bits, decimals: 0) + " b/s"
    }

    /// An uptime: `45 s`, `12 min`, `5 h 3 min`, `41 d 2 h`.
    func uptime(_ seconds: Double) -> String {
        let s = Int(seconds)
        let d = language.pick("d", "ngày")
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86400) \(d) \(s % 86400 / 3600) h"
    }
}
