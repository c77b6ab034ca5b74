import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import Vapor

/// A catalog error met by someone in a browser (a page they may not open, a payment that is not theirs) answers
/// with a page in their language, not the API's JSON. API clients, which do not ask for HTML, keep the JSON.
package enum BrowserErrorPage {
    package static let title = LocalizedText(ko: "요청을 처리하지 못했습니다", en: "That could not be done")

    package static func wanted(by request: Request) -> Bool {
        let path = request.url.path
        guard !path.hasPrefix("/v1/"), path != "/openapi.yaml" else { return false }
        return request.headers[.accept].contains { $0.contains("text/html") }
    }

    package static func response(for error: KeyInError, request: Request) -> Response {
        let response = page(for: error, request: request)
        if let retryAfter = error.retryAfterSeconds(now: request.now) {
            response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
        }
        return response
    }

    private static func page(for error: KeyInError, request: Request) -> Response {
        let status = HTTPStatus(statusCode: error.entry.httpStatus)
        guard request.url.path.hasPrefix("/console") else {
            return PageLayout.problem(error, title: title, language: PageLayout.language(request), status: status)
        }
        // A spent or expired reset link: the way on is a new link, not the console.
        let next: HTML =
            error.code == .invalidPasswordResetLink
            ? "<a href=\"/console/forgot\">재설정 링크 다시 받기</a>" : "<a href=\"/console\">콘솔 첫 화면으로</a>"
        // Console users are the merchant's staff: they get the merchant's explanation, the code to quote, and a
        // way back.
        let entry = error.entry
        let response = ConsolePages.standalone(
            title.ko,
            """
            <p class="notice" role="alert">\(error.code.rawValue): \(entry.explanation.ko)</p>
            <p>\(next) · <a href="/help/\(entry.helpPageID)">도움말</a></p>
            """)
        response.status = status
        return response
    }
}
