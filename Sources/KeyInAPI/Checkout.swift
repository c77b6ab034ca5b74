import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// The one key-in checkout. The merchant API, the hosted page and the virtual terminal take a payment through here:
/// the same checks, the same payment under the request's `Idempotency-Key` (claimed in the payment's first
/// transaction, answered in its last), and the same answer: the Payment, or the catalog error with the key of the
/// ABORTED payment.
package struct Checkout {
    package let services: GatewayServices

    /// Pays for `merchantID` with the card fields of the request body; `adjust` sets what the entry point decides
    /// itself (a link's amount and order, the terminal's metadata). `paysLink` is recorded on approval.
    /// `anonymousPayer`: the caller is a customer on a payment page, who is told a card company's verdict on a card
    /// detail only as a plain decline (`ErrorCode.forAnonymousPayer`); the payment keeps the precise code.
    /// `mode`: the key's (API), the link's (hosted page) or the console's (virtual terminal).
    package func pay(
        _ request: Request, merchantID: MerchantID, mode: PaymentMode, language: Language, paysLink: UUID? = nil,
        idempotencyNamespace: IdempotencyGuard.Namespace? = nil, anonymousPayer: Bool = false,
        origin: PaymentOrigin? = nil,
        adjust: (inout KeyInPaymentRequest) -> Void = { _ in }
    ) async throws -> Response {
        let answer: @Sendable (PaymentService.Outcome) -> StoredResponse = { outcome in
            Self.answer(
                outcome, language: language, baseURL: services.publicBaseURL, now: services.now(),
                anonymousPayer: anonymousPayer)
        }
        return try await services.idempotency(request).runWithinPayment(
            request, merchantID: merchantID, namespace: idempotencyNamespace ?? .merchant(mode), answer: answer
        ) { claim in
            var input = try PaymentsController.decode(KeyInPaymentRequest.self, from: request)
            // The link a payment was made on is KeyIn's to record (it becomes the Payment's checkout.url): a caller
            // cannot name one.
            if input.metadata?[PaymentDTO.checkoutLinkMetadataKey] != nil {
                throw KeyInError(
                    .invalidRequest, param: "metadata",
                    detail: "\(PaymentDTO.checkoutLinkMetadataKey) is set by KeyIn's payment page")
            }
            adjust(&input)
            let completion = PaymentService.Completion(claim: claim, response: answer, paysLink: paysLink)
            let caller = request.storage[AuthenticatedMerchantKey.self]
            let outcome = try await services.payments(request.logger).keyIn(
                input, merchantID: merchantID, mode: mode, origin: origin ?? PaymentOrigin(apiKey: caller?.apiKey),
                limits: caller?.cardTesting, policy: caller?.authenticationPolicy, completion: completion)
            return Self.response(outcome.answer ?? answer(outcome))
        }
    }

    /// The answer to a key-in payment, as the first request gets it and every repeat replays it.
    package static func answer(
        _ outcome: PaymentService.Outcome, language: Language, baseURL: String, now: Date, anonymousPayer: Bool = false
    ) -> StoredResponse {
        if var error = outcome.error {
            if anonymousPayer, error.code.forAnonymousPayer != error.code {
                error = KeyInError(error.code.forAnonymousPayer)
            }
            return ErrorRendering.stored(
                APIError(error: error, paymentKey: outcome.payment.paymentKey.rawValue), language: language, now: now)
        }
        return StoredResponse(
            status: 200,
            body: JSONCoding.string(PaymentDTO(outcome.payment, language: language, baseURL: baseURL)))
    }

    package static func response(_ answer: StoredResponse) -> Response {
        ErrorRendering.response(answer)
    }
}
