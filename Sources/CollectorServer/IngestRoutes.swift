import Deflate
import Foundation
import Hummingbird
import Storage
import WatchModel

/// `POST /api/v1/ingest`: an agent's batch (CWB2, deflated), authenticated, validated, stored once.
struct IngestRoutes {
    let access: any AccessStore
    let store: any MetricStore
    let limits: Limits
    let counters: IngestCounters
    let admission: IngestAdmission
    /// Told the site, agent and path of every stored upload (a heartbeat too): the alert rules
    /// are evaluated on arrival, and a quiet agent is told from a cut line.
    var stored: @Sendable (_ agent: AgentRecord, _ path: String) -> Void = { _, _ in }

    /// How much an upload may weigh, compressed and inflated.
    struct Limits: Sendable {
        var bodyBytes = 16 << 20
        var inflatedBytes = 64 << 20
    }

    func add(to router: Router<BasicRequestContext>) {
        router.post("/api/v1/ingest") { request, _ -> Response in
            let response = try await ingest(request)
            if response.status.code >= 400 { counters.update { $0.refused[response.status.code, default: 0] += 1 } }
            return response
        }
    }

    func ingest(_ request: Request) async throws -> Response {
        let agent: AgentRecord
        do { agent = try await access.agent(of: request) } catch let refusal as Refusal { return refusal.reply }
        switch admission.admit(agent.id) {
        case .admitted:
            break
        case let .tooFast(seconds):
            var reply = Reply.error(.tooManyRequests, "agent \(agent.id) sends more than \(admission.limits.agentRequestsPerSecond) batches per second")
            reply.headers[.retryAfter] = "\(seconds)"
            return reply
        case let .busy(seconds):
            var reply = Reply.error(.serviceUnavailable, "storage is behind: keep the data in the spool and retry")
            reply.headers[.retryAfter] = "\(seconds)"
            return reply
        }
        defer { admission.finish() }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limits.bodyBytes) } catch {
            return Reply.error(.contentTooLarge, "the batch is larger than \(limits.bodyBytes) bytes")
        }
        let raw: [UInt8]
        let encoding = request.headers[.contentEncoding]?.lowercased()
        if encoding == nil || encoding == "identity" {
            raw = Array(body.readableBytesView)
        } else if encoding == "deflate" {
            do { raw = try Deflate.decompress(Array(body.readableBytesView), limit: limits.inflatedBytes) } catch {
                if case .tooLarge = error { return Reply.error(.contentTooLarge, "the batch inflates past \(limits.inflatedBytes) bytes") }
                return Reply.error(.badRequest, "the body is not valid deflate data: \(error)")
            }
        } else {
            return Reply.error(.unsupportedMediaType, "Content-Encoding '\(encoding!)' is not supported (deflate or none)")
        }
        let batch: WireBatch
        do { batch = try WireBatch.decode(raw) } catch {
            return Reply.error(.badRequest, "\(error)")
        }
        let id = Hex.encode(batch.id)
        if let header = request.headers.first(where: { $0.name.canonicalName == "cw-batch" })?.value, header.lowercased() != id {
            return Reply.error(.badRequest, "CW-Batch \(header) does not match the batch id \(id)")
        }
        if !batch.site.isEmpty, batch.site != agent.site {
            return Reply.error(.forbidden, "agent \(agent.id) is enrolled for site \(agent.site), not \(batch.site)")
        }
        let now = WallClock.nowMs()
        let correction = BatchValidation.clockCorrection(of: batch, now: now)
        if let problem = BatchValidation.problem(in: batch, now: now, correction: correction) {
            return Reply.error(.unprocessableContent, problem)
        }
        var events = batch.events
        if correction != 0, counters.shouldFlagClock(of: agent.id, now: now) {
            // Flagged for the support team (at most hourly per agent): a dead CMOS battery or no NTP.
            // The event carries the collector's time, so it is shifted back by the correction the store adds.
            events.append(Event(kind: "clock_unsynchronised", timestamp: now - correction, labels: ["agent": agent.id],
                                text: "\(agent.hostname.isEmpty ? agent.id : agent.hostname): clock off by \(correction / 1000) s and not NTP-synchronised; timestamps corrected"))
        }
        let outcome = try await store.ingest(IngestBatch(
            agentID: agent.id, site: agent.site, batchID: id, catalog: batch.catalog, definitions: batch.definitions,
            series: batch.series, events: events, clockCorrection: correction, path: batch.path))
        switch outcome {
        case let .stored(samples):
            counters.update {
                $0.batches += 1
                $0.samples += samples
                if correction != 0 { $0.clockCorrected += 1 }
            }
            stored(agent, batch.path)
            return Reply.json(["batch": id, "stored": samples, "clock_correction_ms": correction])
        case .duplicate:
            counters.update { $0.duplicates += 1 }
            return Reply.json(["batch": id, "stored": 0, "duplicate": true])
        case let .unknownSeries(ids):
            return Reply.error(.conflict, "unknown series", extra: ["series": Array(ids.prefix(20))])
        }
    }
}
