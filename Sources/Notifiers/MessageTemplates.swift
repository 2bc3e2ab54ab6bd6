import Alerting
import Foundation
import Mustache
import WatchModel

/// The words the teams read, from Mustache templates (`alerts/templates/`): a short text for chat
/// and SMS, and an e-mail's subject and body, in Vietnamese and English.
///
/// A template file is `KIND.LANGUAGE.mustache` (`message.vi.mustache`); other files in the
/// directory are partials (`{{> change.vi}}`). Values are written as they are (no HTML
/// escaping: these are plain texts), and a file's final newline is not part of it.
public struct MessageTemplates: Sendable {
    /// What a template writes.
    public enum Kind: String, Sendable, CaseIterable {
        /// Chat (Telegram) and SMS/Zalo: short.
        case message
        case emailSubject = "email_subject"
        case emailBody = "email_body"
    }

    /// The languages the shipped templates are written in.
    public static let languages = ["vi", "en"]

    let library: MustacheLibrary
    /// Template names ("message.vi") this set has.
    public let names: Set<String>

    /// Templates from their texts, by name ("message.vi", "change.en"); names absent here come from
    /// the built-in set. `origin` names where they came from in errors.
    public init(texts: [String: String], origin: String = "") throws(TemplateError) {
        var all = Self.builtInTexts
        for (name, text) in texts { all[name] = text }
        var library = MustacheLibrary()
        for (name, text) in all.sorted(by: { $0.key < $1.key }) {
            let file = texts[name] == nil ? "built-in \(name).mustache" : origin + name + ".mustache"
            library.register(try Self.plain(text.hasSuffix("\n") ? String(text.dropLast()) : text, file: file), named: name)
        }
        self.library = library
        names = Set(all.keys)
    }

    /// A template for plain text (values written as they are, not HTML-escaped).
    static func plain(_ text: String, file: String) throws(TemplateError) -> MustacheTemplate {
        do {
            // The pragma on a line of its own is dropped from the output, as a standalone tag is.
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + text)
        } catch let error as MustacheTemplate.ParserError {
            throw TemplateError(file: file, line: max(error.context.lineNumber - 1, 1), column: error.context.columnNumber,
                                problem: Self.words(error.error), text: error.context.line)
        } catch {
            throw TemplateError(file: file, line: 0, column: 0, problem: "\(error)", text: "")
        }
    }

    /// The parser's complaint as the person editing the file needs it.
    static func words(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a section is closed under another name than it was opened with: expected {{/NAME}} for {{#NAME}}"
        case .unfinishedName?: "a tag is not finished: expected a name and }}"
        case .expectedSectionEnd?: "a section is never closed: expected {{/NAME}}"
        case .invalidSetDelimiter?: "a delimiter change is badly written: expected {{=<% %>=}}"
        case .invalidConfigVariableSyntax?, .unrecognisedConfigVariable?: "unknown pragma: expected {{% CONTENT_TYPE: TEXT }}"
        default: "\(error)"
        }
    }

    /// Every `*.mustache` file of `directory` (`alerts/templates`); what it lacks comes from the
    /// built-in set, so a directory may change only the texts it wants to.
    public init(directory: String) throws(TemplateError) {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".mustache") }
        } catch {
            throw TemplateError(file: folder, line: 0, column: 0, problem: "cannot read the template directory (\(error.localizedDescription))", text: "")
        }
        var texts: [String: String] = [:]
        for file in files.sorted() {
            guard let data = FileManager.default.contents(atPath: folder + file) else {
                throw TemplateError(file: folder + file, line: 0, column: 0, problem: "cannot read the file", text: "")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw TemplateError(file: folder + file, line: 0, column: 0, problem: "not UTF-8 text", text: "")
            }
            texts[String(file.dropLast(".mustache".count))] = text
        }
        try self.init(texts: texts, origin: folder)
    }

    /// The templates compiled into the collector (identical to the shipped `alerts/templates`).
    public static let builtIn: MessageTemplates = {
        do { return try MessageTemplates(texts: [:]) } catch { fatalError("the built-in message templates do not parse: \(error)") }
    }()

    /// Writes `kind` for a group of notices in `language` (English when the language has no template).
    public func render(_ kind: Kind, _ notices: [AlertNotice], language: String) -> String {
        let name = kind.rawValue + "." + (names.contains(kind.rawValue + "." + language) ? language : "en")
        var text = library.render(Self.values(notices, language: language), withTemplate: name) ?? ""
        while let last = text.unicodeScalars.last, last == "\n" || last == " " { text.unicodeScalars.removeLast() }
        if kind == .emailSubject {
            text = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        return text
    }

    /// What the templates can use: `notices` (each with the names below), `notice` (the first),
    /// `count`, `others` (how many after the first; absent when none), `team`.
    ///
    /// Per notice: `site` (its name, or its code), `site_code`, `named` (the name is known),
    /// `district`, `alert`, `summary`, `description`, `severity`, `critical`, `value`, `since` and
    /// `at` (Vietnam time, `08:15 02/12`), the change as one true flag of `fired`, `resolved`,
    /// `acknowledged` (with `acknowledged_by`), `flapping`, `settled_firing`, `settled_ok`; `also`
    /// and `also_affected` (a list) / `also_affected_line` (one line), `acknowledge_url`, `first`,
    /// `escalated` with `escalation` (the step) when nobody acknowledged in time.
    static func values(_ notices: [AlertNotice], language: String) -> [String: Any] {
        let list = notices.enumerated().map { index, notice in values(notice, language: language, first: index == 0) }
        var top: [String: Any] = ["notices": list, "count": notices.count]
        if let first = list.first { top["notice"] = first }
        if notices.count > 1 { top["others"] = notices.count - 1 }
        if let team = notices.first?.context.team { top["team"] = team }
        return top
    }

    static func values(_ n: AlertNotice, language: String, first: Bool) -> [String: Any] {
        var out: [String: Any] = [
            "site_code": n.labels["site"] ?? n.labels["upstream"] ?? "",
            "alert": n.rule.name,
            "severity": n.rule.severity.rawValue,
            "critical": n.rule.severity == .critical,
            "since": vietnamTime(n.since),
            "at": vietnamTime(n.at),
            "first": first,
            "fired": false, "resolved": false, "acknowledged": false, "flapping": false, "settled_firing": false, "settled_ok": false,
        ]
        out["site"] = n.context.siteName ?? n.labels["site"] ?? n.labels["upstream"] ?? n.labels["target"] ?? ""
        out["named"] = n.context.siteName != nil
        if let district = n.context.district { out["district"] = district }
        if let value = n.value { out["value"] = value.rounded() == value ? String(Int64(value)) : String(format: "%.2f", value) }
        switch n.change {
        case .fired: out["fired"] = true
        case .resolved: out["resolved"] = true
        case let .acknowledged(by):
            out["acknowledged"] = true
            out["acknowledged_by"] = by
        case .startedFlapping: out["flapping"] = true
        case let .settled(firing): out[firing ? "settled_firing" : "settled_ok"] = true
        }
        if !n.context.alsoAffected.isEmpty {
            out["also"] = true
            out["also_affected"] = n.context.alsoAffected
            out["also_affected_line"] = n.context.alsoAffected.joined(separator: "; ")
        }
        if let url = n.context.acknowledgeURL, !url.isEmpty { out["acknowledge_url"] = url }
        if let step = n.context.escalation {
            out["escalated"] = true
            out["escalation"] = step
        }
        out["summary"] = n.text("summary", language: language) ?? n.rule.name
        if let description = n.text("description", language: language) { out["description"] = description }
        return out
    }

    /// `HH:mm dd/MM` in Vietnam (UTC+7, no daylight saving), as the teams read the clock.
    public static func vietnamTime(_ ms: TimestampMs) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm dd/MM"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

/// A template that does not parse: the file, where, and what the parser expected.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let problem: String
    /// The line as written.
    public let text: String

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(problem) in template line \"\(text)\"" : "\(file): \(problem)"
    }
}
