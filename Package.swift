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
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Card rules, money and the error catalog. Foundation only, so a merchant's server or an iOS app can
        // run the same checks the gateway runs.
        .target(
            name: "KeyInCore",
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
        // A card-company host: accounts, ledger, maintenance windows and fault injection, for tests and demos.
        .target(
            name: "IssuerSimulator",
            dependencies: [
                "KeyInCore", "ISO8583", "ISO8583Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/issuer-default.json")]
        ),
        // The `keyin` command tree, kept in a library so tests drive it exactly as the executable does.
        .target(
            name: "KeyInCLI",
            dependencies: [
                "KeyInCore", "ISO8583", "CardNetworkLink", "IssuerSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "keyin", dependencies: ["KeyInCLI"]),
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
        .testTarget(
            name: "CardNetworkLinkTests",
            dependencies: [
                "CardNetworkLink", "IssuerSimulator", "ISO8583", "KeyInCore",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IssuerSimulatorTests",
            dependencies: ["IssuerSimulator", "ISO8583", "KeyInCore"]
        ),
        .testTarget(
            name: "KeyInCLITests",
            dependencies: ["KeyInCLI", "KeyInCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
