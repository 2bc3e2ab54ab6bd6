import Hummingbird
import Storage

/// The probe list served to agents (`GET /api/v1/config`, conditional) and edited by the admin:
/// the province's list plus the site's additions.
struct ConfigRoutes {
    let access: any AccessStore

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/config") { request, _ -> Response in
            let agent: AgentRecord
            do { agent = try await access.agent(of: request) } catch let refusal as Refusal { return refusal.reply }
            let parts = [try await access.probeList(site: nil), try await access.probeList(site: agent.site)].compactMap { $0 }
            guard !parts.isEmpty else { return Reply.error(.notFound, "no probe list for site \(agent.site)") }
            let text = parts.joined(separator: "\n")
            let etag = ProbeList.etag(text)
            if request.headers[.ifNoneMatch] == etag {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            return Response(status: .ok, headers: [.contentType: "application/toml; charset=utf-8", .eTag: etag],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.put("/api/v1/admin/config") { request, _ -> Response in try await put(request, site: nil) }
        router.put("/api/v1/admin/config/:site") { request, context -> Response in
            try await put(request, site: context.parameters.get("site"))
        }
        router.get("/api/v1/admin/config") { request, _ -> Response in try await get(request, site: nil) }
        router.get("/api/v1/admin/config/:site") { request, context -> Response in
            try await get(request, site: context.parameters.get("site"))
        }
    }

    func put(_ request: Request, site: String?) async throws -> Response {
        guard try await access.admits(request) else { return AdminRoutes.refused }
        if let site, try await access.site(site) == nil { return Reply.error(.notFound, "no site '\(site)' in the registry") }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 1 << 20) } catch {
            return Reply.error(.contentTooLarge, "a probe list is at most 1 MB")
        }
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
            return Reply.error(.badRequest, "the probe list is not UTF-8 text")
        }
        let count: Int
        do { count = try ProbeList.check(text) } catch { return error.reply }
        try await access.setProbeList(site: site, toml: text.isEmpty ? nil : text)
        return Reply.json(["scope": site ?? "province", "probes": count])
    }

    func get(_ request: Request, site: String?) async throws -> Response {
        guard try await access.admits(request) else { return AdminRoutes.refused }
        guard let text = try await access.probeList(site: site) else {
            return Reply.error(.notFound, "no probe list for \(site.map { "site \($0)" } ?? "the province")")
        }
        return Response(status: .ok, headers: [.contentType: "application/toml; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
