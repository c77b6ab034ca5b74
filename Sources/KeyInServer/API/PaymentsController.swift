import CardVault
import Fluent
import Foundation
import KeyInCore
import Vapor

/// `/v1/payments`: key-in payments and their lookup, scoped to the authenticated merchant.
struct PaymentsController: RouteCollection {
    let services: GatewayServices

    func boot(routes: any RoutesBuilder) throws {
        let payments = routes.grouped("payments")
        payments.on(.POST, "key-in", body: .collect(maxSize: "64kb"), use: keyIn)
        payments.get(use: list)
        payments.get(":paymentKey", use: byPaymentKey)
        payments.on(.POST, ":paymentKey", "cancel", body: .collect(maxSize: "16kb"), use: cancel)
        payments.on(.POST, ":paymentKey", "capture", body: .collect(maxSize: "16kb"), use: capture)
        payments.get("orders", ":orderId", use: byOrderID)
    }

    func keyIn(_ request: Request) async throws -> Response {
        try await IdempotencyGuard(vault: services.vault).run(request) {
            let input = try Self.decode(KeyInPaymentRequest.self, from: request)
            let outcome = try await services.payments(request.logger).keyIn(input, merchantID: try request.merchantID)
            if let error = outcome.error {
                return ErrorRendering.response(
                    for: APIError(error: error, paymentKey: outcome.payment.paymentKey), request: request)
            }
            return try Self.json(PaymentDTO(outcome.payment, language: request.language), status: .ok)
        }
    }

    func byPaymentKey(_ request: Request) async throws -> Response {
        let key = request.parameters.get("paymentKey") ?? ""
        guard
            let payment = try await PaymentModel.query(on: request.db)
                .filter(\.$merchant.$id == request.merchantID).filter(\.$paymentKey == key).first()
        else { throw KeyInError(.notFoundPayment, param: "paymentKey") }
        return try await Self.paymentResponse(payment, request: request)
    }

    func cancel(_ request: Request) async throws -> Response {
        try await IdempotencyGuard(vault: services.vault).run(request) {
            let payment = try await Self.payment(request)
            let input = try Self.decode(CancelPaymentRequest.self, from: request)
            guard let reason = input.cancelReason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty,
                reason.count <= 200
            else { throw KeyInError(.invalidRequest, param: "cancelReason", detail: "1-200 characters") }
            let canceled = try await services.cancels(request.logger).cancel(
                payment, .init(reason: reason, amount: input.cancelAmount, refundableAmount: input.refundableAmount))
            return try await Self.paymentResponse(canceled, request: request)
        }
    }

    func capture(_ request: Request) async throws -> Response {
        try await IdempotencyGuard(vault: services.vault).run(request) {
            let payment = try await Self.payment(request)
            let captured = try await services.cancels(request.logger).capture(payment)
            return try await Self.paymentResponse(captured, request: request)
        }
    }

    /// `GET /v1/payments?status=DONE&from=…&to=…&limit=20&cursor=…`: newest first, cursor pagination.
    func list(_ request: Request) async throws -> Response {
        let query = try PaymentListQuery(request)
        let search = PaymentSearch(
            status: query.status, requestedFrom: query.from, requestedBefore: query.to, cursor: query.cursor,
            limit: query.limit)
        let page = try await search.run(merchantID: try request.merchantID, on: request.db)
        let next = page.next?.encoded
        let items = page.payments.map { PaymentDTO($0, language: request.language) }
        return try Self.json(PaymentPage(payments: items, hasNext: next != nil, nextCursor: next), status: .ok)
    }

    static func payment(_ request: Request) async throws -> PaymentModel {
        let key = request.parameters.get("paymentKey") ?? ""
        guard
            let payment = try await PaymentModel.query(on: request.db)
                .filter(\.$merchant.$id == request.merchantID).filter(\.$paymentKey == key).first()
        else { throw KeyInError(.notFoundPayment, param: "paymentKey") }
        return payment
    }

    static func paymentResponse(_ payment: PaymentModel, request: Request) async throws -> Response {
        let cancels = try await CancelModel.query(on: request.db).filter(\.$payment.$id == payment.requireID())
            .sort(\.$requestedAt).all()
        return try json(PaymentDTO(payment, cancels: cancels, language: request.language), status: .ok)
    }

    func byOrderID(_ request: Request) async throws -> Response {
        let orderID = request.parameters.get("orderId") ?? ""
        // The live payment of the order if there is one, else its latest attempt.
        guard
            let payment = try await PaymentModel.query(on: request.db)
                .filter(\.$merchant.$id == request.merchantID).filter(\.$orderID == orderID)
                .sort(\.$requestedAt, .descending).all()
                .sorted(by: { ($0.orderLock != nil ? 0 : 1) < ($1.orderLock != nil ? 0 : 1) }).first
        else { throw KeyInError(.notFoundPayment, param: "orderId") }
        return try await Self.paymentResponse(payment, request: request)
    }

    /// Decodes a JSON body, naming the field at fault when it does not fit.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) throws -> T {
        guard request.headers.contentType == .json else { throw KeyInError(.invalidRequestBody) }
        guard let body = request.body.data else { throw KeyInError(.invalidRequestBody) }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            if case .dataCorrupted = error { throw KeyInError(.invalidRequestBody) }
            throw KeyInError(.invalidRequest, param: error.fieldName)
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponseStatus) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: JSONCoding.encoder)
        return response
    }
}
