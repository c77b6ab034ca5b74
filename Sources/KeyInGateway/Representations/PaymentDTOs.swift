import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// `POST /v1/payments/key-in`. Every field is optional here so that a missing one is reported by name with a
/// catalog code, not as a decoding failure.
package struct KeyInPaymentRequest: Content {
    package var amount: Int64?
    package var orderId: String?
    package var orderName: String?
    package var cardNumber: String?
    package var cardExpirationYear: String?
    package var cardExpirationMonth: String?
    package var cardCvc: String?
    package var customerIdentityNumber: String?
    package var cardPassword: String?
    package var cardInstallmentPlan: Int?
    package var currency: String?
    package var capture: Bool?
    package var customerName: String?
    package var customerEmail: String?
    package var customerMobilePhone: String?
    package var metadata: [String: String]?
}

/// The Payment as the API returns it.
package struct PaymentDTO: Content {
    package struct Card: Content {
        package let company: String?
        package let companyCode: String?
        package let brand: String
        package let number: String
        package let installmentPlanMonths: Int
        package let approveNo: String?
    }

    package struct Cancel: Content {
        package let cancelAmount: Int64
        package let cancelReason: String
        package let canceledAt: Date?
        package let cancelStatus: String
        package let approveNo: String?
    }

    package struct Failure: Content {
        package let code: String
        package let message: String
    }

    package let paymentKey: String
    package let orderId: String
    package let orderName: String
    package let status: String
    package let method: String
    package let totalAmount: Int64
    package let balanceAmount: Int64
    package let currency: String
    package let requestedAt: Date
    package let approvedAt: Date?
    package let card: Card
    package let cancels: [Cancel]
    package let failure: Failure?
    package let receiptUrl: String
    package let metadata: [String: String]?

    package init(_ payment: PaymentRecord, cancels: [CancelRecord] = [], language: Language) {
        paymentKey = payment.paymentKey.rawValue
        orderId = payment.orderID.rawValue
        orderName = payment.orderName
        status = payment.status.rawValue
        method = "카드"
        totalAmount = payment.totalAmount
        balanceAmount = payment.balanceAmount
        currency = payment.currency
        requestedAt = payment.requestedAt
        approvedAt = payment.approvedAt
        let company = payment.cardCompanyCode.flatMap { code in
            BINTable.bundled.companies.first { $0.code == code }
        }
        card = Card(
            company: company?.name.text(in: language), companyCode: payment.cardCompanyCode, brand: payment.cardBrand,
            number: payment.cardMasked, installmentPlanMonths: payment.installmentMonths, approveNo: payment.approveNo)
        self.cancels = cancels.filter { $0.status == .done }.map {
            Cancel(
                cancelAmount: $0.amount, cancelReason: $0.reason, canceledAt: $0.canceledAt,
                cancelStatus: $0.status.rawValue, approveNo: $0.approveNo)
        }
        failure = payment.failureCode.map {
            Failure(code: $0.rawValue, message: KeyInError($0).customerMessage.text(in: language))
        }
        receiptUrl = "/receipts/\(payment.paymentKey)"
        metadata = payment.metadata
    }
}

/// `POST /v1/payments/{paymentKey}/cancel`.
package struct CancelPaymentRequest: Content {
    package var cancelReason: String?
    package var cancelAmount: Int64?
    package var refundableAmount: Int64?
}

extension Request {
    package var language: Language { Language(acceptLanguage: headers.first(name: .acceptLanguage)) }

    /// The gateway's clock (tests move it by hand): what every request reads the time from.
    package var now: Date { application.gatewayClock() }
}

extension Application {
    private struct GatewayClockKey: StorageKey {
        package typealias Value = @Sendable () -> Date
    }

    /// Set by `configure`.
    package var gatewayClock: @Sendable () -> Date {
        get { storage[GatewayClockKey.self] ?? { Date() } }
        set { storage[GatewayClockKey.self] = newValue }
    }
}

/// One page of `GET /v1/payments`.
package struct PaymentPage: Content {
    package let payments: [PaymentDTO]
    package let hasNext: Bool
    package let nextCursor: String?

    package init(payments: [PaymentDTO], hasNext: Bool, nextCursor: String?) {
        self.payments = payments
        self.hasNext = hasNext
        self.nextCursor = nextCursor
    }
}

/// The query of `GET /v1/payments`, checked field by field.
package struct PaymentListQuery {
    package let status: PaymentStatus?
    package let from: Date?
    package let to: Date?
    package let limit: Int
    package let cursor: PaymentCursor?

    package init(_ request: Request) throws {
        let query = request.query
        if let text = query[String.self, at: "status"] {
            guard let status = PaymentStatus(rawValue: text) else { throw KeyInError(.invalidRequest, param: "status") }
            self.status = status
        } else {
            status = nil
        }
        from = try Self.date(query[String.self, at: "from"], param: "from")
        to = try Self.date(query[String.self, at: "to"], param: "to")
        if let text = query[String.self, at: "limit"] {
            guard let limit = Int(text), (1...100).contains(limit) else {
                throw KeyInError(.invalidRequest, param: "limit")
            }
            self.limit = limit
        } else {
            limit = 20
        }
        if let text = query[String.self, at: "cursor"] {
            guard let cursor = PaymentCursor(encoded: text) else { throw KeyInError(.invalidRequest, param: "cursor") }
            self.cursor = cursor
        } else {
            cursor = nil
        }
    }

    /// ISO 8601 with an offset, e.g. `2026-11-24T00:00:00+09:00`.
    package static func date(_ text: String?, param: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else { throw KeyInError(.invalidRequest, param: param) }
        return date
    }
}
