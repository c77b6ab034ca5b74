import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// The JSON body of every error the API returns, straight from the catalog.
package struct ErrorBody: Content {
    package struct Problem: Content {
        package let param: String
        package let code: String
        package let message: String

        package init(param: String, code: String, message: String) {
            self.param = param
            self.code = code
            self.message = message
        }
    }

    package let code: String
    /// In the language `Accept-Language` asks for (Korean unless English is preferred).
    package let message: String
    package let category: String
    package let retryable: Bool
    /// Seconds until the same request can succeed.
    package let retryAfter: Int?
    package let customerMessage: LocalizedText
    package let helpUrl: String
    package let param: String?
    /// Every field problem, when the request had several.
    package let problems: [Problem]?
    /// The payment the failure belongs to, when one was recorded (it is then ABORTED).
    package let paymentKey: String?

    package init(
        code: String, message: String, category: String, retryable: Bool, retryAfter: Int?,
        customerMessage: LocalizedText, helpUrl: String, param: String?, problems: [Problem]?, paymentKey: String?
    ) {
        self.code = code
        self.message = message
        self.category = category
        self.retryable = retryable
        self.retryAfter = retryAfter
        self.customerMessage = customerMessage
        self.helpUrl = helpUrl
        self.param = param
        self.problems = problems
        self.paymentKey = paymentKey
    }
}

/// An error with the extra context a response can carry.
package struct APIError: Error {
    package let error: KeyInError
    package var problems: [FieldProblem] = []
    package var paymentKey: String?

    package init(error: KeyInError, problems: [FieldProblem] = [], paymentKey: String? = nil) {
        self.error = error
        self.problems = problems
        self.paymentKey = paymentKey
    }
}

extension DecodingError {
    /// The JSON field at fault.
    package var fieldName: String? {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        return path.isEmpty ? nil : path.map(\.stringValue).joined(separator: ".")
    }
}

/// JSON as the API writes it: dates in Seoul time with their offset, as Korean PGs send them.
package enum JSONCoding {
    /// `value` as the API writes it. The API's own types always encode.
    package static func string(_ value: some Encodable) -> String {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(SeoulTimestamp.string(date))
        }
        return encoder
    }()
}

package enum SeoulTimestamp {
    /// `2026-11-24T21:05:09+09:00`.
    package static func string(_ date: Date) -> String {
        let parts = SeoulTime.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d+09:00", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
