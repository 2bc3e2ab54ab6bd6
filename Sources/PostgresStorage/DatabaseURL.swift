import Foundation
import PostgresNIO

/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…` read into the pool's configuration and
/// into one plain connection's (tried first: the pool retries a failing server quietly forever,
/// a single connection fails at once with the server's own words).
struct DatabaseURL {
    var pool: PostgresClient.Configuration
    var probe: PostgresConnection.Configuration

    static func parse(_ text: String) throws -> DatabaseURL {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw DatabaseURLError("'\(redacted(text))' is not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { a, _ in a }
        guard let user = url.user, !user.isEmpty else { throw DatabaseURLError("'\(redacted(text))' names no user (postgres://USER@…)") }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let database = path.isEmpty ? nil : path
        var result: DatabaseURL
        if let socket = query["host"], socket.hasPrefix("/") {
            // libpq's convention: a directory holding .s.PGSQL.PORT.
            let file = socket + "/.s.PGSQL.\(url.port ?? 5432)"
            result = DatabaseURL(pool: .init(unixSocketPath: file, username: user, password: url.password, database: database),
                                 probe: .init(unixSocketPath: file, username: user, password: url.password, database: database))
        } else {
            guard let host = url.host, !host.isEmpty else { throw DatabaseURLError("'\(redacted(text))' names no host") }
            let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let port = url.port ?? 5432
            switch query["sslmode"] ?? "prefer" {
            case "disable":
                result = DatabaseURL(pool: .init(host: bare, port: port, username: user, password: url.password, database: database, tls: .disable),
                                     probe: .init(host: bare, port: port, username: user, password: url.password, database: database, tls: .disable))
            case let mode where ["prefer", "allow", "require", "verify-ca", "verify-full"].contains(mode):
                let required = !["prefer", "allow"].contains(mode)
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                result = DatabaseURL(
                    pool: .init(host: bare, port: port, username: user, password: url.password, database: database,
                                tls: required ? .require(.makeClientConfiguration()) : .prefer(.makeClientConfiguration())),
                    probe: .init(host: bare, port: port, username: user, password: url.password, database: database,
                                 tls: required ? .require(context) : .prefer(context)))
            case let other:
                throw DatabaseURLError("sslmode '\(other)' is not one of disable, prefer, require")
            }
        }
        result.pool.options.connectTimeout = .seconds(10)
        result.pool.options.maximumConnections = 16
        result.probe.options.connectTimeout = .seconds(10)
        return result
    }

    /// The URL without its password, for messages and logs.
    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }
}

/// A database URL that cannot be used, or a database that cannot be reached, and why.
public struct DatabaseURLError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
