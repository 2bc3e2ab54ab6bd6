import Foundation
import Hummingbird
import Storage

/// JSON replies in one shape: a body object, or `{"error": "…"}` naming what was wrong.
enum Reply {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, extra: [String: Any] = [:]) -> Response {
        json(extra.merging(["error": message]) { a, _ in a }, status: status)
    }

    /// A JSON object from the request body, or a refusal naming what was wrong.
    static func object(_ request: Request, limit: Int = 1 << 20) async throws(Refusal) -> [String: Any] {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw Refusal(.contentTooLarge, "the body is larger than \(limit) bytes")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw Refusal(.badRequest, "the body is not a JSON object")
        }
        return object
    }
}

/// A request the collector will not serve, and why: becomes a 4xx reply.
struct Refusal: Error {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var reply: Response { Reply.error(status, message) }
}

extension AccessStore {
    /// The agent whose `Bearer AGENT_ID:SECRET` the request carries, or a 401 refusal.
    func agent(of request: Request) async throws -> AgentRecord {
        guard let token = request.bearerToken, let colon = token.firstIndex(of: ":") else {
            throw Refusal(.unauthorized, "missing 'Authorization: Bearer AGENT_ID:SECRET'")
        }
        guard let agent = try await authenticate(agentID: String(token[..<colon]), secret: String(token[token.index(after: colon)...])) else {
            throw Refusal(.unauthorized, "unknown agent, wrong secret, or a revoked agent")
        }
        return agent
    }

    /// Whether the request carries the admin token.
    func admits(_ request: Request) async throws -> Bool {
        guard let token = request.bearerToken else { return false }
        return try await isAdmin(token: token)
    }
}

extension Request {
    /// The token after `Bearer `, if any.
    var bearerToken: String? {
        guard let value = headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}
