import Foundation

extension AlertNotice {
    /// The rule's annotation `name_LANG` (or `name`) with its placeholders filled: `{{site}}`,
    /// `{{value}}`, `{{value_ms}}`, `{{value_percent}}`, `{{value_days}}`, `{{labels.NAME}}`, and
    /// `{{office}}` (what the office's contacts say: line down but alive on 4G, dark, agent stopped).
    public func text(_ name: String, language: String) -> String? {
        guard let template = rule.annotations[name + "_" + language] ?? rule.annotations[name] else { return nil }
        var out = template
        func number(_ v: Double?, _ digits: Int) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "?" }
        out = out.replacingOccurrences(of: "{{site}}", with: labels["site"] ?? "")
        out = out.replacingOccurrences(of: "{{office}}", with: context.office?.text(language: language.isEmpty ? "en" : language) ?? "")
        out = out.replacingOccurrences(of: "{{value_ms}}", with: number(value.map { $0 * 1000 }, 0))
        out = out.replacingOccurrences(of: "{{value_percent}}", with: number(value.map { $0 * 100 }, 1))
        out = out.replacingOccurrences(of: "{{value_days}}", with: number(value.map { $0 / 86_400 }, 0))
        out = out.replacingOccurrences(of: "{{value}}", with: number(value, value.map { abs($0) >= 100 ? 0 : 2 } ?? 0))
        for (k, v) in labels { out = out.replacingOccurrences(of: "{{labels.\(k)}}", with: v) }
        return out
    }

    /// Annotations as Alertmanager carries them: every template filled, in both languages.
    public var filledAnnotations: [String: String] {
        var out: [String: String] = [:]
        for key in rule.annotations.keys {
            let parts = key.split(separator: "_")
            let language = parts.count > 1 ? String(parts.last!) : ""
            let name = parts.count > 1 ? parts.dropLast().joined(separator: "_") : key
            out[key] = text(name, language: language) ?? rule.annotations[key]
        }
        return out
    }
}
