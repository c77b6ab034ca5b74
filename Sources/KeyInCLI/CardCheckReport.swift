import Foundation
import KeyInCore

/// What `keyin card check` prints about one card: never the full number.
struct CardCheckReport: Encodable {
    struct Company: Encodable {
        let code: String
        let name: LocalizedText
    }

    struct Problem: Encodable {
        let field: String
        let code: String
        let message: LocalizedText
    }

    /// The input line, when checking a list from standard input.
    let line: Int?
    let valid: Bool
    let maskedNumber: String?
    let brand: String?
    let brandName: LocalizedText?
    let company: Company?
    let expiry: String?
    let problems: [Problem]

    init(_ check: CardEntryCheck, line: Int? = nil) {
        self.line = line
        self.valid = check.isValid
        self.maskedNumber = check.maskedNumber
        self.brand = check.brand?.rawValue
        self.brandName = check.brand?.displayName
        self.company = check.company.map { Company(code: $0.code, name: $0.name) }
        self.expiry = check.expiry?.display
        self.problems = check.problems.map {
            Problem(field: $0.field.rawValue, code: $0.code.rawValue, message: $0.message)
        }
    }

    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        var rows: [(String, String)] = []
        rows.append(("카드번호 number", maskedNumber ?? "-"))
        rows.append(("브랜드 brand", brandName.map { "\($0.ko) · \($0.en)" } ?? "-"))
        rows.append(("카드사 company", company.map { "\($0.name.ko) · \($0.name.en) (\($0.code))" } ?? "-"))
        if let expiry { rows.append(("유효기간 expiry", expiry)) }
        rows.append(
            (
                "결과 result",
                valid
                    ? "이상 없음 · valid"
                    : "문제 \(problems.count)건 · \(problems.count) problem\(problems.count == 1 ? "" : "s")"
            ))
        let width = rows.map { $0.0.displayWidth }.max() ?? 0
        var lines = rows.map { label, value in
            label + String(repeating: " ", count: width - label.displayWidth + 2) + value
        }
        for problem in problems {
            lines.append("- \(problem.field) \(problem.code)")
            lines.append("  \(problem.message.ko)")
            lines.append("  \(problem.message.en)")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Columns a terminal uses for the text: Hangul and other wide characters take two.
    var displayWidth: Int {
        unicodeScalars.reduce(0) { width, scalar in
            let wide =
                (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFF00...0xFF60).contains(scalar.value)
            return width + (wide ? 2 : 1)
        }
    }
}
