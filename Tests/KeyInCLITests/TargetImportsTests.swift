import Foundation
import Testing

/// Every target declares what it imports: a module a file imports is one of its target's dependencies in
/// Package.swift (or the system's), never one it only reaches through another target.
@Suite("Package targets")
struct TargetImportsTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let systemModules: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Synchronization", "Dispatch", "Glibc", "Darwin",
        "System", "Testing", "XCTest",
    ]

    /// Target name to the modules it may import, read from Package.swift.
    static func declaredDependencies() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var targets: [String: Set<String>] = [:]
        // Each target's declaration runs from its `.target(` to the next one.
        let starts = manifest.ranges(of: /\n        \.(?:target|executableTarget|testTarget)\(/).map(\.lowerBound)
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : manifest.endIndex
            let declaration = String(manifest[start..<end])
            guard let name = declaration.firstMatch(of: /name: "(\w+)"/)?.1 else { continue }
            let body = declaration.components(separatedBy: "resources:")[0]
                .replacingOccurrences(of: "name: \"\(name)\"", with: "")
            var modules = Set(body.matches(of: /"(\w+)"(?=[,\]\s])/).map { String($0.1) })
            modules.formUnion(body.matches(of: /\.product\(name: "(\w+)"/).map { String($0.1) })
            targets[String(name)] = modules
        }
        return targets
    }

    @Test("No target imports a module it does not declare")
    func importsAreDeclared() throws {
        let targets = try Self.declaredDependencies()
        #expect(targets.keys.contains("KeyInPersistence") && targets.keys.contains("KeyInGateway"))
        var undeclared: [String] = []
        for (target, declared) in targets {
            let folder = ["Sources", "Tests", "Benchmarks"].map {
                Self.root.appendingPathComponent($0).appendingPathComponent(target)
            }
            .first { FileManager.default.fileExists(atPath: $0.path) }
            guard let folder else {
                undeclared.append("\(target): no folder")
                continue
            }
            let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter {
                $0.hasSuffix(".swift")
            }
            var imported: Set<String> = []
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    guard let match = line.firstMatch(of: /^\s*(?:@testable )?import (?:struct |enum |class )?(\w+)/)
                    else { continue }
                    let module = String(match.1)
                    imported.insert(module)
                    if !declared.contains(module) && !Self.systemModules.contains(module) && module != target {
                        undeclared.append("\(target)/\(file) imports \(module)")
                    }
                }
            }
            // The other way round for the project's own targets: one declared is one used.
            for dependency in declared.intersection(targets.keys) where !imported.contains(dependency) {
                undeclared.append("\(target) declares \(dependency) but imports it nowhere")
            }
        }
        #expect(undeclared.isEmpty, "\(undeclared.sorted().joined(separator: "\n"))")
    }

    @Test(
        "Only KeyInPersistence and the composition (KeyInApp) import Fluent; domain targets import neither it nor Vapor"
    )
    func fluentStaysInPersistence() throws {
        let targets = try Self.declaredDependencies()
        let fluent: Set<String> = ["Fluent", "FluentKit", "FluentSQL", "FluentSQLiteDriver", "FluentPostgresDriver"]
        for (target, declared) in targets where !target.hasSuffix("Tests") {
            if !["KeyInPersistence", "KeyInApp"].contains(target) {
                #expect(declared.isDisjoint(with: fluent), "\(target) depends on Fluent")
            }
        }
        for domain in [
            "KeyInCore", "ISO8583", "ISO8583Transport", "CardNetworkLink", "CardVault", "CardholderAuthentication",
        ] {
            #expect(targets[domain]?.isDisjoint(with: fluent.union(["Vapor"])) == true, "\(domain)")
        }
    }
}
