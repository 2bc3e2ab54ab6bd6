import Foundation
import ArgumentParser
import CollectorServer

/// `commune-collector`: the provincial server that agents report to.
@main
struct CommuneCollector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commune-collector",
        abstract: "CommuneWatch collector: enrollment, ingest, storage and query for the commune agents.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self)
}

/// `serve`: runs the collector.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the collector (SQLite under --data, no configuration needed).")

    @Option(help: "Address to listen on, HOST:PORT (port 0: any free port, written to DATA/port).")
    var listen = "127.0.0.1:8470"

    @Option(help: "Directory for the database and the first admin token.")
    var data = "./data"

    func run() async throws {
        var settings = Collector.Settings()
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen '\(listen)' is not HOST:PORT")
        }
        settings.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        settings.port = port
        settings.dataDirectory = data
        try await Collector.serve(settings)
    }
}
