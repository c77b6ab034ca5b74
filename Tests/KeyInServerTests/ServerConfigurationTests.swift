import Foundation
import KeyInServer
import Testing

@Suite("keyin serve's settings from the environment")
struct ServerConfigurationTests {
    func load(_ environment: [String: String]) throws -> ServerConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-config-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try ServerConfiguration.load(
            environment: environment, dataDirectory: directory.path, hostname: "127.0.0.1", port: 8080)
    }

    @Test("Webhooks to internal addresses: allowed on the embedded defaults, refused with DATABASE_URL, as set")
    func internalWebhookTargets() throws {
        #expect(try load([:]).allowInternalWebhookTargets)
        let production = ["DATABASE_URL": "postgres://keyin:secret@db.example/keyin"]
        #expect(try load(production).allowInternalWebhookTargets == false)
        #expect(
            try load(production.merging(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "allow"]) { $1 }).allowInternalWebhookTargets
        )
        #expect(try load(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "deny"]).allowInternalWebhookTargets == false)
        #expect(throws: ConfigurationError.self) { try load(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "yes"]) }
    }
}
