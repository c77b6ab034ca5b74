import Foundation
import KeyInApp
import KeyInGateway
import Testing

@Suite("keyin serve's settings, listed once")
struct SettingsCommandTests {
    @Test("keyin serve --help names every setting with its flag, environment variable and default")
    func helpListsEverySetting() async throws {
        let help = try await ExecutableTests().run(["serve", "--help"])
        #expect(help.status == 0)
        for setting in GatewaySetting.all {
            #expect(help.output.contains(setting.flag), "\(setting.flag) missing from keyin serve --help")
            #expect(help.output.contains(setting.environmentName), "\(setting.environmentName) missing")
        }
        #expect(help.output.contains("KEYIN_PUBLIC_URL") && help.output.contains("KEYIN_WEBHOOK_INTERNAL_TARGETS"))
    }

    @Test("docs/operations.md shows the settings exactly as keyin settings --markdown prints them")
    func documentedTableIsCurrent() async throws {
        let document = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs").appendingPathComponent("operations.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        let table = try await ExecutableTests().run(["settings", "--markdown"])
        #expect(table.status == 0)
        #expect(
            text.contains(table.output.trimmingCharacters(in: .newlines)),
            "docs/operations.md's settings table is stale: run `swift run keyin settings --markdown`")
    }

    @Test("A mistyped flag stops keyin serve with a usage error that names it")
    func unknownFlag() async throws {
        let result = try await ExecutableTests().run(["serve", "--prot", "8080"])
        #expect(result.status != 0)
    }
}
