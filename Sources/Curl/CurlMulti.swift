import CCurl
import Synchronization
import Threads

/// The agent's HTTP engine: one libcurl multi handle driven by one thread of its own.
///
/// Sharing one multi handle lets libcurl keep a single cached CA store for all transfers
/// (`CURLOPT_CA_CACHE_TIMEOUT`), which is what keeps 50 concurrent HTTPS probes small.
public final class CurlMulti: Sendable {
    /// Started on first use: initialising libcurl and OpenSSL costs ~5 MB that ICMP-only agents need not pay.
    private let engine = Mutex<Engine?>(nil)

    public init() {}

    deinit { engine.withLock { $0?.stop() } }

    private func running() -> Engine {
        engine.withLock { current in
            if let current { return current }
            curl_global_init(Int(CURL_GLOBAL_DEFAULT))
            let started = Engine()
            DedicatedThread.start { started.loop() }
            current = started
            return started
        }
    }

    /// Performs one transfer; libcurl's own timeout bounds it.
    public func perform(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        let engine = running()
        let transfer = try CurlTransfer(request)
        let result: Result<CurlResponse, CurlError> = await withCheckedContinuation { continuation in
            transfer.completion = { continuation.resume(returning: $0) }
            engine.submit(transfer)
        }
        return try result.get()
    }

    /// libcurl's version string, for `--version` and bug reports.
    public static var version: String { String(cString: curl_version()) }
}

/// The state only the engine thread touches, plus a locked inbox for new transfers.
private final class Engine: @unchecked Sendable {
    private struct Inbox {
        var pending: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Transfers in flight, keyed by their easy handle; touched only by the engine thread.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init() {
        multi = curl_multi_init()
        _ = cw_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
    }

    func submit(_ transfer: CurlTransfer) {
        inbox.withLock { $0.pending.append(transfer) }
        curl_multi_wakeup(multi)
    }

    func stop() {
        inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    func loop() {
        while true {
            let (incoming, stopping) = inbox.withLock { box in
                defer { box.pending.removeAll() }
                return (box.pending, box.stopping)
            }
            if stopping && active.isEmpty && incoming.isEmpty { break }
            for transfer in incoming {
                let rc = curl_multi_add_handle(multi, transfer.handle)
                if rc == CURLM_OK {
                    active[transfer.handle] = transfer
                } else {
                    transfer.completion?(transfer.finish(code: CURLE_FAILED_INIT))
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            drainFinished()
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        curl_multi_cleanup(multi)
    }

    private func drainFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            // The message is invalid once the handle is removed: read it first.
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            if let transfer = active.removeValue(forKey: easy) {
                transfer.completion?(transfer.finish(code: code))
                transfer.completion = nil
            }
        }
    }
}
