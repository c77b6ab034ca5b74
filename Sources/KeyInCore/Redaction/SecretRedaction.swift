import Foundation

/// The last line of defence for log text: whatever a log line was about to show of a card or a credential is
/// starred out before it is written. The first line is not logging such things at all (card types print redacted,
/// request bodies are never logged); this catches what a library logs on its own — a request's headers, a body's
/// bytes in hex.
///
/// What it finds: card numbers (Luhn-valid runs of 13–19 digits, also as the hex of their ASCII digits, as a byte
/// buffer prints them), `Authorization` header values, secret keys (`test_sk_…`, `live_sk_…`), the console's session
/// cookie, and the card fields and passwords of a JSON or form body (`cardNumber`, `cardCvc`, `cardPassword`,
/// `customerIdentityNumber`, `password`, `vbv`).
public enum SecretRedaction {
    public static func redacted(_ text: String) -> String {
        var text = text
        for (pattern, replacement) in rules {
            text = pattern.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
        }
        return hexCardNumbersRedacted(CardNumberMasking.masked(text))
    }

    /// Names whose values are secret wherever they appear as `name: value`, `name=value` or `"name":"value"`.
    static let secretFields = ["cardNumber", "cardCvc", "cardPassword", "customerIdentityNumber", "password", "vbv"]

    // The templates keep what names the value and star out the value itself.
    nonisolated(unsafe) static let rules: [(NSRegularExpression, String)] = [
        (#"(?i)(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+"#, "$1$2 [redacted]"),
        (#"\b((?:test|live)_sk_)[A-Za-z0-9]+"#, "$1[redacted]"),
        (#"(keyin_console=)[^;\s"',\]]+"#, "$1[redacted]"),
        (#"("(?:\#(secretFields.joined(separator: "|")))"\s*:\s*)("[^"]*"|\{[^}]*\})"#, "$1\"[redacted]\""),
        (#"((?:^|[&?\s])(?:\#(secretFields.joined(separator: "|")))=)[^&\s]*"#, "$1[redacted]"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// Thirteen or more bytes `30`–`39` (ASCII digits) in hex, spaced or not. Compiled once: every log line runs it.
    nonisolated(unsafe) static let hexDigitRun = try! NSRegularExpression(pattern: #"(?:3[0-9] ?){13,}"#)

    /// A run of hex digits (bytes as a buffer dump shows them, with or without spaces between) whose bytes spell a
    /// card number in ASCII digits loses those bytes.
    static func hexCardNumbersRedacted(_ text: String) -> String {
        var result = text
        for match in hexDigitRun.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let range = Range(match.range, in: text) else { continue }
            // Each byte is `3d`: its second hex digit is the ASCII digit d.
            let hex = Array(text[range].filter { $0 != " " })
            let digits = String(stride(from: 1, to: hex.count, by: 2).map { hex[$0] })
            if CardNumberMasking.masked(digits) != digits {
                result.replaceSubrange(range, with: String(repeating: "*", count: text[range].count))
            }
        }
        return result
    }
}
