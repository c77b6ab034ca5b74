import Foundation
import KeyInAPI
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import Vapor

/// The customer's side of support: `POST /feedback` (the one-question survey) and `POST /inquiries`, both from
/// a payment's result page or receipt.
package struct SupportController: RouteCollection {
    package let services: GatewayServices

    package func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "feedback", body: .collect(maxSize: "4kb"), use: feedback)
        routes.on(.POST, "inquiries", body: .collect(maxSize: "8kb"), use: inquiry)
    }

    package struct FeedbackRequest: Content {
        package var paymentKey: String?
        package var rating: Int?
        package var comment: String?
    }

    package struct InquiryRequest: Content {
        package var paymentKey: String?
        package var customerName: String?
        package var contact: String?
        package var message: String?
    }

    package struct Received: Content {
        package let received: Bool
    }

    package func feedback(_ request: Request) async throws -> Response {
        let input = try PaymentsController.decode(FeedbackRequest.self, from: request)
        _ = try await services.support(request.logger).recordFeedback(
            paymentKey: input.paymentKey, rating: input.rating, comment: input.comment)
        return try PaymentsController.json(Received(received: true), status: .ok)
    }

    package func inquiry(_ request: Request) async throws -> Response {
        let input = try PaymentsController.decode(InquiryRequest.self, from: request)
        // Per payment and per address: a customer's follow-up gets through, a flood into the shop's inbox does not.
        let limits = services.attemptLimits
        try await limits.admit(AttemptLimits.inquiryPerAddress, subject: request.clientAddress)
        try await limits.admit(AttemptLimits.inquiryPerPayment, subject: String((input.paymentKey ?? "").prefix(100)))
        _ = try await services.support(request.logger).openInquiry(
            paymentKey: input.paymentKey, customerName: input.customerName, contact: input.contact,
            message: input.message)
        return try PaymentsController.json(Received(received: true), status: .ok)
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}
