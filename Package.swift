// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "KeyIn",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "keyin", targets: ["keyin"]),
        .library(name: "KeyInCore", targets: ["KeyInCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Card rules, money and the error catalog. Foundation only, so a merchant's server or an iOS app can
        // run the same checks the gateway runs.
        .target(
            name: "KeyInCore",
            resources: [.copy("Resources/card-bins.csv")]
        ),
        // The `keyin` command tree, kept in a library so tests drive it exactly as the executable does.
        .target(
            name: "KeyInCLI",
            dependencies: [
                "KeyInCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
            name: "KeyInCLITests",
            dependencies: ["KeyInCLI", "KeyInCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
