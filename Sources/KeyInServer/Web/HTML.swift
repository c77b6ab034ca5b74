import Foundation

/// Markup whose interpolated strings are escaped unless they are `HTML` themselves, so text a merchant or customer
/// typed (an order name, a cancel reason) can never become markup on a page.
struct HTML: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable {
    private(set) var markup: String

    init(stringLiteral value: String) { markup = value }
    init(unsafeRaw markup: String) { self.markup = markup }

    init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    var description: String { markup }

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { markup += literal }
        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        mutating func appendInterpolation(_ number: Int64) { markup += String(number) }
        mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        mutating func appendInterpolation(_ parts: [HTML]) { markup += parts.map(\.markup).joined() }
        mutating func appendInterpolation(_ html: HTML?) { markup += html?.markup ?? "" }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A JSON value for a `<script type="application/json">` block: `<` escaped so no string can close the tag.
    static func jsonScript(_ value: some Encodable) -> HTML {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return HTML(unsafeRaw: json.replacingOccurrences(of: "<", with: "\\u003c"))
    }
}
