import ArgumentParser
import Foundation
import KeyInCore

/// `keyin errors`: the error catalog, for people (text), programs (JSON) and the README (Markdown).
package struct ErrorsCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "errors",
        abstract: "Print the error catalog: every code KeyIn can return, with its retry rule and messages."
    )

    enum Format: String, EnumerableFlag {
        case text, json, markdown
    }

    @Flag(help: "Output format.")
    var format: Format = .text

    package init() {}

    package func run() async throws {
        execute(io: .standard)
    }

    package func execute(io: CommandIO) {
        switch format {
        case .text: io.write(CatalogRendering.text())
        case .json: io.write(CatalogRendering.json())
        case .markdown: io.write(CatalogRendering.markdownTable())
        }
    }
}

/// The catalog in the forms `keyin errors` prints.
package enum CatalogRendering {
    struct EntryJSON: Encodable {
        let code: String
        let category: String
        let httpStatus: Int
        let retry: String
        let retryable: Bool
        let retryAfterSeconds: Int?
        let explanation: LocalizedText
        let customerMessage: LocalizedText
        let helpPageId: String

        init(_ entry: CatalogEntry) {
            code = entry.code.rawValue
            category = entry.category.rawValue
            httpStatus = entry.httpStatus
            retry = entry.retry.token
            retryable = entry.retry.isRetryable
            if case .afterDelay(let seconds) = entry.retry {
                retryAfterSeconds = seconds
            } else {
                retryAfterSeconds = nil
            }
            explanation = entry.explanation
            customerMessage = entry.customerMessage
            helpPageId = entry.helpPageID
        }
    }

    package static func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(ErrorCatalog.entries.map(EntryJSON.init)), as: UTF8.self)
    }

    package static func text() -> String {
        let entries = ErrorCatalog.entries
        let codeWidth = entries.map(\.code.rawValue.count).max() ?? 0
        let categoryWidth = entries.map(\.category.rawValue.count).max() ?? 0
        let retryWidth = entries.map(\.retry.token.count).max() ?? 0
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: width - text.count) }
        var lines = [
            [pad("CODE", codeWidth), pad("CATEGORY", categoryWidth), "HTTP", pad("RETRY", retryWidth), "고객 안내"]
                .joined(separator: "  ")
        ]
        for entry in entries {
            lines.append(
                [
                    pad(entry.code.rawValue, codeWidth), pad(entry.category.rawValue, categoryWidth),
                    pad(String(entry.httpStatus), 4), pad(entry.retry.token, retryWidth), entry.customerMessage.ko,
                ]
                .joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// The table README.md shows; a test keeps the README in step with the catalog.
    package static func markdownTable() -> String {
        var lines = [
            "| Code | Category | HTTP | Retry | 고객 안내 | Customer message |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for entry in ErrorCatalog.entries {
            let cells = [
                "`\(entry.code.rawValue)`", entry.category.rawValue, String(entry.httpStatus), entry.retry.token,
                entry.customerMessage.ko, entry.customerMessage.en,
            ]
            lines.append(
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
