import Fluent
import Foundation

// Fluent models: rows as the database holds them. They never leave the persistence layer; the API speaks DTOs
// built from them, and the domain speaks KeyInCore types.

final class MerchantModel: Model, @unchecked Sendable {
    static let schema = "merchants"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

final class APIKeyModel: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    /// `test` or `live`.
    @Field(key: "mode") var mode: String
    /// SHA-256 of the secret key, hex. The key itself is shown once and never stored.
    @Field(key: "key_hash") var keyHash: String
    /// The first characters, to tell keys apart in the console.
    @Field(key: "key_prefix") var keyPrefix: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(merchantID: UUID, mode: String, keyHash: String, keyPrefix: String) {
        self.$merchant.id = merchantID
        self.mode = mode
        self.keyHash = keyHash
        self.keyPrefix = keyPrefix
    }
}

final class PaymentModel: Model, @unchecked Sendable {
    static let schema = "payments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "payment_key") var paymentKey: String
    @Field(key: "order_id") var orderID: String
    /// `merchant id:order id` while the order holds a live payment; cleared when the payment aborts, so the order
    /// can be paid again. A unique index makes a second live payment for one order impossible.
    @OptionalField(key: "order_lock") var orderLock: String?
    @Field(key: "order_name") var orderName: String
    @Field(key: "status") var status: String
    @Field(key: "total_amount") var totalAmount: Int64
    @Field(key: "balance_amount") var balanceAmount: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "capture") var capture: Bool
    @Field(key: "installment_months") var installmentMonths: Int
    @Field(key: "card_brand") var cardBrand: String
    @OptionalField(key: "card_company_code") var cardCompanyCode: String?
    @Field(key: "card_masked") var cardMasked: String
    @Field(key: "card_fingerprint") var cardFingerprint: String
    @OptionalField(key: "approve_no") var approveNo: String?
    @OptionalField(key: "rrn") var retrievalReferenceNumber: String?
    /// The ISO 8583 trace of the authorization (JSON), stored before it is sent so a crash can reverse it.
    @OptionalField(key: "trace") var trace: String?
    @OptionalField(key: "customer_name") var customerName: String?
    @OptionalField(key: "customer_email") var customerEmail: String?
    @OptionalField(key: "customer_mobile_phone") var customerMobilePhone: String?
    @OptionalField(key: "metadata") var metadata: String?
    @OptionalField(key: "failure_code") var failureCode: String?
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "approved_at") var approvedAt: Date?
    /// When the last cancel was accepted, in epoch milliseconds (an integer, so SQLite and PostgreSQL compare it
    /// alike in the atomic balance update).
    @OptionalField(key: "last_cancel_ms") var lastCancelMilliseconds: Int64?

    init() {}
}

/// The encrypted card number of a payment, kept only as long as refunds need it. Deleting the row destroys the
/// only wrapped copy of its data key: the number is gone for good (crypto-shredding).
final class CardRecordModel: Model, @unchecked Sendable {
    static let schema = "card_records"

    @ID(key: .id) var id: UUID?
    @Parent(key: "payment_id") var payment: PaymentModel
    @Field(key: "ciphertext") var ciphertext: Data
    @Field(key: "wrapped_data_key") var wrappedDataKey: Data
    @Field(key: "master_key_id") var masterKeyID: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// One line of a payment's timeline.
final class PaymentEventModel: Model, @unchecked Sendable {
    static let schema = "payment_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "payment_id") var payment: PaymentModel
    @OptionalField(key: "from_status") var fromStatus: String?
    @Field(key: "to_status") var toStatus: String
    @OptionalField(key: "code") var code: String?
    @Field(key: "at") var at: Date

    init() {}

    init(paymentID: UUID, from: String?, to: String, code: String?, at: Date) {
        self.$payment.id = paymentID
        self.fromStatus = from
        self.toStatus = to
        self.code = code
        self.at = at
    }
}

/// A request made with an `Idempotency-Key`: a keyed hash of the request (never the request), and once done,
/// the response to replay.
final class IdempotencyRecordModel: Model, @unchecked Sendable {
    static let schema = "idempotency_records"

    @ID(key: .id) var id: UUID?
    @Field(key: "merchant_id") var merchantID: UUID
    @Field(key: "idempotency_key") var key: String
    @Field(key: "request_digest") var requestDigest: String
    /// `processing` or `completed`.
    @Field(key: "state") var state: String
    @OptionalField(key: "response_status") var responseStatus: Int?
    @OptionalField(key: "response_body") var responseBody: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// A reversal the link owes a card company (see `PendingReversalStore`); no card data in it.
final class PendingReversalModel: Model, @unchecked Sendable {
    static let schema = "pending_reversals"

    @ID(key: .id) var id: UUID?
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One cancellation (full or partial) of a payment: recorded IN_PROGRESS with its trace before the refund is sent.
final class CancelModel: Model, @unchecked Sendable {
    static let schema = "cancels"

    @ID(key: .id) var id: UUID?
    @Parent(key: "payment_id") var payment: PaymentModel
    @Field(key: "amount") var amount: Int64
    @Field(key: "reason") var reason: String
    /// IN_PROGRESS, DONE or ABORTED.
    @Field(key: "status") var status: String
    @OptionalField(key: "trace") var trace: String?
    @OptionalField(key: "approve_no") var approveNo: String?
    @OptionalField(key: "failure_code") var failureCode: String?
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "canceled_at") var canceledAt: Date?

    init() {}
}
