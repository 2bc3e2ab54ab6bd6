#if canImport(Glibc)
import Glibc
#endif
import Curl
import Probes
import WatchModel

/// `commune-agent enroll`: trades a one-time site token for this agent's own credentials (docs/protocol.md).
public enum Enrollment {
    /// What enrollment stores, 0600, for `[collector] credentials = PATH`.
    public struct Credentials: Sendable, Hashable {
        public var url: String
        public var agentID: String
        public var site: String
        public var secret: String

        /// The bearer token of every later request.
        public var token: String { "\(agentID):\(secret)" }

        public var document: String {
            var json = JSONWriter()
            json.add("url", url)
            json.add("agent_id", agentID)
            json.add("site", site)
            json.add("secret", secret)
            return json.object
        }

        public init(url: String, agentID: String, site: String, secret: String) {
            self.url = url
            self.agentID = agentID
            self.site = site
            self.secret = secret
        }

        /// Reads a credentials file; nil when it is missing or not one.
        public static func load(_ path: String) -> Credentials? {
            guard let text = TextFile.read(path), let json = try? JSONValue.parse(text),
                  let url = json["url"]?.string, let id = json["agent_id"]?.string, let secret = json["secret"]?.string else { return nil }
            return Credentials(url: url, agentID: id, site: json["site"]?.string ?? "", secret: secret)
        }
    }

    /// A failed enrollment, said plainly.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Enrolls and writes the credentials to `path` with mode 0600.
    public static func enroll(collector url: String, token: String, hostname: String, caFile: String?, to path: String,
                              http: HTTPEngine = HTTPEngine()) async throws(Failure) -> Credentials {
        var request = CurlRequest(url: url.trimmingSuffixSlash() + "/api/v1/enroll")
        var body = JSONWriter()
        body.add("token", token)
        body.add("hostname", hostname)
        body.add("agent_version", AgentVersion.current)
        request.body = Array(body.object.utf8)
        request.headers = ["Content-Type: application/json", "Expect:"]
        request.caFile = caFile
        request.timeout = .seconds(30)
        request.followRedirects = false
        let response: CurlResponse
        do { response = try await http.perform(request) } catch {
            throw Failure(description: "cannot reach the collector at \(url): \(error.message)")
        }
        let reply = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self))
        guard response.status == 201 || response.status == 200 else {
            let reason = reply?["error"]?.string ?? "HTTP \(response.status)"
            throw Failure(description: response.status == 401
                ? "the collector refused the token (unknown, expired or already used): \(reason)"
                : "enrollment failed: \(reason)")
        }
        guard let id = reply?["agent_id"]?.string, let secret = reply?["secret"]?.string, !id.isEmpty, !secret.isEmpty else {
            throw Failure(description: "the collector's reply has no agent_id and secret")
        }
        let credentials = Credentials(url: url, agentID: id, site: reply?["site"]?.string ?? "", secret: secret)
        // Create with 0600 before writing: the secret never sits in a world-readable file.
        let old = umask(0o077)
        defer { umask(old) }
        guard TextFile.writeAtomically(credentials.document, to: path) else {
            throw Failure(description: "cannot write the credentials to \(path)")
        }
        chmod(path, 0o600)
        return credentials
    }
}

extension String {
    func trimmingSuffixSlash() -> String {
        var s = Substring(self)
        while s.last == "/" { s = s.dropLast() }
        return String(s)
    }
}
