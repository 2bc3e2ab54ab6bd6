import Curl
import Foundation

/// How the commands reach a running collector's admin API: what lives only in the server's
/// memory (the evaluator's incidents and silences) cannot be changed through the database.
public struct AdminClient: Sendable {
    public let collector: String
    let token: String
    let http = CurlMulti()

    /// `collector`: `http(s)://HOST:PORT`; `token`: the admin token.
    public init(collector: String, token: String) {
        self.collector = collector.hasSuffix("/") ? String(collector.dropLast()) : collector
        self.token = token
    }

    /// The admin token: given, or from `COMMUNE_ADMIN_TOKEN`, or the file the server wrote under its data directory.
    public static func token(given: String?, dataDirectory: String) throws -> String {
        if let given, !given.isEmpty { return given }
        if let env = ProcessInfo.processInfo.environment["COMMUNE_ADMIN_TOKEN"], !env.isEmpty { return env }
        let file = dataDirectory + "/admin-token"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AdminClientError("no admin token: give --admin-token, set COMMUNE_ADMIN_TOKEN, or run where \(file) exists")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `id` made safe for one path segment (incident ids hold `|`, quotes and slashes).
    public static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? id
    }

    public func get(_ path: String) async throws -> [String: Any] { try await send(path, body: nil) }

    public func post(_ path: String, _ object: [String: Any]) async throws -> [String: Any] {
        try await send(path, body: [UInt8](try JSONSerialization.data(withJSONObject: object)))
    }

    /// The reply's JSON object; a refusal becomes an error carrying the collector's own words.
    func send(_ path: String, body: [UInt8]?) async throws -> [String: Any] {
        var request = CurlRequest(url: collector + path)
        request.body = body
        request.headers = ["Authorization: Bearer \(token)", "Content-Type: application/json", "Expect:"]
        request.timeout = .seconds(30)
        request.followRedirects = false
        request.userAgent = "commune-collector"
        let response: CurlResponse
        do { response = try await http.perform(request) } catch {
            throw AdminClientError("cannot reach the collector at \(collector): \(error.message)")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            throw AdminClientError("the collector answered \(response.status): \(object["error"] as? String ?? String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }
}

/// A command the collector refused or could not be asked.
public struct AdminClientError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
