import Foundation
import KeyInCore
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

    init(_ payment: PaymentModel, cancels: [CancelModel] = [], language: Language) {
        paymentKey = payment.paymentKey
        orderId = payment.orderID
        orderName = payment.orderName
        status = payment.status
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
        self.cancels = cancels.filter { $0.status == "DONE" }.map {
            Cancel(
                cancelAmount: $0.amount, cancelReason: $0.reason, canceledAt: $0.canceledAt, cancelStatus: $0.status,
                approveNo: $0.approveNo)
        }
        failure = payment.failureCode.flatMap { ErrorCode(rawValue: $0) }.map {
            Failure(code: $0.rawValue, message: KeyInError($0).customerMessage.text(in: language))
        }
        receiptUrl = "/receipts/\(payment.paymentKey)"
        metadata = payment.metadata.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
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
}
