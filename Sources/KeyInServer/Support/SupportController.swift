import Foundation
import KeyInCore
import Vapor

/// The customer's side of support: `POST /feedback` (the one-question survey) and `POST /inquiries`, both from
/// a payment's result page or receipt.
struct SupportController: RouteCollection {
    let services: GatewayServices

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "feedback", body: .collect(maxSize: "4kb"), use: feedback)
        routes.on(.POST, "inquiries", body: .collect(maxSize: "8kb"), use: inquiry)
    }

    struct FeedbackRequest: Content {
        var paymentKey: String?
        var rating: Int?
        var comment: String?
    }

    struct InquiryRequest: Content {
        var paymentKey: String?
        var customerName: String?
        var contact: String?
        var message: String?
    }

    struct Received: Content {
        let received: Bool
    }

    func feedback(_ request: Request) async throws -> Response {
        let input = try PaymentsController.decode(FeedbackRequest.self, from: request)
        _ = try await services.support(request.logger).recordFeedback(
            paymentKey: input.paymentKey, rating: input.rating, comment: input.comment)
        return try PaymentsController.json(Received(received: true), status: .ok)
    }

    func inquiry(_ request: Request) async throws -> Response {
        let input = try PaymentsController.decode(InquiryRequest.self, from: request)
        _ = try await services.support(request.logger).openInquiry(
            paymentKey: input.paymentKey, customerName: input.customerName, contact: input.contact,
            message: input.message)
        return try PaymentsController.json(Received(received: true), status: .ok)
    }
}
