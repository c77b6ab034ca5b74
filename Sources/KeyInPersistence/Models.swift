import FluentKit
import Foundation
import KeyInCore

// Fluent models: rows as the database holds them. Internal: only the stores see them, and they hand the rest of
// the gateway records (PaymentRecord and the like) instead.

final class MerchantModel: Model, @unchecked Sendable {
    static let schema = "merchants"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Shown to customers beside support (chat, inquiries): e.g. `02-1234-5678`, `평일 10:00–18:00`.
    @OptionalField(key: "support_phone") var supportPhone: String?
    @OptionalField(key: "support_hours") var supportHours: String?
    /// A merchant that may only ever have test keys (the embedded start's demo merchant).
    @Field(key: "test_only") var testOnly: Bool
    /// The merchant's card-testing limits (JSON), when it changed the defaults.
    @OptionalField(key: "card_testing") var cardTesting: String?
    /// When the merchant's payments are 3-D Secure authenticated (JSON), when it changed the defaults.
    @OptionalField(key: "authentication_policy") var authenticationPolicy: String?

    init() {}

    init(id: UUID? = nil, name: String, testOnly: Bool = false) {
        self.id = id
        self.name = name
        self.testOnly = testOnly
    }
}

final class APIKeyModel: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "mode") var mode: APIKeyMode
    /// SHA-256 of the secret key, hex. The key itself is shown once and never stored.
    @Field(key: "key_hash") var keyHash: String
    /// The first characters, to tell keys apart in the console.
    @Field(key: "key_prefix") var keyPrefix: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(merchantID: UUID, mode: APIKeyMode, keyHash: String, keyPrefix: String) {
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
    @Field(key: "mode") var mode: PaymentMode
    @Field(key: "payment_key") var paymentKey: String
    @Field(key: "order_id") var orderID: String
    /// `merchant id:order id` while the order holds a live payment; cleared when the payment aborts, so the order
    /// can be paid again. A unique index makes a second live payment for one order impossible.
    @OptionalField(key: "order_lock") var orderLock: String?
    @Field(key: "order_name") var orderName: String
    @Field(key: "status") var status: PaymentStatus
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
    @OptionalField(key: "transaction_key") var transactionKey: String?
    @Field(key: "tax_free_amount") var taxFreeAmount: Int64
    @Field(key: "free_installment") var usesFreeInstallmentPlan: Bool
    /// `CardKind` and `CardOwnerType` raw values; null on payments made before they were recorded.
    @OptionalField(key: "card_kind") var cardKind: String?
    @OptionalField(key: "card_owner") var cardOwner: String?
    /// The decision point's reasons (JSON), when any rule had something to say.
    @OptionalField(key: "decision") var decision: String?
    /// The process that opened the payment (`ProcessRegistry`), while it may still be working on it.
    @OptionalField(key: "opened_by") var openedBy: UUID?
    /// A capture in flight: its trace (JSON), the process sending it, and when it began.
    @OptionalField(key: "capture_trace") var captureTrace: String?
    @OptionalField(key: "capture_by") var captureBy: UUID?
    @OptionalField(key: "capture_at") var captureAt: Date?
    /// Its 3-D Secure authentication (JSON, `PaymentAuthentication`), when it had one.
    @OptionalField(key: "authentication") var authentication: String?

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
}

/// A request made with an `Idempotency-Key`: a keyed hash of the request (never the request), and once done,
/// the response to replay.
final class IdempotencyRecordModel: Model, @unchecked Sendable {
    static let schema = "idempotency_records"

    @ID(key: .id) var id: UUID?
    @Field(key: "merchant_id") var merchantID: UUID
    @Field(key: "idempotency_key") var key: String
    @Field(key: "request_digest") var requestDigest: String
    @Field(key: "state") var state: IdempotencyState
    @OptionalField(key: "response_status") var responseStatus: Int?
    @OptionalField(key: "response_body") var responseBody: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    /// The process that claimed the key, and the payment the request started (a key-in payment's claim only).
    @OptionalField(key: "process_id") var processID: UUID?
    @OptionalField(key: "payment_id") var paymentID: UUID?

    init() {}
}

/// A reversal the link owes a card company (see `PendingReversalStore`); no card data in it.
final class PendingReversalModel: Model, @unchecked Sendable {
    static let schema = "pending_reversals"

    @ID(key: .id) var id: UUID?
    /// Which link sends it: the test link (the built-in simulator) or the live one.
    @Field(key: "mode") var mode: PaymentMode
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
    @Field(key: "status") var status: CancelRecord.Status
    @OptionalField(key: "trace") var trace: String?
    @OptionalField(key: "approve_no") var approveNo: String?
    @OptionalField(key: "failure_code") var failureCode: String?
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "canceled_at") var canceledAt: Date?
    @OptionalField(key: "transaction_key") var transactionKey: String?
    @Field(key: "tax_free_amount") var taxFreeAmount: Int64
    /// The process that began the cancel (`ProcessRegistry`), while it may still be working on it.
    @OptionalField(key: "opened_by") var openedBy: UUID?

    init() {}
}

/// A merchant's webhook endpoint. The signing secret is kept sealed by the vault (it must be read back to sign).
final class WebhookEndpointModel: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "mode") var mode: PaymentMode
    @Field(key: "url") var url: String
    /// Event types, comma-separated.
    @Field(key: "events") var events: String
    @OptionalField(key: "description") var endpointDescription: String?
    @Field(key: "secret_ciphertext") var secretCiphertext: Data
    @Field(key: "secret_wrapped_key") var secretWrappedKey: Data
    @Field(key: "master_key_id") var masterKeyID: String
    @Field(key: "created_at") var createdAt: Date
    /// Set when the merchant removes the endpoint: nothing new is queued for it, its log stays readable.
    @OptionalField(key: "deleted_at") var deletedAt: Date?

    init() {}

    var eventTypes: [String] { Self.eventTypes(in: events).map(String.init) }

    /// The event types of an `events` column.
    static func eventTypes(in events: String) -> [Substring] { events.split(separator: ",") }
}

/// One event for one endpoint: the outbox row, written in the same transaction as the change it reports.
final class WebhookDeliveryModel: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    /// Also the delivery id sent in `KeyIn-Delivery-Id`.
    @ID(key: .id) var id: UUID?
    @Parent(key: "endpoint_id") var endpoint: WebhookEndpointModel
    @Field(key: "merchant_id") var merchantID: UUID
    @Field(key: "mode") var mode: PaymentMode
    @Field(key: "event_type") var eventType: WebhookEventType
    @Field(key: "payment_key") var paymentKey: String
    /// The exact body sent on every attempt (so a signature is over the same bytes each time).
    @Field(key: "payload") var payload: String
    @Field(key: "status") var status: WebhookDeliveryStatus
    @Field(key: "attempt_count") var attemptCount: Int
    /// When the next attempt is due, epoch milliseconds (an integer so the claim compares exactly on both
    /// databases); while an attempt runs it holds the lease's end.
    @OptionalField(key: "next_attempt_ms") var nextAttemptMilliseconds: Int64?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_attempt_at") var lastAttemptAt: Date?
    @OptionalField(key: "last_response_status") var lastResponseStatus: Int?
    @OptionalField(key: "last_error") var lastError: String?
    /// The process holding the lease of the attempt in flight (`ProcessRegistry`).
    @OptionalField(key: "claimed_by") var claimedBy: UUID?

    init() {}
}

/// One try at delivering a webhook: what came back, for the delivery log.
final class WebhookAttemptModel: Model, @unchecked Sendable {
    static let schema = "webhook_attempts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "delivery_id") var delivery: WebhookDeliveryModel
    @Field(key: "attempt_number") var attemptNumber: Int
    @Field(key: "attempted_at") var attemptedAt: Date
    @OptionalField(key: "response_status") var responseStatus: Int?
    @OptionalField(key: "error") var error: String?
    @Field(key: "duration_ms") var durationMilliseconds: Int

    init() {}
}

/// A payment link: an amount and order a customer pays once, on the hosted page at `/pay/{linkKey}`.
final class PaymentLinkModel: Model, @unchecked Sendable {
    static let schema = "payment_links"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "mode") var mode: PaymentMode
    /// The unguessable token in the link's URL (the link's id stays internal).
    @Field(key: "link_key") var linkKey: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "order_id") var orderID: String
    @Field(key: "order_name") var orderName: String
    @OptionalField(key: "customer_name") var customerName: String?
    @OptionalField(key: "customer_email") var customerEmail: String?
    @OptionalField(key: "customer_mobile_phone") var customerMobilePhone: String?
    @Field(key: "expires_at") var expiresAt: Date
    /// Set when the merchant withdraws the link before it is paid.
    @OptionalField(key: "canceled_at") var canceledAt: Date?
    /// The payment that paid it; set once.
    @OptionalField(key: "payment_key") var paymentKey: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A message KeyIn sends on a merchant's behalf (a payment link by SMS or KakaoTalk, a receipt): queued here,
/// then handed to the configured sender. The default sender only records it, so the console shows what would
/// have been sent.
final class OutboundMessageModel: Model, @unchecked Sendable {
    static let schema = "outbound_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "channel") var channel: MessageChannel
    @Field(key: "recipient") var recipient: String
    @Field(key: "body") var body: String
    /// What the message is about: `payment_link:<id>` or `payment:<paymentKey>`.
    @Field(key: "subject_ref") var subjectReference: String
    @Field(key: "status") var status: OutboundMessageStatus
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "error") var error: String?
    /// While a process sends it: until when (epoch milliseconds) the others leave it alone.
    @OptionalField(key: "lease_until_ms") var leaseUntilMilliseconds: Int64?

    init() {}
}

/// A person at a merchant who signs in to the console: an owner (everything, staff and keys included) or staff.
final class StaffAccountModel: Model, @unchecked Sendable {
    static let schema = "staff_accounts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "email") var email: String
    /// bcrypt.
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: StaffRole
    @Field(key: "failed_sign_ins") var failedSignIns: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A signed-in console session. The cookie holds a random token; only its SHA-256 is stored.
final class ConsoleSessionModel: Model, @unchecked Sendable {
    static let schema = "console_sessions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "staff_id") var staff: StaffAccountModel
    @Field(key: "token_hash") var tokenHash: String
    /// Sent back with every form; a request from another site cannot know it.
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// A password reset asked for by e-mail. The link carries a random token; only its SHA-256 is stored. One use,
/// 30 minutes.
final class PasswordResetModel: Model, @unchecked Sendable {
    static let schema = "password_resets"

    @ID(key: .id) var id: UUID?
    @Parent(key: "staff_id") var staff: StaffAccountModel
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}

/// One open live-chat connection, so every `keyin serve` on a shared database knows who is online: staff in a
/// merchant's console, a customer in an inquiry's conversation. Refreshed while the connection lasts; a row not
/// refreshed for `ChatPresence.freshSeconds` (a process that died) no longer counts.
final class ChatPresenceModel: Model, @unchecked Sendable {
    static let schema = "chat_presence"

    /// The connection's own id.
    @ID(key: .id) var id: UUID?
    @Field(key: "merchant_id") var merchantID: UUID
    @Field(key: "role") var role: ChatRole
    @OptionalField(key: "inquiry_id") var inquiryID: UUID?
    /// The process holding the socket (`ChatHub.processID`).
    @Field(key: "process_id") var processID: UUID
    @Field(key: "seen_at") var seenAt: Date

    init() {}
}

/// A customer's answer to the one-question survey after a payment, kept with the payment's outcome.
final class FeedbackModel: Model, @unchecked Sendable {
    static let schema = "feedback"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "payment_key") var paymentKey: String
    /// 1 (bad) to 5 (good).
    @Field(key: "rating") var rating: Int
    @OptionalField(key: "comment") var comment: String?
    /// The payment's status and error code when the answer was given.
    @Field(key: "outcome_status") var outcomeStatus: PaymentStatus
    @OptionalField(key: "outcome_code") var outcomeCode: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A customer's question to a merchant: sent from a payment's result page or receipt, or a chat no staff member
/// was there to answer.
final class InquiryModel: Model, @unchecked Sendable {
    static let schema = "inquiries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @OptionalField(key: "payment_key") var paymentKey: String?
    /// What the customer was buying (the link's or payment's order name), so staff see what a question is about.
    @OptionalField(key: "order_name") var orderName: String?
    @Field(key: "channel") var channel: InquiryChannel
    @OptionalField(key: "customer_name") var customerName: String?
    /// A phone number or e-mail address the answer goes to.
    @OptionalField(key: "contact") var contact: String?
    @Field(key: "status") var status: InquiryStatus
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class InquiryMessageModel: Model, @unchecked Sendable {
    static let schema = "inquiry_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "inquiry_id") var inquiry: InquiryModel
    @Field(key: "author") var author: InquiryAuthor
    @OptionalField(key: "staff_email") var staffEmail: String?
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One message of a payment's conversation with its card company, for the console's timeline: what was sent
/// (MTI, STAN), what came back (response, catalog code), and what the link did about silence (a reversal).
final class NetworkMessageModel: Model, @unchecked Sendable {
    static let schema = "network_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "payment_id") var payment: PaymentModel
    @Field(key: "at") var at: Date
    @Field(key: "direction") var direction: NetworkMessageRecord.Direction
    @Field(key: "mti") var mti: String
    @Field(key: "stan") var stan: String
    /// Element 7 and element 41 of the message: with the STAN, what tells one message from every other (STANs are
    /// six digits and wrap).
    @OptionalField(key: "transmitted") var transmissionDateTime: String?
    @OptionalField(key: "terminal_id") var terminalID: String?
    @OptionalField(key: "code") var code: String?
    @OptionalField(key: "note") var note: String?

    init() {}
}
