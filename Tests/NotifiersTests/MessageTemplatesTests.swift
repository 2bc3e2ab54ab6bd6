import Alerting
import Foundation
import Testing
import TestSupport
@testable import Notifiers

/// The words the teams read: every part of a message, in both languages, from the shipped files.
@Suite struct MessageTemplatesTests {
    let shipped = repositoryRoot.path + "/alerts/templates"

    @Test func aVietnameseMessageSaysWhereWhatSinceWhenWhatElseAndTheLink() throws {
        let templates = try MessageTemplates(directory: shipped)
        let text = templates.render(.message, [try tanLap(.fired)], language: "vi")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "🔴 SỰ CỐ · UBND xã Tân Lập",
            "Mất đường truyền chuyên dùng tại QNG-TL",
            "Từ 08:15 02/12",
            "Cũng bị ảnh hưởng: Cổng dịch vụ công không truy cập được; DNS lỗi",
            "Nhận xử lý: https://cw.quangngai.example/ack/QNG-TL-7f3a",
        ], "\(text)")
    }

    @Test func anEnglishMessageHasTheSameParts() throws {
        let templates = try MessageTemplates(directory: shipped)
        let text = templates.render(.message, [try tanLap(.resolved)], language: "en")
        #expect(text.hasPrefix("✅ RESOLVED · UBND xã Tân Lập\nDedicated line down at QNG-TL\n"), "\(text)")
        #expect(text.contains("Since 08:15 02/12 until 09:02 02/12 (Vietnam time)"))
        #expect(text.contains("Also affected: Cổng dịch vụ công không truy cập được; DNS lỗi"))
        #expect(text.contains("Acknowledge: https://cw.quangngai.example/ack/QNG-TL-7f3a"))
    }

    @Test func everyChangeHasItsWords() throws {
        let templates = MessageTemplates.builtIn
        let expected: [(IncidentChange, String, String)] = [
            (.fired, "🔴 SỰ CỐ", "🔴 ALERT"),
            (.resolved, "✅ ĐÃ KHÔI PHỤC", "✅ RESOLVED"),
            (.acknowledged(by: "anh Tuấn"), "👤 ĐÃ NHẬN XỬ LÝ: anh Tuấn", "👤 ACKNOWLEDGED by anh Tuấn"),
            (.startedFlapping, "🔁 CHẬP CHỜN", "🔁 FLAPPING"),
            (.settled(firing: true), "🔁 HẾT CHẬP CHỜN, VẪN LỖI", "🔁 SETTLED, STILL DOWN"),
            (.settled(firing: false), "✅ HẾT CHẬP CHỜN, ĐÃ ỔN", "✅ SETTLED, OK"),
        ]
        for (change, vi, en) in expected {
            #expect(templates.render(.message, [try tanLap(change)], language: "vi").hasPrefix(vi + " "), "\(change)")
            #expect(templates.render(.message, [try tanLap(change)], language: "en").hasPrefix(en + " "), "\(change)")
        }
        var warning = try tanLap(.fired)
        warning.rule.severity = .warning
        #expect(templates.render(.message, [warning], language: "vi").hasPrefix("🟠 SỰ CỐ"))
    }

    @Test func withoutASiteNameOrLinkTheCodeStandsAndNothingIsLeftDangling() throws {
        let bare = try tanLap(.fired, context: NoticeContext())
        let vi = MessageTemplates.builtIn.render(.message, [bare], language: "vi")
        #expect(vi == "🔴 SỰ CỐ · QNG-TL\nMất đường truyền chuyên dùng tại QNG-TL\nTừ 08:15 02/12", "\(vi)")
        let body = MessageTemplates.builtIn.render(.emailBody, [bare], language: "en")
        #expect(body.contains("Site: QNG-TL\n") && !body.contains("Acknowledge") && !body.contains("Also affected"), "\(body)")
    }

    @Test func aGroupIsOneTextWithEveryNotice() throws {
        let two = [try tanLap(.fired), try tanLap(.fired, context: NoticeContext(siteName: "UBND xã Tịnh Hà"), site: "QNG-TH")]
        let text = MessageTemplates.builtIn.render(.message, two, language: "vi")
        #expect(text.contains("UBND xã Tân Lập") && text.contains("\n\n🔴 SỰ CỐ · UBND xã Tịnh Hà\n"), "\(text)")
        let subject = MessageTemplates.builtIn.render(.emailSubject, two, language: "vi")
        #expect(subject == "[CommuneWatch] 🔴 SỰ CỐ · UBND xã Tân Lập: Mất đường truyền chuyên dùng tại QNG-TL (và 1 cảnh báo khác)", "\(subject)")
        #expect(MessageTemplates.builtIn.render(.emailSubject, [two[0]], language: "en")
            == "[CommuneWatch] 🔴 ALERT · UBND xã Tân Lập: Dedicated line down at QNG-TL")
    }

    @Test func anEmailBodyInBothLanguages() throws {
        let vi = MessageTemplates.builtIn.render(.emailBody, [try tanLap(.resolved)], language: "vi")
        for part in ["Tình trạng: ✅ ĐÃ KHÔI PHỤC", "Địa điểm: UBND xã Tân Lập (QNG-TL), Sơn Tịnh", "Sự cố: Mất đường truyền chuyên dùng tại QNG-TL",
                     "Bắt đầu lúc: 08:15 02/12 (giờ Việt Nam)", "Khôi phục lúc: 09:02 02/12", "  - DNS lỗi",
                     "https://cw.quangngai.example/ack/QNG-TL-7f3a", "CommuneWatch · Đội Sơn Tịnh"] {
            #expect(vi.contains(part), "\(part) missing from:\n\(vi)")
        }
        let en = MessageTemplates.builtIn.render(.emailBody, [try tanLap(.fired)], language: "en")
        for part in ["Status: 🔴 ALERT", "Site: UBND xã Tân Lập (QNG-TL), Sơn Tịnh", "What: Dedicated line down at QNG-TL", "Since: 08:15 02/12 (Vietnam time)",
                     "Also affected at this site:\n  - Cổng dịch vụ công không truy cập được\n  - DNS lỗi", "Acknowledge, add a note or silence for a while:"] {
            #expect(en.contains(part), "\(part) missing from:\n\(en)")
        }
        #expect(!en.contains("Resolved:"))
    }

    /// A collector installed without alerts/templates speaks exactly as one with them.
    @Test func shippedFilesAreTheBuiltInTexts() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: shipped).filter { $0.hasSuffix(".mustache") }
        #expect(Set(files.map { String($0.dropLast(".mustache".count)) }) == Set(MessageTemplates.builtInTexts.keys))
        for file in files {
            let text = try String(contentsOfFile: shipped + "/" + file, encoding: .utf8)
            #expect(String(text.dropLast()) == MessageTemplates.builtInTexts[String(file.dropLast(".mustache".count))],
                    "\(file) differs from the built-in text: run scripts/gen-templates")
        }
        for kind in MessageTemplates.Kind.allCases {
            for language in MessageTemplates.languages {
                #expect(MessageTemplates.builtInTexts[kind.rawValue + "." + language] != nil, "\(kind) \(language)")
            }
        }
    }

    @Test func aDirectoryMayChangeOneTextAndValuesAreNotHTMLEscaped() throws {
        let dir = scratchDirectory("templates")
        try "{{#notices}}<{{site}}> & {{summary}}{{/notices}}\n".write(toFile: dir + "/message.en.mustache", atomically: true, encoding: .utf8)
        let templates = try MessageTemplates(directory: dir)
        var notice = try tanLap(.fired)
        notice.context.siteName = "Xã \"A\" & <B>"
        #expect(templates.render(.message, [notice], language: "en") == "<Xã \"A\" & <B>> & Dedicated line down at QNG-TL")
        #expect(templates.render(.message, [notice], language: "vi").hasPrefix("🔴 SỰ CỐ · Xã \"A\" & <B>"), "the rest stays built in")
    }

    @Test func aBrokenTemplateNamesTheFileAndLine() throws {
        let dir = scratchDirectory("templates")
        try "{{#notices}}\n{{summary}}\n{{/notice}}\n".write(toFile: dir + "/message.vi.mustache", atomically: true, encoding: .utf8)
        let error = try #require(throws: TemplateError.self) { try MessageTemplates(directory: dir) }
        #expect(error.file == dir + "/message.vi.mustache")
        #expect(error.line == 3, "\(error)")
        #expect(error.description.hasPrefix(dir + "/message.vi.mustache:3:"), "\(error)")
        #expect(error.problem.contains("expected {{/NAME}}"), "\(error)")
        try "{{#notices}}\n{{summary}}\n".write(toFile: dir + "/message.vi.mustache", atomically: true, encoding: .utf8)
        let unclosed = try #require(throws: TemplateError.self) { try MessageTemplates(directory: dir) }
        #expect(unclosed.file.hasSuffix("message.vi.mustache") && unclosed.problem.contains("never closed"), "\(unclosed)")
        let missing = try #require(throws: TemplateError.self) { try MessageTemplates(directory: dir + "/nope") }
        #expect(missing.description.contains("nope") && missing.description.contains("cannot read"), "\(missing)")
    }
}
