import Foundation
import KeyInAPI
import KeyInGateway

/// Markup whose interpolated strings are escaped unless they are `HTML` themselves, so text a merchant or customer
/// typed (an order name, a cancel reason) can never become markup on a page.
package struct HTML: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable {
    private(set) var markup: String

    package init(stringLiteral value: String) { markup = value }
    package init(unsafeRaw markup: String) { self.markup = markup }

    package init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    package var description: String { markup }

    package struct Interpolation: StringInterpolationProtocol {
        package var markup = ""

        package init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }
        package mutating func appendLiteral(_ literal: String) { markup += literal }
        package mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        package mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        package mutating func appendInterpolation(_ number: Int64) { markup += String(number) }
        package mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        package mutating func appendInterpolation(_ parts: [HTML]) { markup += parts.map(\.markup).joined() }
        package mutating func appendInterpolation(_ html: HTML?) { markup += html?.markup ?? "" }
        /// An identifier (a payment key, an order id), escaped like any text.
        package mutating func appendInterpolation<Identifier: RawRepresentable>(_ identifier: Identifier)
        where Identifier.RawValue == String {
            markup += HTML.escape(identifier.rawValue)
        }
    }

    package static func escape(_ text: String) -> String {
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
    package static func jsonScript(_ value: some Encodable) -> HTML {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return HTML(unsafeRaw: json.replacingOccurrences(of: "<", with: "\\u003c"))
    }
}
