import Foundation
import PostgresNIO

/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…` read into a client configuration.
enum DatabaseURL {
    static func parse(_ text: String) throws(DatabaseURLError) -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw DatabaseURLError("'\(redacted(text))' is not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { a, _ in a }
        guard let user = url.user, !user.isEmpty else { throw DatabaseURLError("'\(redacted(text))' names no user (postgres://USER@…)") }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        var configuration: PostgresClient.Configuration
        if let socket = query["host"], socket.hasPrefix("/") {
            // libpq's convention: a directory holding .s.PGSQL.PORT.
            configuration = .init(unixSocketPath: socket + "/.s.PGSQL.\(url.port ?? 5432)", username: user, password: url.password,
                                  database: database.isEmpty ? nil : database)
        } else {
            guard let host = url.host, !host.isEmpty else { throw DatabaseURLError("'\(redacted(text))' names no host") }
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            case let other: throw DatabaseURLError("sslmode '\(other)' is not one of disable, prefer, require")
            }
            configuration = .init(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: url.port ?? 5432,
                                  username: user, password: url.password, database: database.isEmpty ? nil : database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.maximumConnections = 16
        return configuration
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
