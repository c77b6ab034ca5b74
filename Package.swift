// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "KeyIn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keyin", targets: ["keyin"]),
        .library(name: "KeyInCore", targets: ["KeyInCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/pointfreeco/swift-tagged", from: "0.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(
            url: "https://github.com/apple/swift-configuration", from: "1.4.0",
            traits: [.defaults, "CommandLineArguments"]),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        // Vapor's own HTTP client, used directly for webhooks: it can connect to an address vetted beforehand.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
        .package(url: "https://github.com/vapor/fluent", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.14.0"),
        // Benchmarks/ only: timings with allocation counts (`swift package benchmark`).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Tests only: reading openapi.yaml to check responses against it.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // Card rules, money and the error catalog. Foundation only, so a merchant's server or an iOS app can
        // run the same checks the gateway runs.
        .target(
            name: "KeyInCore",
            dependencies: [.product(name: "Tagged", package: "swift-tagged")],
            resources: [.copy("Resources/card-bins.csv")]
        ),
        // ISO 8583:1987 messages as KeyIn and card-company hosts exchange them: element table, pack and unpack.
        .target(name: "ISO8583"),
        // The NIO handlers both ends of a card-network connection use: framing and the message codec.
        .target(
            name: "ISO8583Transport",
            dependencies: ["ISO8583", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The gateway's side of the card network: connections, timeouts, reversals, circuit breakers.
        .target(
            name: "CardNetworkLink",
            dependencies: [
                "KeyInCore", "ISO8583", "ISO8583Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A hand-driven clock for tests of timeouts, backoffs and breaker pauses.
        .target(name: "CardNetworkLinkTesting", dependencies: ["CardNetworkLink"]),
        // 3-D Secure between the gateway and a card company's access control server: the messages, their
        // signature, the routes (docs/three-d-secure.md).
        .target(
            name: "CardholderAuthentication",
            dependencies: ["KeyInCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // A card-company host: accounts, ledger, maintenance windows and fault injection, for tests and demos; and
        // its access control server for 3-D Secure.
        .target(
            name: "IssuerSimulator",
            dependencies: [
                "KeyInCore", "ISO8583", "ISO8583Transport", "CardholderAuthentication",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/issuer-default.json")]
        ),
        // Card data at rest: envelope encryption (AES-256-GCM data keys wrapped by a master key) and fingerprints.
        .target(
            name: "CardVault",
            dependencies: ["KeyInCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The only place that talks to the database: Fluent models, the numbered migrations and their lock, the
        // stores the server reads and writes through, conditional updates. SQLite and PostgreSQL alike.
        .target(
            name: "KeyInPersistence",
            dependencies: [
                "KeyInCore", "CardNetworkLink", "CardVault", "CardholderAuthentication",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // What the gateway does, whoever asks: key-in payments, cancels and captures, crash recovery, payment
        // links, the message and webhook outboxes, merchants and their keys, console members, support, settings;
        // GatewayServices composes them over the stores. Vapor for its types (HTTPHeaders, Bcrypt, WebSocket), never
        // Fluent: the database is KeyInPersistence's.
        .target(
            name: "KeyInGateway",
            dependencies: [
                "KeyInCore", "ISO8583", "CardNetworkLink", "CardVault", "KeyInPersistence", "CardholderAuthentication",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        // The merchant API: JSON controllers, authentication by secret key, Idempotency-Key, error rendering, the
        // one checkout, and openapi.yaml.
        .target(
            name: "KeyInAPI",
            dependencies: [
                "KeyInCore", "CardVault", "KeyInPersistence", "KeyInGateway",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        // The pages customers meet: the hosted key-in page, receipts, help, and their assets.
        .target(
            name: "KeyInPages",
            dependencies: [
                "KeyInCore", "KeyInPersistence", "KeyInGateway", "KeyInAPI", "CardholderAuthentication",
                .product(name: "Vapor", package: "vapor"),
            ],
            resources: [.copy("Resources/Public")]
        ),
        // The merchant console: sign-in, dashboard, payments, virtual terminal, links, webhooks, keys, staff,
        // inquiries and settings; and the catalog's error pages for browsers.
        .target(
            name: "KeyInConsole",
            dependencies: [
                "KeyInCore", "KeyInPersistence", "KeyInGateway", "KeyInAPI", "KeyInPages",
                .product(name: "Vapor", package: "vapor"),
            ]
        ),
        // Customers' support over HTTP: feedback, inquiries and the live-chat sockets.
        .target(
            name: "KeyInSupport",
            dependencies: [
                "KeyInCore", "KeyInPersistence", "KeyInGateway", "KeyInAPI", "KeyInPages", "KeyInConsole",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        // The running gateway: configure (database, migrations, middleware, routes), the runtime and its services
        // on swift-service-lifecycle.
        .target(
            name: "KeyInApp",
            dependencies: [
                "KeyInCore", "CardNetworkLink", "CardVault", "KeyInPersistence", "KeyInGateway", "KeyInAPI",
                "KeyInPages", "KeyInConsole", "KeyInSupport", "CardholderAuthentication",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `keyin` command tree, kept in a library so tests drive it exactly as the executable does.
        .target(
            name: "KeyInCLI",
            dependencies: [
                "KeyInCore", "ISO8583", "CardNetworkLink", "IssuerSimulator", "KeyInApp", "KeyInGateway",
                "CardholderAuthentication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "keyin", dependencies: ["KeyInCLI"]),
        // `swift package benchmark`: the card rules, the codec, the vault, the decision point and one whole key-in
        // payment through the handler stack, each with its allocations counted.
        .executableTarget(
            name: "KeyInBenchmarks",
            dependencies: [
                "KeyInCore", "ISO8583", "CardVault", "KeyInGateway", "KeyInPersistence", "KeyInApp",
                "IssuerSimulator", "CardNetworkLink",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/KeyInBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .testTarget(
            name: "KeyInCoreTests",
            dependencies: [
                "KeyInCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ISO8583Tests",
            dependencies: [
                "ISO8583", "ISO8583Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // The tests' way of starting and stopping programs (keyin, Python scripts).
        .target(
            name: "ChildProcesses",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                // Its file descriptors and paths; Apple's platforms have them as the system's System.
                .product(name: "SystemPackage", package: "swift-system", condition: .when(platforms: [.linux])),
            ],
            path: "Tests/ChildProcesses"
        ),
        .testTarget(
            name: "CardNetworkLinkTests",
            dependencies: [
                "CardNetworkLink", "CardNetworkLinkTesting", "IssuerSimulator", "ISO8583", "KeyInCore",
                "ChildProcesses",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IssuerSimulatorTests",
            dependencies: ["IssuerSimulator", "ISO8583", "KeyInCore", "CardholderAuthentication"]
        ),
        .testTarget(
            name: "KeyInAppTests",
            dependencies: [
                "KeyInApp", "KeyInGateway", "KeyInAPI", "KeyInPages", "KeyInConsole", "KeyInSupport",
                "KeyInPersistence",
                "CardNetworkLink", "CardNetworkLinkTesting", "IssuerSimulator", "CardVault", "KeyInCore", "ISO8583",
                "CardholderAuthentication",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "CardVaultTests",
            dependencies: ["CardVault", "KeyInCore"]
        ),
        .testTarget(
            name: "KeyInCLITests",
            dependencies: [
                "KeyInCLI", "KeyInCore", "KeyInGateway", "KeyInApp", "IssuerSimulator", "ChildProcesses",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
