import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// The JSON body of every error the API returns, straight from the catalog.
struct ErrorBody: Content {
    struct Problem: Content {
        let param: String
        let code: String
        let message: String
    }

    let code: String
    /// In the language `Accept-Language` asks for (Korean unless English is preferred).
    let message: String
    let category: String
    let retryable: Bool
    /// Seconds until the same request can succeed.
    let retryAfter: Int?
    let customerMessage: LocalizedText
    let helpUrl: String
    let param: String?
    /// Every field problem, when the request had several.
    let problems: [Problem]?
    /// The payment the failure belongs to, when one was recorded (it is then ABORTED).
    let paymentKey: String?
}

/// An error with the extra context a response can carry.
struct APIError: Error {
    let error: KeyInError
    var problems: [FieldProblem] = []
    var paymentKey: String?
}

enum ErrorRendering {
    /// Turns anything thrown into a catalog error. Unknown errors become FAILED_INTERNAL_SYSTEM_PROCESSING and
    /// are logged; their text never reaches the client.
    static func catalogError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let api as APIError:
            return api
        case let keyIn as KeyInError:
            return APIError(error: keyIn)
        case let decoding as DecodingError:
            return APIError(error: KeyInError(.invalidRequest, param: decoding.fieldName))
        case let abort as any AbortError:
            switch abort.status {
            case .notFound, .methodNotAllowed: return APIError(error: KeyInError(.notFoundRoute))
            case .payloadTooLarge: return APIError(error: KeyInError(.payloadTooLarge))
            case .unsupportedMediaType, .badRequest, .unprocessableEntity:
                return APIError(error: KeyInError(.invalidRequestBody))
            case .tooManyRequests: return APIError(error: KeyInError(.tooManyRequests))
            default: break
            }
        default:
            break
        }
        logger.error(
            "internal error turned into FAILED_INTERNAL_SYSTEM_PROCESSING",
            metadata: ["error": "\(String(reflecting: type(of: error)))"])
        return APIError(error: KeyInError(.failedInternalSystemProcessing))
    }

    static func response(for api: APIError, request: Request) -> Response {
        response(stored(api, language: request.language, now: request.now))
    }

    /// The error as the API answers it, and as an idempotency record keeps it.
    static func stored(_ api: APIError, language: Language, now: Date) -> StoredResponse {
        let error = api.error
        let entry = error.entry
        let retryAfter = error.retryAfterSeconds(now: now)
        let body = ErrorBody(
            code: error.code.rawValue,
            message: entry.explanation.text(in: language),
            category: entry.category.rawValue,
            retryable: entry.retry.isRetryable,
            retryAfter: retryAfter,
            customerMessage: error.customerMessage,
            helpUrl: "/help/\(entry.helpPageID)",
            param: error.param,
            problems: api.problems.count > 1
                ? api.problems.map {
                    ErrorBody.Problem(
                        param: $0.field.rawValue, code: $0.code.rawValue, message: $0.message.text(in: language))
                } : nil,
            paymentKey: api.paymentKey)
        return StoredResponse(status: entry.httpStatus, body: JSONCoding.string(body), retryAfter: retryAfter)
    }

    /// A JSON answer (a stored one, or one just made).
    static func response(_ answer: StoredResponse) -> Response {
        let response = Response(status: HTTPResponseStatus(statusCode: answer.status), body: .init(string: answer.body))
        response.headers.contentType = .json
        if let retryAfter = answer.retryAfter {
            response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
        }
        return response
    }
}

/// Catches everything a route throws and answers with the catalog's JSON (or, to a browser on a page route, the
/// catalog's page), never a raw error text.
struct CatalogErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let api = ErrorRendering.catalogError(for: error, logger: request.logger)
            if BrowserErrorPage.wanted(by: request) {
                return BrowserErrorPage.response(for: api.error, request: request)
            }
            return ErrorRendering.response(for: api, request: request)
        }
    }
}

extension DecodingError {
    /// The JSON field at fault.
    var fieldName: String? {
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
enum JSONCoding {
    /// `value` as the API writes it. The API's own types always encode.
    static func string(_ value: some Encodable) -> String {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(SeoulTimestamp.string(date))
        }
        return encoder
    }()
}

enum SeoulTimestamp {
    /// `2026-11-24T21:05:09+09:00`.
    static func string(_ date: Date) -> String {
        let parts = SeoulTime.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d+09:00", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
