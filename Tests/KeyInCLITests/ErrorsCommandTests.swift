import Foundation
import KeyInCLI
import KeyInCore
import Testing

@Suite("keyin errors")
struct ErrorsCommandTests {
    func run(_ arguments: [String]) throws -> String {
        let command = try #require(try KeyInCommand.parseAsRoot(["errors"] + arguments) as? ErrorsCommand)
        let captured = CapturedIO()
        command.execute(io: captured.io)
        return captured.output
    }

    @Test("--json lists every code with its rule and both messages")
    func json() throws {
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(try run(["--json"]).utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["code"] as? String } == ErrorCode.allCases.map(\.rawValue))
        let maintenance = try #require(entries.first { $0["code"] as? String == "NOT_AVAILABLE_PAYMENT" })
        #expect(maintenance["category"] as? String == "maintenance")
        #expect(maintenance["retryable"] as? Bool == true)
        #expect(maintenance["helpPageId"] as? String == "not-available-payment")
        #expect((maintenance["customerMessage"] as? [String: String])?["ko"]?.contains("{retryAt}") == true)
    }

    @Test("The text table has a row per code")
    func text() throws {
        let lines = try run([]).split(separator: "\n")
        #expect(lines.count == ErrorCode.allCases.count + 1)
        #expect(lines.contains { $0.hasPrefix("REJECT_CARD_COMPANY ") && $0.contains("card_company_policy") })
    }

    @Test("docs/api.md shows the catalog exactly as the code defines it")
    func documentedTableIsCurrent() throws {
        let document = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs").appendingPathComponent("api.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        #expect(
            text.contains(try run(["--markdown"])),
            "docs/api.md's catalog table is stale: run `swift run keyin errors --markdown`")
    }
}
