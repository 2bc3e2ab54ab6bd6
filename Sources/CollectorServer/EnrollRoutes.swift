import Hummingbird
import Storage

/// `POST /api/v1/enroll`: a one-time site token becomes an agent's own credentials (docs/protocol.md).
struct EnrollRoutes {
    let access: any AccessStore

    func add(to router: Router<BasicRequestContext>) {
        router.post("/api/v1/enroll") { request, _ -> Response in
            let object: [String: Any]
            do { object = try await Reply.object(request, limit: 16 << 10) } catch let refusal as Refusal { return refusal.reply }
            guard let token = object["token"] as? String, !token.isEmpty else {
                return Reply.error(.badRequest, "'token' (string) is missing")
            }
            let hostname = (object["hostname"] as? String).map { String($0.prefix(255)) } ?? ""
            guard let (agent, secret) = try await access.enroll(token: token, hostname: hostname) else {
                return Reply.error(.unauthorized, "unknown, expired or already used token")
            }
            return Reply.json(["agent_id": agent.id, "site": agent.site, "secret": secret], status: .created)
        }
    }
}
