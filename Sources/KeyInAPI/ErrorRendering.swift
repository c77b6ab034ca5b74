import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

package enum ErrorRendering {
    /// Turns anything thrown into a catalog error. Unknown errors become FAILED_INTERNAL_SYSTEM_PROCESSING and
    /// are logged; their text never reaches the client.
    package static func catalogError(for error: any Error, logger: Logger) -> APIError {
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

    package static func response(for api: APIError, request: Request) -> Response {
        response(stored(api, language: request.language, now: request.now))
    }

    /// The error as the API answers it, and as an idempotency record keeps it.
    package static func stored(_ api: APIError, language: Language, now: Date) -> StoredResponse {
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
    package static func response(_ answer: StoredResponse) -> Response {
        let response = Response(status: HTTPResponseStatus(statusCode: answer.status), body: .init(string: answer.body))
        response.headers.contentType = .json
        if let retryAfter = answer.retryAfter {
            response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
        }
        return response
    }
}
