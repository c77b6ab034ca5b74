import CardholderAuthentication
import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// `POST /v1/payments/key-in`. Every field is optional here so that a missing one is reported by name with a
/// catalog code, not as a decoding failure. The names are Toss Payments' (`cardCvc`, `currency`, `capture`,
/// `customerMobilePhone` and `metadata` are KeyIn's own).
package struct KeyInPaymentRequest: Content {
    /// A 3-D Secure result the merchant obtained elsewhere (Toss Payments' `vbv`): the card company verifies it.
    package struct AuthenticationResult: Content {
        /// The authentication value (CAVV / AAV).
        package var cavv: String?
        /// The 3-D Secure transaction id (XID, or the directory server's transaction id in 3-D Secure 2).
        package var xid: String?
        /// The electronic commerce indicator: 2 digits.
        package var eci: String?
    }

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
    /// The merchant pays the installment interest (무이자 할부).
    package var useFreeInstallmentPlan: Bool?
    /// The tax-free part of `amount` (면세).
    package var taxFreeAmount: Int64?
    package var vbv: AuthenticationResult?
    /// KeyIn's own: `AUTO` authenticates the cardholder with 3-D Secure (a challenge when the risk is high),
    /// `CHALLENGE` requires a challenge. Left out, only the merchant's policy decides.
    package var threeDSecure: String?
    package var currency: String?
    package var capture: Bool?
    package var customerName: String?
    package var customerEmail: String?
    package var customerMobilePhone: String?
    package var metadata: [String: String]?
}

/// The Payment as the API returns it: Toss Payments' `Payment` object (version 2022-11-16), field for field, with
/// KeyIn's own additions beside it (`card.company`, `card.companyCode`, `card.brand`, `receiptUrl`,
/// `cancels[].approveNo`). Every Toss key is always written, `null` where it does not apply, as Toss writes it.
package struct PaymentDTO: Content {
    /// The version of the Payment object, as Toss Payments dates its API versions.
    package static let version = "2022-11-16"
    /// KeyIn acquires through Korean card companies only: every payment is made in Korea.
    package static let country = "KR"
    /// The metadata key under which the hosted page records the link a payment was made on (only it may).
    package static let checkoutLinkMetadataKey = "paymentLink"

    package struct Card: Content {
        /// What was asked of the card company (no instant discounts exist here, so the payment's amount).
        package let amount: Int64
        /// The issuing card company (Toss's codes: 41 신한, 11 KB국민…; 4V and the like for cards from abroad).
        package let issuerCode: String?
        /// The card company that acquires the payment: the one its request went to.
        package let acquirerCode: String?
        package let number: String
        package let installmentPlanMonths: Int
        package let isInterestFree: Bool
        /// Who pays the installment interest: BUYER, or MERCHANT for 무이자; null for 일시불.
        package let interestPayer: String?
        package let approveNo: String?
        /// KeyIn takes no card points: always false.
        package let useCardPoint: Bool
        /// 신용, 체크, 기프트 or 미확인.
        package let cardType: String
        /// 개인, 법인 or 미확인.
        package let ownerType: String
        /// The acquiring step: READY until captured payments are sent for settlement.
        package let acquireStatus: String
        package let company: String?
        package let companyCode: String?
        package let brand: String

        enum CodingKeys: String, CodingKey {
            case amount, issuerCode, acquirerCode, number, installmentPlanMonths, isInterestFree, interestPayer,
                approveNo, useCardPoint, cardType, ownerType, acquireStatus, company, companyCode, brand
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(amount, forKey: .amount)
            try container.encode(issuerCode, forKey: .issuerCode)
            try container.encode(acquirerCode, forKey: .acquirerCode)
            try container.encode(number, forKey: .number)
            try container.encode(installmentPlanMonths, forKey: .installmentPlanMonths)
            try container.encode(isInterestFree, forKey: .isInterestFree)
            try container.encode(interestPayer, forKey: .interestPayer)
            try container.encode(approveNo, forKey: .approveNo)
            try container.encode(useCardPoint, forKey: .useCardPoint)
            try container.encode(cardType, forKey: .cardType)
            try container.encode(ownerType, forKey: .ownerType)
            try container.encode(acquireStatus, forKey: .acquireStatus)
            try container.encodeIfPresent(company, forKey: .company)
            try container.encodeIfPresent(companyCode, forKey: .companyCode)
            try container.encode(brand, forKey: .brand)
        }
    }

    package struct Cancel: Content {
        package let cancelAmount: Int64
        package let cancelReason: String
        package let taxFreeAmount: Int64
        package let taxExemptionAmount: Int64
        /// What could still be refunded after this cancel.
        package let refundableAmount: Int64
        package let easyPayDiscountAmount: Int64
        package let canceledAt: Date?
        package let transactionKey: String?
        /// A cancelled cash receipt's key: card payments have none.
        package let receiptKey: String?
        package let cancelStatus: String
        package let cancelRequestId: String?
        package let approveNo: String?

        enum CodingKeys: String, CodingKey {
            case cancelAmount, cancelReason, taxFreeAmount, taxExemptionAmount, refundableAmount,
                easyPayDiscountAmount, canceledAt, transactionKey, receiptKey, cancelStatus, cancelRequestId,
                approveNo
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(cancelAmount, forKey: .cancelAmount)
            try container.encode(cancelReason, forKey: .cancelReason)
            try container.encode(taxFreeAmount, forKey: .taxFreeAmount)
            try container.encode(taxExemptionAmount, forKey: .taxExemptionAmount)
            try container.encode(refundableAmount, forKey: .refundableAmount)
            try container.encode(easyPayDiscountAmount, forKey: .easyPayDiscountAmount)
            try container.encode(canceledAt, forKey: .canceledAt)
            try container.encode(transactionKey, forKey: .transactionKey)
            try container.encode(receiptKey, forKey: .receiptKey)
            try container.encode(cancelStatus, forKey: .cancelStatus)
            try container.encode(cancelRequestId, forKey: .cancelRequestId)
            try container.encodeIfPresent(approveNo, forKey: .approveNo)
        }
    }

    package struct Failure: Content {
        package let code: String
        package let message: String
    }

    package struct Link: Content {
        package let url: String
    }

    /// What the customer must do before the payment can go on: `REDIRECT` to the card company's 3-D Secure
    /// challenge at `url` (while WAITING_FOR_AUTHENTICATION).
    package struct NextAction: Content {
        package let type: String
        package let url: String
    }

    /// The payment's 3-D Secure authentication: `status` as EMV names it (Y authenticated, A attempted, N failed,
    /// U not performed, R refused, C challenge under way) and the ECI the authorization carried.
    package struct ThreeDSecure: Content {
        package let status: String
        package let eci: String?
    }

    package let version: String
    package let mId: String
    package let paymentKey: String
    package let lastTransactionKey: String?
    package let type: String
    package let orderId: String
    package let orderName: String
    package let status: String
    package let method: String
    package let totalAmount: Int64
    package let balanceAmount: Int64
    package let suppliedAmount: Int64
    package let vat: Int64
    package let taxFreeAmount: Int64
    package let taxExemptionAmount: Int64
    package let currency: String
    package let country: String
    package let requestedAt: Date
    package let approvedAt: Date?
    package let useEscrow: Bool
    package let cultureExpense: Bool
    package let isPartialCancelable: Bool
    package let card: Card
    package let cancels: [Cancel]
    package let failure: Failure?
    package let receipt: Link?
    /// The hosted page the payment was made on (a payment link's); null for payments keyed in through the API or
    /// the console.
    package let checkout: Link?
    package let receiptUrl: String
    package let metadata: [String: String]?
    package let nextAction: NextAction?
    package let threeDSecure: ThreeDSecure?

    /// The payment with its done cancels, oldest first, as `baseURL` (the public URL) reaches its pages.
    package init(_ payment: PaymentRecord, cancels: [CancelRecord] = [], language: Language, baseURL: String) {
        let done = cancels.filter { $0.status == .done }.sorted {
            ($0.canceledAt ?? $0.requestedAt) < ($1.canceledAt ?? $1.requestedAt)
        }
        version = Self.version
        mId = payment.merchantID.rawValue.uuidString.lowercased()
        paymentKey = payment.paymentKey.rawValue
        lastTransactionKey = (done.last?.transactionKey ?? payment.transactionKey)?.rawValue
        type = "NORMAL"
        orderId = payment.orderID.rawValue
        orderName = payment.orderName
        status = payment.status.rawValue
        method = "카드"
        totalAmount = payment.totalAmount
        balanceAmount = payment.balanceAmount
        // The tax split describes what is left: the tax-free part less what cancels took of it.
        let taxes = TaxAmounts(amount: payment.balanceAmount, taxFree: payment.taxFreeAmount - cancels.taxFreeTaken)
        suppliedAmount = taxes.supplied
        vat = taxes.vat
        taxFreeAmount = taxes.taxFree
        taxExemptionAmount = 0
        currency = payment.currency
        country = Self.country
        requestedAt = payment.requestedAt
        approvedAt = payment.approvedAt
        useEscrow = false
        cultureExpense = false
        // Whether this payment can be cancelled in part at all (Toss's meaning, true after a full cancel too): a
        // sale can, an authorization not yet captured is released whole.
        isPartialCancelable = payment.status != .waitingForCapture
        let company = payment.cardCompanyCode.flatMap(BINTable.bundled.company(code:))
        let brand = CardBrand(rawValue: payment.cardBrand)
        let interestFree = payment.usesFreeInstallmentPlan && payment.installmentMonths > 0
        card = Card(
            amount: payment.totalAmount,
            issuerCode: payment.cardCompanyCode ?? brand?.internationalCompanyCode,
            acquirerCode: payment.cardCompanyCode, number: payment.cardMasked,
            installmentPlanMonths: payment.installmentMonths, isInterestFree: interestFree,
            interestPayer: payment.installmentMonths == 0 ? nil : (interestFree ? "MERCHANT" : "BUYER"),
            approveNo: payment.approveNo, useCardPoint: false, cardType: payment.cardKind.koreanName,
            ownerType: payment.cardOwner.koreanName, acquireStatus: "READY",
            company: company?.name.text(in: language), companyCode: payment.cardCompanyCode,
            brand: payment.cardBrand)
        var refundable = payment.totalAmount
        self.cancels = done.map { cancel in
            refundable -= cancel.amount
            return Cancel(
                cancelAmount: cancel.amount, cancelReason: cancel.reason, taxFreeAmount: cancel.taxFreeAmount,
                taxExemptionAmount: 0, refundableAmount: refundable, easyPayDiscountAmount: 0,
                canceledAt: cancel.canceledAt, transactionKey: cancel.transactionKey?.rawValue, receiptKey: nil,
                cancelStatus: cancel.status.rawValue, cancelRequestId: nil, approveNo: cancel.approveNo)
        }
        failure = payment.failureCode.map {
            Failure(code: $0.rawValue, message: KeyInError($0).customerMessage.text(in: language))
        }
        receiptUrl = "/receipts/\(payment.paymentKey.rawValue)"
        // A receipt (매출전표) exists once the card company approved.
        receipt = payment.approveNo == nil ? nil : Link(url: baseURL + receiptUrl)
        checkout = payment.metadata?[Self.checkoutLinkMetadataKey].map { Link(url: "\(baseURL)/pay/\($0)") }
        metadata = payment.metadata
        nextAction =
            payment.status == .waitingForAuthentication
            ? payment.authentication?.challengeURL.map { NextAction(type: "REDIRECT", url: $0) } : nil
        threeDSecure = payment.authentication.map { ThreeDSecure(status: $0.transStatus.rawValue, eci: $0.eci) }
    }

    /// Toss's keys for what a card payment has none of (virtual accounts, transfers, easy pay…): written as null.
    static let absentTossObjects = [
        "virtualAccount", "transfer", "mobilePhone", "giftCertificate", "cashReceipt", "cashReceipts", "discount",
        "easyPay", "secret",
    ]

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        func put<Value: Encodable>(_ value: Value, _ name: String) throws {
            try container.encode(value, forKey: Key(name))
        }
        try put(version, "version")
        try put(mId, "mId")
        try put(paymentKey, "paymentKey")
        try put(lastTransactionKey, "lastTransactionKey")
        try put(type, "type")
        try put(orderId, "orderId")
        try put(orderName, "orderName")
        try put(status, "status")
        try put(method, "method")
        try put(totalAmount, "totalAmount")
        try put(balanceAmount, "balanceAmount")
        try put(suppliedAmount, "suppliedAmount")
        try put(vat, "vat")
        try put(taxFreeAmount, "taxFreeAmount")
        try put(taxExemptionAmount, "taxExemptionAmount")
        try put(currency, "currency")
        try put(country, "country")
        try put(requestedAt, "requestedAt")
        try put(approvedAt, "approvedAt")
        try put(useEscrow, "useEscrow")
        try put(cultureExpense, "cultureExpense")
        try put(isPartialCancelable, "isPartialCancelable")
        try put(card, "card")
        try put(cancels, "cancels")
        try put(failure, "failure")
        try put(receipt, "receipt")
        try put(checkout, "checkout")
        try put(receiptUrl, "receiptUrl")
        try put(metadata, "metadata")
        try put(nextAction, "nextAction")
        try put(threeDSecure, "threeDSecure")
        for name in Self.absentTossObjects { try container.encodeNil(forKey: Key(name)) }
    }
}

/// `POST /v1/payments/{paymentKey}/cancel`.
package struct CancelPaymentRequest: Content {
    package var cancelReason: String?
    package var cancelAmount: Int64?
    /// The tax-free part of `cancelAmount`; when a full cancel leaves it out, all that remains tax-free.
    package var taxFreeAmount: Int64?
    package var refundableAmount: Int64?
}

extension Request {
    package var language: Language { Language(acceptLanguage: headers.first(name: .acceptLanguage)) }

    /// The gateway's clock (tests move it by hand): what every request reads the time from.
    package var now: Date { application.gatewayClock() }

    /// The address the request came from: the connection's peer, or, when the peer is a trusted proxy, the last
    /// address in `X-Forwarded-For` that is not one (anyone can send the header; only a trusted proxy's is read).
    package var clientAddress: String {
        application.trustedProxies.clientAddress(
            peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor].joined(separator: ","))
    }
}

extension Application {
    private struct TrustedProxiesKey: StorageKey {
        typealias Value = TrustedProxies
    }

    /// Set by `configure` from `KEYIN_TRUSTED_PROXIES`.
    package var trustedProxies: TrustedProxies {
        get { storage[TrustedProxiesKey.self] ?? TrustedProxies(addresses: []) }
        set { storage[TrustedProxiesKey.self] = newValue }
    }
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
