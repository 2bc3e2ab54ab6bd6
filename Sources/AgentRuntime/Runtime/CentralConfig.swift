import Curl
import Probes
import WatchModel

/// The probe list a province publishes on its collector (portals, resolvers, upstream nodes), merged
/// over the agent's own file, so one change on the collector reaches 96 offices.
public enum CentralConfig {
    /// The local file with the collector's probes laid over it: a collector probe replaces a local one of
    /// the same name and adds the others. Agent and collector settings always come from the local file.
    public static func merge(local: AgentConfig, remote: AgentConfig?) -> AgentConfig {
        guard let remote else { return local }
        var merged = local
        let remoteNames = Set(remote.probes.map(\.spec.name))
        merged.probes = local.probes.filter { !remoteNames.contains($0.spec.name) } + remote.probes
        return merged
    }

    /// What a fetch came to.
    public enum Fetch: Sendable {
        case unchanged
        case updated(text: String, etag: String?)
        case failed(String)
    }

    /// A conditional GET of `/api/v1/config`.
    public static func fetch(_ settings: CollectorSettings, etag: String?, http: HTTPEngine) async -> Fetch {
        guard let endpoint = settings.endpoint() else { return .failed("not enrolled yet") }
        var request = CurlRequest(url: endpoint.url.trimmingSuffixSlash() + "/api/v1/config")
        request.headers = ["Authorization: Bearer \(endpoint.token)"] + (etag.map { ["If-None-Match: \($0)"] } ?? [])
        request.caFile = settings.caFile
        request.interface = settings.interface
        request.reuseConnection = true
        request.timeout = .seconds(30)
        request.followRedirects = false
        do {
            let response = try await http.perform(request)
            switch response.status {
            case 304: return .unchanged
            case 200: return .updated(text: String(decoding: response.body, as: UTF8.self), etag: response.headers["etag"])
            default: return .failed("HTTP \(response.status)")
            }
        } catch {
            return .failed(error.message)
        }
    }

    /// The last good copy kept next to the spool, and its ETag.
    public static func stored(at path: String) -> (text: String, etag: String?)? {
        guard let text = TextFile.read(path) else { return nil }
        let etag = TextFile.read(path + ".etag").map { String($0.filter { !$0.isNewline }) }
        return (text, etag)
    }

    /// Keeps a copy that parsed, so the agent runs from it when the collector cannot be reached.
    public static func store(_ text: String, etag: String?, at path: String) {
        _ = TextFile.writeAtomically(text, to: path)
        _ = TextFile.writeAtomically(etag ?? "", to: path + ".etag")
    }
}
