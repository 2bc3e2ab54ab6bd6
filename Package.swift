// swift-tools-version:6.0
import PackageDescription

// The agent side links no NIO and no server framework: it runs on old commune PCs.
let package = Package(
    name: "CommuneWatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "commune-agent", targets: ["commune-agent"]),
        .executable(name: "commune-collector", targets: ["commune-collector"]),
    ],
    dependencies: [
        // Foundation-free: the agent stays small.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The collector side only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .target(name: "WatchModel"),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CNetSNMP",
            pkgConfig: "netsnmp",
            providers: [.apt(["libsnmp-dev"])]
        ),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Deflate", dependencies: ["CZlib"]),
        .systemLibrary(name: "CLinux"),
        .target(name: "Threads"),
        .target(name: "SNMP", dependencies: ["CNetSNMP"]),
        .target(name: "Curl", dependencies: ["CCurl", "Threads"]),
        .target(name: "Probes", dependencies: ["WatchModel", "Curl", "SNMP", "Threads"]),
        // A TOML 1.0 reader that keeps lines: the agent's configuration and the collector's probe lists.
        .target(name: "TOML", dependencies: ["WatchModel"]),
        .target(name: "AgentRuntime", dependencies: [
            "TOML", "WatchModel", "Probes", "SNMP", "SQLite", "Deflate", "Curl", "CLinux", .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(
            name: "commune-agent",
            dependencies: ["AgentRuntime", "CLinux"]
        ),
        // The collector: stores behind protocols, SQLite by default; only CollectorServer knows Hummingbird.
        // _CryptoExtras: scrypt for staff passwords.
        .target(name: "Storage", dependencies: [
            "WatchModel", "Deflate", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "SQLiteStorage", dependencies: ["Storage", "WatchModel", .product(name: "GRDB", package: "GRDB.swift")]),
        // The same store on PostgreSQL, for deployments with several collectors.
        .target(name: "PostgresStorage", dependencies: [
            "Storage", "WatchModel", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        // Alert rules, incidents, grouping and routing: no I/O, time passed in.
        .target(name: "Alerting", dependencies: ["WatchModel", "Storage", .product(name: "Yams", package: "Yams")]),
        // One file per channel; HTTP through the project's libcurl wrapper.
        // Messages from the templates under alerts/templates/ (Mustache).
        .target(name: "Notifiers", dependencies: ["Alerting", "WatchModel", "Curl", .product(name: "Mustache", package: "swift-mustache")]),
        // Planner report: per-site figures over a period, upgrade priority score; reads through the store protocols.
        .target(name: "Reports", dependencies: ["WatchModel", "Storage"]),
        .target(name: "CollectorServer", dependencies: [
            "Storage", "Reports", "SQLiteStorage", "PostgresStorage", "Alerting", "Notifiers", "WatchModel", "Deflate", "TOML", "Curl", "Threads",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"), .product(name: "SwiftCSV", package: "SwiftCSV"),
        ]),
        // A simulated province put into a running collector through its HTTP API (`commune-collector demo`).
        .target(name: "DemoProvince", dependencies: ["WatchModel", "Deflate", "Curl"]),
        .executableTarget(name: "commune-collector", dependencies: [
            "CollectorServer", "Reports", "DemoProvince", "WatchModel", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Test peers (HTTPS, DNS, network namespaces) shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "WatchModelTests", dependencies: ["WatchModel", "Deflate"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes", "Curl", "SNMP", "TestSupport"]),
        .testTarget(name: "CollectorTests", dependencies: ["CollectorServer", "Reports", "DemoProvince", "SQLiteStorage", "PostgresStorage", "Storage", "WatchModel", "Deflate", "TestSupport"]),
        .testTarget(name: "NotifiersTests", dependencies: ["Notifiers", "Alerting", "Curl", "WatchModel", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Storage", "WatchModel"]),
        .testTarget(name: "AlertingTests", dependencies: ["Alerting", "Storage", "WatchModel", "TestSupport"]),
        .testTarget(name: "AgentRuntimeTests", dependencies: ["AgentRuntime", "TOML", "Probes", "SNMP", "SQLite", "TestSupport"], exclude: ["Fixtures"]),
    ]
)
