import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// `/v1/payments`: key-in payments and their lookup, scoped to the authenticated merchant.
package struct PaymentsController: RouteCollection {
    package let services: GatewayServices

    package func boot(routes: any RoutesBuilder) throws {
        let payments = routes.grouped("payments")
        payments.on(.POST, "key-in", body: .collect(maxSize: "64kb"), use: keyIn)
        payments.get(use: list)
        payments.get(":paymentKey", use: byPaymentKey)
        payments.on(.POST, ":paymentKey", "cancel", body: .collect(maxSize: "16kb"), use: cancel)
        payments.on(.POST, ":paymentKey", "capture", body: .collect(maxSize: "16kb"), use: capture)
        payments.get("orders", ":orderId", use: byOrderID)
    }

    package func keyIn(_ request: Request) async throws -> Response {
        try await services.checkout.pay(
            request, merchantID: try request.merchantID, mode: try request.paymentMode, language: request.language)
    }

    package func byPaymentKey(_ request: Request) async throws -> Response {
        try await paymentResponse(try await Self.payment(request, services: services), request: request)
    }

    package func cancel(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let payment = try await Self.payment(request, services: services)
            let input = try Self.decode(CancelPaymentRequest.self, from: request)
            guard let reason = input.cancelReason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty,
                reason.count <= 200
            else { throw KeyInError(.invalidRequest, param: "cancelReason", detail: "1-200 characters") }
            let canceled = try await services.cancels(request.logger).cancel(
                payment,
                .init(
                    reason: reason, amount: input.cancelAmount, taxFreeAmount: input.taxFreeAmount,
                    refundableAmount: input.refundableAmount))
            return try await paymentResponse(canceled, request: request)
        }
    }

    package func capture(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let payment = try await Self.payment(request, services: services)
            let captured = try await services.cancels(request.logger).capture(payment)
            return try await paymentResponse(captured, request: request)
        }
    }

    /// `GET /v1/payments?status=DONE&from=…&to=…&limit=20&cursor=…`: newest first, cursor pagination.
    package func list(_ request: Request) async throws -> Response {
        let query = try PaymentListQuery(request)
        let search = PaymentSearch(
            status: query.status, requestedFrom: query.from, requestedBefore: query.to, cursor: query.cursor,
            limit: query.limit)
        let page = try await services.stores.search(
            search, merchantID: try request.merchantID, mode: try request.paymentMode)
        let next = page.next?.encoded
        let cancels = try await services.stores.cancels.cancels(ofPayments: page.payments.map(\.id))
        let items = page.payments.map {
            PaymentDTO(
                $0, cancels: cancels[$0.id] ?? [], language: request.language, baseURL: services.publicBaseURL)
        }
        return try Self.json(PaymentPage(payments: items, hasNext: next != nil, nextCursor: next), status: .ok)
    }

    /// The authenticated merchant's payment named by the path's `paymentKey`, in the key's mode: a test key is
    /// told a live payment does not exist, and the reverse.
    package static func payment(_ request: Request, services: GatewayServices) async throws -> PaymentRecord {
        let key = request.parameters.get("paymentKey") ?? ""
        guard
            let payment = try await services.stores.payments.payment(
                key: PaymentKey(key), merchantID: request.merchantID, mode: request.paymentMode)
        else { throw KeyInError(.notFoundPayment, param: "paymentKey") }
        return payment
    }

    package func paymentResponse(_ payment: PaymentRecord, request: Request) async throws -> Response {
        let cancels = try await services.stores.cancels.cancels(of: payment.id)
        return try Self.json(
            PaymentDTO(payment, cancels: cancels, language: request.language, baseURL: services.publicBaseURL),
            status: .ok)
    }

    package func byOrderID(_ request: Request) async throws -> Response {
        let orderID = OrderID(rawValue: request.parameters.get("orderId") ?? "")
        guard
            let payment = try await services.stores.payments.payment(
                orderID: orderID, merchantID: request.merchantID, mode: request.paymentMode)
        else { throw KeyInError(.notFoundPayment, param: "orderId") }
        return try await paymentResponse(payment, request: request)
    }

    /// Decodes a JSON body, naming the field at fault when it does not fit.
    package static func decode<T: Decodable>(_ type: T.Type, from request: Request) throws -> T {
        guard request.headers.contentType == .json else { throw KeyInError(.invalidRequestBody) }
        guard let body = request.body.data else { throw KeyInError(.invalidRequestBody) }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            if case .dataCorrupted = error { throw KeyInError(.invalidRequestBody) }
            throw KeyInError(.invalidRequest, param: error.fieldName)
        }
    }

    package static func json(_ value: some Encodable, status: HTTPResponseStatus) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: JSONCoding.encoder)
        return response
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}
