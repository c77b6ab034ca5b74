import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// `POST /v1/payments/key-in`. Every field is optional here so that a missing one is reported by name with a
/// catalog code, not as a decoding failure.
struct KeyInPaymentRequest: Content {
    var amount: Int64?
    var orderId: String?
    var orderName: String?
    var cardNumber: String?
    var cardExpirationYear: String?
    var cardExpirationMonth: String?
    var cardCvc: String?
    var customerIdentityNumber: String?
    var cardPassword: String?
    var cardInstallmentPlan: Int?
    var currency: String?
    var capture: Bool?
    var customerName: String?
    var customerEmail: String?
    var customerMobilePhone: String?
    var metadata: [String: String]?
}

/// The Payment as the API returns it.
struct PaymentDTO: Content {
    struct Card: Content {
        let company: String?
        let companyCode: String?
        let brand: String
        let number: String
        let installmentPlanMonths: Int
        let approveNo: String?
    }

    struct Cancel: Content {
        let cancelAmount: Int64
        let cancelReason: String
        let canceledAt: Date?
        let cancelStatus: String
        let approveNo: String?
    }

    struct Failure: Content {
        let code: String
        let message: String
    }

    let paymentKey: String
    let orderId: String
    let orderName: String
    let status: String
    let method: String
    let totalAmount: Int64
    let balanceAmount: Int64
    let currency: String
    let requestedAt: Date
    let approvedAt: Date?
    let card: Card
    let cancels: [Cancel]
    let failure: Failure?
    let receiptUrl: String
    let metadata: [String: String]?

    init(_ payment: PaymentRecord, cancels: [CancelRecord] = [], language: Language) {
        paymentKey = payment.paymentKey
        orderId = payment.orderID
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
struct CancelPaymentRequest: Content {
    var cancelReason: String?
    var cancelAmount: Int64?
    var refundableAmount: Int64?
}

extension Request {
    var language: Language { Language(acceptLanguage: headers.first(name: .acceptLanguage)) }

    /// The gateway's clock (tests move it by hand): what every request reads the time from.
    var now: Date { application.gatewayClock() }
}

extension Application {
    private struct GatewayClockKey: StorageKey {
        typealias Value = @Sendable () -> Date
    }

    /// Set by `configure`.
    var gatewayClock: @Sendable () -> Date {
        get { storage[GatewayClockKey.self] ?? { Date() } }
        set { storage[GatewayClockKey.self] = newValue }
    }
}

/// One page of `GET /v1/payments`.
struct PaymentPage: Content {
    let payments: [PaymentDTO]
    let hasNext: Bool
    let nextCursor: String?
}

/// The query of `GET /v1/payments`, checked field by field.
struct PaymentListQuery {
    let status: PaymentStatus?
    let from: Date?
    let to: Date?
    let limit: Int
    let cursor: PaymentCursor?

    init(_ request: Request) throws {
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
    static func date(_ text: String?, param: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else { throw KeyInError(.invalidRequest, param: param) }
        return date
    }
}
