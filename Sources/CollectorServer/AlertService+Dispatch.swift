import Alerting
import Foundation
import Storage
import WatchModel

/// From the evaluator's changes to the receivers: each change written to the incident's record,
/// then routed, grouped and timed by the dispatcher, and queued for delivery when due.
extension AlertService {
    /// `KEY@SINCE` of the incident a notice is about.
    static func id(of notice: AlertNotice) -> String { "\(notice.key)@\(notice.since)" }

    /// Hands the changes to the receivers: a copy of each at once to the command line's
    /// receivers, and all of them to the dispatcher, whose due messages go out now.
    func tell(_ notices: [AlertNotice]) async {
        guard !notices.isEmpty else { return }
        for name in everyNotice {
            for notice in notices { await queue.send([notice], to: name) }
        }
        let now = WallClock.nowMs()
        dispatcher.withLock { $0.receive(notices, now: now) }
        await sendDue()
    }

    /// Sends what the dispatcher says is due (group waits over, repeats, escalations), each
    /// message written to the history of the incidents it carries.
    func sendDue() async {
        let now = WallClock.nowMs()
        let due = dispatcher.withLock { $0.due(now: now) }
        for message in due {
            var notices = message.notices
            if case let .escalation(level) = message.reason {
                for i in notices.indices { notices[i].context.escalation = level }
            }
            guard await queue.send(notices, to: message.receiver, recipients: message.recipients) else {
                logger.error("no receiver for a route", metadata: ["receiver": "\(message.receiver)"])
                continue
            }
            let (kind, reason): (String, String) = switch message.reason {
            case .first: ("notified", "")
            case .update: ("notified", "update")
            case .repeat: ("notified", "repeat")
            case let .escalation(level): ("escalated", "step \(level)")
            }
            let people = message.recipients.map(\.name).joined(separator: ", ")
            let text = ([message.receiver] + [reason, people].filter { !$0.isEmpty }).joined(separator: ": ")
            logger.info("notification", metadata: ["receiver": "\(message.receiver)", "incidents": "\(message.notices.count)",
                                                  "team": "\(message.team ?? "")", "kind": "\(kind)", "reason": "\(reason)"])
            for notice in message.notices {
                try? await incidents.append(IncidentEntry(incident: Self.id(of: notice), at: now, kind: kind, by: "collector", text: text))
            }
        }
    }

    /// Asks the dispatcher again when its next message is due (at most a second later, so the
    /// time a wait ends is kept to the second), until cancelled.
    func dispatchLoop() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                let next = dispatcher.withLock { $0.nextDue() }
                let wait = next.map { max(10, min(1_000, $0 - WallClock.nowMs())) } ?? 1_000
                try? await Task.sleep(for: .milliseconds(wait))
                await sendDue()
            }
        }
    }

    /// Writes the change to the incident's record and history; an acknowledgement is written by
    /// whoever acknowledged (`acknowledge(incident:by:)`), with their note.
    func record(_ notice: AlertNotice) async {
        if case .acknowledged = notice.change { return }
        let id = Self.id(of: notice)
        do {
            var r = try await incidents.incident(id: id)
                ?? IncidentRecord(id: id, key: notice.key, rule: notice.rule.name, severity: notice.rule.severity.rawValue,
                                  labels: notice.labels, state: "firing", since: notice.since, updatedAt: notice.at)
            let (state, kind): (String, String) = switch notice.change {
            case .fired: ("firing", "fired")
            case .resolved: ("resolved", "resolved")
            case .startedFlapping: ("flapping", "flapping")
            case let .settled(firing): (firing ? (r.acknowledgedBy == nil ? "firing" : "acknowledged") : "resolved", "settled")
            case .acknowledged: ("acknowledged", "acknowledged")
            }
            r.state = state
            r.labels = notice.labels
            r.value = notice.value ?? r.value
            r.resolvedAt = state == "resolved" ? notice.at : nil
            r.updatedAt = notice.at
            if let summary = notice.text("summary", language: language), r.summary.isEmpty || notice.firing { r.summary = summary }
            try await incidents.save(incident: r)
            try await incidents.append(IncidentEntry(incident: id, at: notice.at, kind: kind, by: "collector", text: r.summary))
        } catch {
            logger.error("could not record an incident", metadata: ["incident": "\(id)", "error": "\(error)"])
        }
    }
}
