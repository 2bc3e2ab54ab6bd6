import Hummingbird
import Storage
import WatchModel

/// The admin API: sites, one-time enrollment tokens, revoking agents. Needs the admin token or a
/// signed-in admin.
struct AdminRoutes {
    let access: any AccessStore
    let staff: StaffAuthentication

    func add(to router: Router<BasicRequestContext>) {
        router.post("/api/v1/admin/sites", use: staff.allow(.manageSites) { request, _, _ -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request) } catch let refusal as Refusal { return refusal.reply }
            let site: Site
            do { site = try SiteFields.site(from: object) } catch let refusal as Refusal { return refusal.reply }
            try await access.upsert(site)
            return Reply.json(["site": site.code], status: .created)
        })
        router.get("/api/v1/admin/sites", use: staff.allow(.manageSites) { request, _, _ -> Response in
            return Reply.json(["sites": try await access.sites().map(SiteFields.object)])
        })
        router.post("/api/v1/admin/sites/import", use: staff.allow(.manageSites) { request, _, _ -> Response in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: 8 << 20) } catch {
                return Reply.error(.contentTooLarge, "the site list is larger than 8 MB")
            }
            guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
                return Reply.error(.badRequest, "the site list is not UTF-8 text")
            }
            do {
                let sites = try SiteRegistryCSV.sites(from: text, source: "the uploaded list")
                for site in sites { try await access.upsert(site) }
                return Reply.json(["imported": sites.count])
            } catch let error as ImportError {
                return Reply.error(.unprocessableContent, error.description)
            }
        })
        router.get("/api/v1/admin/sites.csv", use: staff.allow(.manageSites) { request, _, _ -> Response in
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: SiteRegistryCSV.text(try await access.sites()))))
        })
        router.post("/api/v1/admin/tokens", use: staff.allow(.manageSites) { request, _, _ -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request) } catch let refusal as Refusal { return refusal.reply }
            guard let site = object["site"] as? String else { return Reply.error(.badRequest, "'site' (string) is missing") }
            guard try await access.site(site) != nil else { return Reply.error(.notFound, "no site '\(site)' in the registry") }
            let hours = object["valid_hours"] as? Int ?? 72
            guard (1...24 * 90).contains(hours) else { return Reply.error(.unprocessableContent, "'valid_hours' must be 1…2160") }
            let token = try await access.createEnrollmentToken(site: site, validForSeconds: hours * 3600)
            return Reply.json(["token": token, "site": site, "valid_hours": hours], status: .created)
        })
        router.post("/api/v1/admin/agents/:id/revoke", use: staff.allow(.manageSites) { request, context, _ -> Response in
            let id = context.parameters.get("id") ?? ""
            guard try await access.revoke(agentID: id) else { return Reply.error(.notFound, "no agent '\(id)' (or already revoked)") }
            return Reply.json(["revoked": id])
        })
    }

    static let refused = Reply.error(.unauthorized, "the admin API needs 'Authorization: Bearer ADMIN_TOKEN'")
}

/// Sites to and from JSON objects (the admin API) with errors that name the field.
enum SiteFields {
    static func site(from object: [String: Any]) throws(Refusal) -> Site {
        guard let code = object["code"] as? String, !code.isEmpty, code.utf8.count <= 64 else {
            throw Refusal(.unprocessableContent, "'code' (string, 1–64 bytes) is missing")
        }
        guard let name = object["name"] as? String, !name.isEmpty else { throw Refusal(.unprocessableContent, "'name' (string) is missing") }
        let kindText = object["kind"] as? String ?? "commune"
        guard let kind = Site.Kind(rawValue: kindText) else {
            throw Refusal(.unprocessableContent, "'kind' must be one of \(Site.Kind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(kindText)'")
        }
        let latitude = object["latitude"] as? Double, longitude = object["longitude"] as? Double
        if let latitude, !(-90...90).contains(latitude) { throw Refusal(.unprocessableContent, "'latitude' must be within -90…90") }
        if let longitude, !(-180...180).contains(longitude) { throw Refusal(.unprocessableContent, "'longitude' must be within -180…180") }
        return Site(code: code, name: name, kind: kind, district: object["district"] as? String ?? "",
                             province: object["province"] as? String ?? "", latitude: latitude, longitude: longitude,
                             upstream: object["upstream"] as? String ?? "", team: object["team"] as? String ?? "",
                             contacts: object["contacts"] as? String ?? "")
    }

    static func object(_ site: Site) -> [String: Any] {
        var object: [String: Any] = ["code": site.code, "name": site.name, "kind": site.kind.rawValue, "district": site.district,
                                     "province": site.province, "upstream": site.upstream, "team": site.team, "contacts": site.contacts]
        if let latitude = site.latitude { object["latitude"] = latitude }
        if let longitude = site.longitude { object["longitude"] = longitude }
        return object
    }
}
