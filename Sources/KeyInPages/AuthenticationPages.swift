import CardholderAuthentication
import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// Where the customer's browser comes back from the card company's 3-D Secure challenge, and, for test mode, the
/// built-in simulator's challenge pages (it has no public address of its own).
package struct AuthenticationPages: RouteCollection {
    package let services: GatewayServices

    package init(services: GatewayServices) {
        self.services = services
    }

    package func boot(routes: any RoutesBuilder) throws {
        let secure = routes.grouped("3ds")
        secure.get("return", ":paymentKey", use: returned)
        // The card company may send the browser back with a form post (EMV's notification) or a redirect.
        secure.on(.POST, "return", ":paymentKey", body: .collect(maxSize: "16kb"), use: returned)
        if services.authenticators.testPages != nil {
            secure.get("challenge", ":id", use: simulatorPage)
            secure.on(.POST, "challenge", ":id", body: .collect(maxSize: "4kb"), use: simulatorPage)
            secure.get("sent-codes", use: simulatorPage)
        }
    }

    /// The challenge ended (or the customer came back early): the gateway asks the card company for the result
    /// itself (nothing the browser brings is believed), settles the payment, and shows where it stands: the
    /// receipt when approved, the failure with what to do next, or the way back to an open challenge.
    package func returned(_ request: Request) async throws -> Response {
        let language = PageLayout.language(request)
        let key: String = request.parameters.get("paymentKey") ?? ""
        guard let stored = try await services.stores.payments.payment(receiptKey: PaymentKey(key)) else {
            return PageLayout.problem(
                KeyInError(.notFoundPayment), title: PageText.verificationTitle, language: language, status: .notFound)
        }
        var payment = stored
        if let outcome = try await services.payments(request.logger).completeAuthentication(of: stored) {
            payment = outcome.payment
        } else if let now = try await services.stores.payments.payment(id: stored.id) {
            payment = now
        }
        let linkKey = PaymentOrigin(recordedFor: payment).linkKey
        switch payment.status {
        case .done, .waitingForCapture, .partialCanceled, .canceled:
            return request.redirect(
                to: "/receipts/\(payment.paymentKey.rawValue)?lang=\(language.rawValue)", redirectType: .normal)
        case .aborted:
            var error = KeyInError(payment.failureCode ?? .failedInternalSystemProcessing)
            // A customer on the hosted page is told a card company's verdict on a card detail only as a decline.
            if linkKey != nil { error = KeyInError(error.code.forAnonymousPayer) }
            let retry: HTML =
                linkKey.map {
                    "<p><a id=\"retry-link\" href=\"/pay/\($0.rawValue)?lang=\(language.rawValue)\">\(PageText.retry.text(in: language))</a></p>"
                } ?? ""
            return page(
                language: language, id: "verification-failed", heading: PageText.failed,
                message: error.customerMessage, link: retry,
                help:
                    "<p><a href=\"/help/\(error.entry.helpPageID)?lang=\(language.rawValue)\">\(PageText.help.text(in: language))</a></p>"
            )
        case .waitingForAuthentication:
            let back: HTML =
                payment.authentication?.challengeURL.map {
                    "<p><a id=\"challenge-link\" href=\"\($0)\">\(PageText.backToVerification.text(in: language))</a></p>"
                } ?? ""
            return page(
                language: language, id: "verification-open", heading: PageText.verificationTitle,
                message: PageText.verificationOpen, link: back)
        case .inProgress:
            return page(
                language: language, id: "verification-processing", heading: PageText.verificationTitle,
                message: PageText.processing,
                link:
                    "<p><a id=\"reload-link\" href=\"/3ds/return/\(payment.paymentKey)?lang=\(language.rawValue)\">\(PageText.reload.text(in: language))</a></p>"
            )
        }
    }

    /// A page about where the payment stands (200: the page is the answer, whatever the payment's outcome).
    private func page(
        language: Language, id: String, heading: LocalizedText, message: LocalizedText, link: HTML, help: HTML = ""
    ) -> Response {
        PageLayout.document(
            title: heading.text(in: language), language: language,
            body: """
                <main class="page narrow">
                <h1 id="result-title">\(heading.text(in: language))</h1>
                <p class="notice" role="alert" id="\(id)">\(message.text(in: language))</p>
                \(link)
                \(help)
                </main>
                """)
    }

    /// The built-in simulator's ACS page (test mode only), answered as the simulator answers it.
    package func simulatorPage(_ request: Request) async throws -> Response {
        guard let pages = services.authenticators.testPages else { throw KeyInError(.notFoundRoute) }
        let body = request.body.data.map { Data(buffer: $0) } ?? Data()
        let headers = request.headers.map { ($0.name, $0.value) }
        let answer = try await pages(request.method.rawValue, request.url.path, headers, body)
        let response = Response(status: HTTPResponseStatus(statusCode: answer.status), body: .init(data: answer.body))
        for (name, value) in answer.headers { response.headers.replaceOrAdd(name: name, value: value) }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
