import Alerting
import Foundation
import WatchModel

/// Delivers every notice to every receiver, retrying with backoff while a receiver is down (for
/// up to a day), and keeps a delivery log: each attempt, when, and what went wrong. A receiver
/// that is down for five minutes gets the message once when it is back.
public actor DeliveryQueue {
    /// One attempt, as the log keeps it.
    public struct Attempt: Sendable, Hashable {
        public var time: TimestampMs
        public var receiver: String
        public var alert: String
        public var change: String
        public var attempt: Int
        /// nil: delivered.
        public var error: String?
    }

    let notifiers: [any Notifier]
    let logFile: String?
    let maxBackoff: Duration
    let giveUpAfter: Duration
    public private(set) var log: [Attempt] = []
    /// Deliveries under way, forgotten when done (a collector sends for months).
    var running: [Int: Task<Void, Never>] = [:]
    var nextDelivery = 0

    public init(notifiers: [any Notifier], logFile: String? = nil, maxBackoff: Duration = .seconds(60), giveUpAfter: Duration = .seconds(86_400)) {
        self.notifiers = notifiers
        self.logFile = logFile
        self.maxBackoff = maxBackoff
        self.giveUpAfter = giveUpAfter
    }

    /// Queues the notices (one group) for the named receiver (nil: every receiver), addressed to
    /// `recipients` where the channel writes to people; returns at once. False when no receiver has that name.
    @discardableResult
    public func send(_ notices: [AlertNotice], to receiver: String? = nil, recipients: [Person] = []) -> Bool {
        guard !notices.isEmpty else { return true }
        let chosen = notifiers.filter { receiver == nil || $0.name == receiver }
        for notifier in chosen {
            let id = nextDelivery
            nextDelivery += 1
            running[id] = Task {
                await self.deliver(notices, to: notifier, recipients: recipients)
                await self.finished(id)
            }
        }
        return !chosen.isEmpty
    }

    /// The receivers' names.
    public var receivers: [String] { notifiers.map(\.name) }

    func finished(_ id: Int) { running[id] = nil }

    func deliver(_ notices: [AlertNotice], to notifier: any Notifier, recipients: [Person]) async {
        let start = ContinuousClock.now
        var backoff = Duration.seconds(1)
        var attempt = 1
        while !Task.isCancelled {
            do {
                try await notifier.deliver(notices, to: recipients)
                record(notices, notifier, attempt, nil)
                return
            } catch {
                record(notices, notifier, attempt, "\(error)")
            }
            guard ContinuousClock.now - start < giveUpAfter else { return }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maxBackoff)
            attempt += 1
        }
    }

    func record(_ notices: [AlertNotice], _ notifier: any Notifier, _ attempt: Int, _ error: String?) {
        var lines = Data()
        for n in notices {
            let entry = Attempt(time: WallClock.nowMs(), receiver: notifier.name, alert: n.key, change: n.changeName, attempt: attempt, error: error)
            log.append(entry)
            var object: [String: Any] = ["time": entry.time, "receiver": entry.receiver, "alert": entry.alert, "change": entry.change,
                                         "attempt": attempt, "delivered": error == nil]
            if let error { object["error"] = error }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) { lines += data + Data("\n".utf8) }
        }
        if log.count > 10_000 { log.removeFirst(log.count - 10_000) }
        guard let logFile, !lines.isEmpty else { return }
        // One open and one append per attempt, however many notices it carried.
        if !FileManager.default.fileExists(atPath: logFile) {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil, attributes: [.posixPermissions: 0o640])
        }
        guard let handle = FileHandle(forWritingAtPath: logFile) else { return }
        handle.seekToEndOfFile()
        handle.write(lines)
        try? handle.close()
    }

    /// Stops retrying (the server is stopping).
    public func stop() {
        for task in running.values { task.cancel() }
    }
}
