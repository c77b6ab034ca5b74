import CardNetworkLink
import CardVault
import Foundation
import KeyInCore

/// A payment as stored, in domain types: what the API, the pages and the console read.
package struct PaymentRecord: Sendable, Equatable {
    package let id: UUID
    package let merchantID: MerchantID
    /// Test payments reach only the built-in simulator; live ones only the configured card companies.
    package let mode: PaymentMode
    package let paymentKey: PaymentKey
    package let orderID: OrderID
    /// Whether this payment holds its order id: a live payment does, so a second one for the order is refused; an
    /// aborted one frees it.
    package var holdsOrder: Bool
    package let orderName: String
    package var status: PaymentStatus
    package let totalAmount: Int64
    package var balanceAmount: Int64
    package let currency: String
    package let capture: Bool
    package let installmentMonths: Int
    package let cardBrand: String
    package let cardCompanyCode: String?
    package let cardMasked: String
    package let cardFingerprint: String
    package var approveNo: String?
    package var retrievalReferenceNumber: String?
    /// The ISO 8583 trace of the authorization, stored before it is sent so a crash can reverse it. A payment
    /// waiting for its 3-D Secure challenge gets a new one when the authorization is about to go.
    package var trace: TransactionTrace?
    package let customerName: String?
    package let customerEmail: String?
    package let customerMobilePhone: String?
    package let metadata: [String: String]?
    package var failureCode: ErrorCode?
    package let requestedAt: Date
    package var approvedAt: Date?
    /// The approval's transaction with the card company (each cancel has its own).
    package var transactionKey: TransactionKey? = TransactionKey.random()
    /// The tax-free part of the amount (면세), as the merchant gave it.
    package var taxFreeAmount: Int64 = 0
    /// The merchant pays the installment interest (무이자 할부).
    package var usesFreeInstallmentPlan = false
    /// Credit, check or gift, as the BIN table said when the payment was made.
    package var cardKind: CardKind = .unknown
    /// Personal or corporate, as the BIN table said.
    package var cardOwner: CardOwnerType = .unknown
    /// Why the decision point blocked the payment (empty when no rule objected).
    package var decisionReasons: [DecisionReason] = []
    /// The process that opened it, so recovery can settle it once that process is gone (`ProcessRegistry`).
    package var openedBy: UUID?
    /// A capture of this authorization is being sent (`PaymentStore.beginCapture`).
    package var captureInFlight = false
    /// Its 3-D Secure authentication, when it had one (and while its cardholder is being challenged).
    package var authentication: PaymentAuthentication?

    package init(
        id: UUID = UUID(), merchantID: MerchantID, mode: PaymentMode, paymentKey: PaymentKey, orderID: OrderID,
        orderName: String,
        status: PaymentStatus, totalAmount: Int64, currency: String, capture: Bool, installmentMonths: Int,
        cardBrand: String, cardCompanyCode: String?, cardMasked: String, cardFingerprint: String,
        trace: TransactionTrace?, customerName: String?, customerEmail: String?, customerMobilePhone: String?,
        metadata: [String: String]?, requestedAt: Date
    ) {
        self.id = id
        self.merchantID = merchantID
        self.mode = mode
        self.paymentKey = paymentKey
        self.orderID = orderID
        self.holdsOrder = true
        self.orderName = orderName
        self.status = status
        self.totalAmount = totalAmount
        self.balanceAmount = totalAmount
        self.currency = currency
        self.capture = capture
        self.installmentMonths = installmentMonths
        self.cardBrand = cardBrand
        self.cardCompanyCode = cardCompanyCode
        self.cardMasked = cardMasked
        self.cardFingerprint = cardFingerprint
        self.trace = trace
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.customerMobilePhone = customerMobilePhone
        self.metadata = metadata
        self.requestedAt = requestedAt
    }

    package var amount: Money { Money(minorUnits: totalAmount, currency: Currency(code: currency) ?? .krw) }
}

/// One cancellation (full or partial) of a payment.
package struct CancelRecord: Sendable, Equatable {
    package enum Status: String, Sendable, Codable {
        case inProgress = "IN_PROGRESS"
        case done = "DONE"
        case aborted = "ABORTED"
    }

    package let id: UUID
    package let paymentID: UUID
    package let amount: Int64
    package let reason: String
    package var status: Status
    package let trace: TransactionTrace?
    package var approveNo: String?
    package var failureCode: ErrorCode?
    package let requestedAt: Date
    package var canceledAt: Date?
    /// This cancel's transaction with the card company.
    package var transactionKey: TransactionKey? = TransactionKey.random()
    /// The tax-free part of the amount cancelled.
    package var taxFreeAmount: Int64 = 0
    /// The process that began it, so recovery can settle it once that process is gone (`ProcessRegistry`).
    package var openedBy: UUID?

    package init(
        id: UUID = UUID(), paymentID: UUID, amount: Int64, reason: String, trace: TransactionTrace?, requestedAt: Date
    ) {
        self.id = id
        self.paymentID = paymentID
        self.amount = amount
        self.reason = reason
        self.status = .inProgress
        self.trace = trace
        self.requestedAt = requestedAt
    }
}

/// One line of a payment's timeline: a status change and the catalog code that caused it.
package struct PaymentEventRecord: Sendable, Equatable {
    package let from: PaymentStatus?
    package let to: PaymentStatus
    package let code: ErrorCode?
    package let at: Date
}

/// One message of a payment's conversation with its card company, for the console's timeline.
package struct NetworkMessageRecord: Sendable, Equatable {
    package enum Direction: String, Sendable, Codable {
        case sent = "SENT"
        case received = "RECEIVED"
        case noAnswer = "NO_ANSWER"
        /// A reversal (0400) the link owes and repeats until answered.
        case reversal = "REVERSAL"
        /// The reversal's answer (0410) came.
        case reversalSettled = "REVERSAL_SETTLED"
    }

    package let at: Date
    package let direction: Direction
    package let mti: String
    /// Element 11, and elements 7 and 41 of the message: together what tells one message from every other (STANs
    /// are six digits and wrap). Rows written before migration 025 have no transmission time or terminal.
    package let stan: String
    package let transmissionDateTime: String?
    package let terminalID: String?
    package let code: String?
    package let note: String?

    package init(at: Date, direction: Direction, mti: String, trace: TransactionTrace, code: String?, note: String?) {
        self.init(
            at: at, direction: direction, mti: mti, stan: trace.systemTraceAuditNumber,
            transmissionDateTime: trace.transmissionDateTime, terminalID: trace.terminalID, code: code, note: note)
    }

    package init(
        at: Date, direction: Direction, mti: String, stan: String, transmissionDateTime: String?, terminalID: String?,
        code: String?, note: String?
    ) {
        self.at = at
        self.direction = direction
        self.mti = mti
        self.stan = stan
        self.transmissionDateTime = transmissionDateTime
        self.terminalID = terminalID
        self.code = code
        self.note = note
    }
}

/// A request's claim on an `Idempotency-Key`: written with the first change the request makes, so a repeat that
/// arrives meanwhile is told the first is still running.
package struct IdempotencyClaim: Sendable, Equatable {
    package let merchantID: MerchantID
    package let key: String
    /// A keyed hash of the request (never the request).
    package let requestDigest: String
    package let createdAt: Date
    package let expiresAt: Date
    /// The process that claims it: once that process is gone, the claim no longer means "still running".
    package var processID: UUID?

    package init(merchantID: MerchantID, key: String, requestDigest: String, createdAt: Date, expiresAt: Date) {
        self.merchantID = merchantID
        self.key = key
        self.requestDigest = requestDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The answer stored for a claimed key, replayed to every repeat.
package struct StoredResponse: Sendable, Equatable {
    package let status: Int
    package let body: String
    /// `Retry-After` of the first answer. Not stored: a replay answers without it.
    package var retryAfter: Int?

    package init(status: Int, body: String, retryAfter: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }
}

extension Sequence where Element == CancelRecord {
    /// The tax-free part the cancels of a payment have taken off it: every cancel not refused, including one still
    /// running (its amount is already off the balance).
    package var taxFreeTaken: Int64 {
        filter { $0.status != .aborted }.map(\.taxFreeAmount).reduce(0, +)
    }
}
