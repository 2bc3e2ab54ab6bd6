import ArgumentParser
import CollectorServer
import Foundation
import WatchModel

/// Where the running collector is, and the admin token to use with it.
struct CollectorOptions: ParsableArguments {
    @Option(help: "The running collector's address.") var collector = "http://127.0.0.1:8470"
    @Option(help: "The admin token (default: $COMMUNE_ADMIN_TOKEN, else DATA/admin-token).") var adminToken: String?
    @Option(help: "The collector's data directory, where its admin-token file is.") var data = "./data"

    func client() throws -> AdminClient {
        AdminClient(collector: collector, token: try AdminClient.token(given: adminToken, dataDirectory: data))
    }
}

/// `incidents list|ack|note`: what the support teams do from a terminal, through the running collector.
struct Incidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List, acknowledge and annotate incidents (through the running collector).",
                                                    subcommands: [List.self, Ack.self, Note.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open incidents, newest first (--all: past ones too).")
        @Flag(help: "Past (resolved) incidents too.") var all = false
        @Option(help: "Only this site's.") var site: String?
        @OptionGroup var target: CollectorOptions

        func run() async throws {
            var query = "state=\(all ? "all" : "open")"
            if let site { query += "&site=" + AdminClient.segment(site) }
            let reply = try await target.client().get("/api/v1/incidents?" + query)
            let incidents = reply["incidents"] as? [[String: Any]] ?? []
            if incidents.isEmpty { print(all ? "no incidents" : "no open incidents") }
            for i in incidents {
                let labels = i["labels"] as? [String: String] ?? [:]
                var line = "\(i["state"] as? String ?? "?")  \(labels["site"] ?? "-")  \(i["alert"] as? String ?? "?")  since \(Self.time(i["since"]))"
                if let by = i["acknowledged_by"] as? String { line += "  acknowledged by \(by)" }
                if i["muted"] as? Bool == true { line += "  (muted)" }
                print(line)
                if let summary = i["summary"] as? String, !summary.isEmpty { print("  \(summary)") }
                print("  id: \(i["id"] as? String ?? "")")
            }
        }

        static func time(_ value: Any?) -> String {
            guard let ms = (value as? NSNumber)?.int64Value else { return "?" }
            let formatter = DateFormatter()
            formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge an incident: you are on it (the receivers are told).")
        @Argument(help: "The incident's id (from `incidents list`).") var id: String
        @Option(help: "Your name, as the team knows you.") var by: String
        @Option(help: "A note for the history.") var note: String?
        @OptionGroup var target: CollectorOptions

        func run() async throws {
            guard !by.isEmpty else { throw ValidationError("--by names who acknowledges") }
            let reply = try await target.client().post("/api/v1/incidents/\(AdminClient.segment(id))/acknowledge", ["by": by, "note": note ?? ""])
            let incident = reply["incident"] as? [String: Any] ?? [:]
            print("acknowledged by \(incident["acknowledged_by"] as? String ?? by): \(incident["summary"] as? String ?? id)")
        }
    }

    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to an incident's history.")
        @Argument(help: "The incident's id (from `incidents list`).") var id: String
        @Option(help: "Your name, as the team knows you.") var by: String
        @Argument(help: "The note.") var text: String
        @OptionGroup var target: CollectorOptions

        func run() async throws {
            guard !by.isEmpty, !text.isEmpty else { throw ValidationError("--by and the note's text are required") }
            _ = try await target.client().post("/api/v1/incidents/\(AdminClient.segment(id))/notes", ["by": by, "text": text])
            print("note added")
        }
    }
}

/// `silences add|list|expire`: maintenance windows and planned cuts, through the running collector.
struct Silences: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Silence a site's alerts for a while (e.g. a planned power cut).",
                                                    subcommands: [Add.self, List.self, Expire.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a silence: --site, and --minutes or --until (with --from).")
        @Option(help: "The site's code.") var site: String
        @Option(help: "Only this alert (its name, e.g. DedicatedLineDown); default: all of the site's.") var alert: String?
        @Option(help: "Start, YYYY-MM-DDTHH:MM in Vietnam's time (or with Z / +07:00); default now.") var from: String?
        @Option(help: "End, in the same form as --from.") var until: String?
        @Option(help: "Minutes from the start.") var minutes: Int?
        @Option(help: "Your name.") var by: String
        @Option(help: "Why (\"cắt điện theo kế hoạch\").") var comment = ""
        @OptionGroup var target: CollectorOptions

        func run() async throws {
            guard (until == nil) != (minutes == nil) else { throw ValidationError("give --until or --minutes (one of them)") }
            var body: [String: Any] = ["matchers": ["site": site].merging(alert.map { ["alertname": $0] } ?? [:]) { a, _ in a },
                                       "by": by, "comment": comment]
            let starts = try from.map { try Self.time($0, option: "--from") } ?? WallClock.nowMs()
            body["starts"] = starts
            if let until { body["ends"] = try Self.time(until, option: "--until") }
            if let minutes {
                guard minutes > 0 else { throw ValidationError("--minutes must be positive") }
                body["ends"] = starts + Int64(minutes) * 60_000
            }
            let reply = try await target.client().post("/api/v1/silences", body)
            let silence = reply["silence"] as? [String: Any] ?? [:]
            print("silence \(silence["id"] as? String ?? "?"): \(site)\(alert.map { " \($0)" } ?? "") until \(Incidents.List.time(silence["ends"]))")
        }

        /// `YYYY-MM-DDTHH:MM[:SS]` in Asia/Ho_Chi_Minh, or ISO 8601 with a zone.
        static func time(_ text: String, option: String) throws -> TimestampMs {
            let zoned = ISO8601DateFormatter()
            if let date = zoned.date(from: text) { return TimestampMs(date.timeIntervalSince1970 * 1000) }
            let local = DateFormatter()
            local.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
            local.locale = Locale(identifier: "en_US_POSIX")
            for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm"] {
                local.dateFormat = format
                if let date = local.date(from: text) { return TimestampMs(date.timeIntervalSince1970 * 1000) }
            }
            throw ValidationError("\(option) '\(text)' is not YYYY-MM-DDTHH:MM (Vietnam's time) or ISO 8601 with a zone")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Silences in force or to come.")
        @OptionGroup var target: CollectorOptions

        func run() async throws {
            let silences = try await target.client().get("/api/v1/silences")["silences"] as? [[String: Any]] ?? []
            if silences.isEmpty { print("no silences") }
            for s in silences {
                let matchers = (s["matchers"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                print("\(s["id"] as? String ?? "?")  \(matchers)  \(Incidents.List.time(s["starts"])) → \(Incidents.List.time(s["ends"]))  by \(s["created_by"] as? String ?? "?")"
                      + ((s["comment"] as? String).map { $0.isEmpty ? "" : "  \($0)" } ?? ""))
            }
        }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a silence now.")
        @Argument(help: "The silence's id (from `silences list`).") var id: String
        @OptionGroup var target: CollectorOptions

        func run() async throws {
            _ = try await target.client().post("/api/v1/silences/\(AdminClient.segment(id))/expire", [:])
            print("silence \(id) expired")
        }
    }
}
