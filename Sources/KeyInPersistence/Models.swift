import FluentKit
import Foundation
import KeyInCore

// Fluent models: rows as the database holds them. The stores turn them into records (PaymentRecord and the
// like) for the rest of the gateway; the models of the areas not yet behind a store are still `package`.

package final class MerchantModel: Model, @unchecked Sendable {
    package static let schema = "merchants"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    /// Shown to customers beside support (chat, inquiries): e.g. `02-1234-5678`, `평일 10:00–18:00`.
    @OptionalField(key: "support_phone") package var supportPhone: String?
    @OptionalField(key: "support_hours") package var supportHours: String?

    package init() {}

    package init(id: UUID? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

package final class APIKeyModel: Model, @unchecked Sendable {
    package static let schema = "api_keys"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @Field(key: "mode") package var mode: APIKeyMode
    /// SHA-256 of the secret key, hex. The key itself is shown once and never stored.
    @Field(key: "key_hash") package var keyHash: String
    /// The first characters, to tell keys apart in the console.
    @Field(key: "key_prefix") package var keyPrefix: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?

    package init() {}

    init(merchantID: UUID, mode: APIKeyMode, keyHash: String, keyPrefix: String) {
        self.$merchant.id = merchantID
        self.mode = mode
        self.keyHash = keyHash
        self.keyPrefix = keyPrefix
    }
}

package final class PaymentModel: Model, @unchecked Sendable {
    package static let schema = "payments"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @Field(key: "payment_key") package var paymentKey: String
    @Field(key: "order_id") package var orderID: String
    /// `merchant id:order id` while the order holds a live payment; cleared when the payment aborts, so the order
    /// can be paid again. A unique index makes a second live payment for one order impossible.
    @OptionalField(key: "order_lock") package var orderLock: String?
    @Field(key: "order_name") package var orderName: String
    @Field(key: "status") package var status: PaymentStatus
    @Field(key: "total_amount") package var totalAmount: Int64
    @Field(key: "balance_amount") package var balanceAmount: Int64
    @Field(key: "currency") package var currency: String
    @Field(key: "capture") package var capture: Bool
    @Field(key: "installment_months") package var installmentMonths: Int
    @Field(key: "card_brand") package var cardBrand: String
    @OptionalField(key: "card_company_code") package var cardCompanyCode: String?
    @Field(key: "card_masked") package var cardMasked: String
    @Field(key: "card_fingerprint") package var cardFingerprint: String
    @OptionalField(key: "approve_no") package var approveNo: String?
    @OptionalField(key: "rrn") package var retrievalReferenceNumber: String?
    /// The ISO 8583 trace of the authorization (JSON), stored before it is sent so a crash can reverse it.
    @OptionalField(key: "trace") package var trace: String?
    @OptionalField(key: "customer_name") package var customerName: String?
    @OptionalField(key: "customer_email") package var customerEmail: String?
    @OptionalField(key: "customer_mobile_phone") package var customerMobilePhone: String?
    @OptionalField(key: "metadata") package var metadata: String?
    @OptionalField(key: "failure_code") package var failureCode: String?
    @Field(key: "requested_at") package var requestedAt: Date
    @OptionalField(key: "approved_at") package var approvedAt: Date?
    /// When the last cancel was accepted, in epoch milliseconds (an integer, so SQLite and PostgreSQL compare it
    /// alike in the atomic balance update).
    @OptionalField(key: "last_cancel_ms") package var lastCancelMilliseconds: Int64?

    package init() {}
}

/// The encrypted card number of a payment, kept only as long as refunds need it. Deleting the row destroys the
/// only wrapped copy of its data key: the number is gone for good (crypto-shredding).
package final class CardRecordModel: Model, @unchecked Sendable {
    package static let schema = "card_records"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "payment_id") package var payment: PaymentModel
    @Field(key: "ciphertext") package var ciphertext: Data
    @Field(key: "wrapped_data_key") package var wrappedDataKey: Data
    @Field(key: "master_key_id") package var masterKeyID: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
}

/// One line of a payment's timeline.
package final class PaymentEventModel: Model, @unchecked Sendable {
    package static let schema = "payment_events"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "payment_id") package var payment: PaymentModel
    @OptionalField(key: "from_status") package var fromStatus: String?
    @Field(key: "to_status") package var toStatus: String
    @OptionalField(key: "code") package var code: String?
    @Field(key: "at") package var at: Date

    package init() {}

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
package final class IdempotencyRecordModel: Model, @unchecked Sendable {
    package static let schema = "idempotency_records"

    @ID(key: .id) package var id: UUID?
    @Field(key: "merchant_id") package var merchantID: UUID
    @Field(key: "idempotency_key") package var key: String
    @Field(key: "request_digest") package var requestDigest: String
    @Field(key: "state") package var state: IdempotencyState
    @OptionalField(key: "response_status") package var responseStatus: Int?
    @OptionalField(key: "response_body") package var responseBody: String?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "expires_at") package var expiresAt: Date

    package init() {}
}

/// A reversal the link owes a card company (see `PendingReversalStore`); no card data in it.
package final class PendingReversalModel: Model, @unchecked Sendable {
    package static let schema = "pending_reversals"

    @ID(key: .id) package var id: UUID?
    @Field(key: "body") package var body: String
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// One cancellation (full or partial) of a payment: recorded IN_PROGRESS with its trace before the refund is sent.
package final class CancelModel: Model, @unchecked Sendable {
    package static let schema = "cancels"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "payment_id") package var payment: PaymentModel
    @Field(key: "amount") package var amount: Int64
    @Field(key: "reason") package var reason: String
    @Field(key: "status") package var status: CancelRecord.Status
    @OptionalField(key: "trace") package var trace: String?
    @OptionalField(key: "approve_no") package var approveNo: String?
    @OptionalField(key: "failure_code") package var failureCode: String?
    @Field(key: "requested_at") package var requestedAt: Date
    @OptionalField(key: "canceled_at") package var canceledAt: Date?

    package init() {}
}

/// A merchant's webhook endpoint. The signing secret is kept sealed by the vault (it must be read back to sign).
package final class WebhookEndpointModel: Model, @unchecked Sendable {
    package static let schema = "webhook_endpoints"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @Field(key: "url") package var url: String
    /// Event types, comma-separated.
    @Field(key: "events") package var events: String
    @OptionalField(key: "description") package var endpointDescription: String?
    @Field(key: "secret_ciphertext") package var secretCiphertext: Data
    @Field(key: "secret_wrapped_key") package var secretWrappedKey: Data
    @Field(key: "master_key_id") package var masterKeyID: String
    @Field(key: "created_at") package var createdAt: Date
    /// Set when the merchant removes the endpoint: nothing new is queued for it, its log stays readable.
    @OptionalField(key: "deleted_at") package var deletedAt: Date?

    package init() {}

    package var eventTypes: [String] { events.split(separator: ",").map(String.init) }
}

/// One event for one endpoint: the outbox row, written in the same transaction as the change it reports.
package final class WebhookDeliveryModel: Model, @unchecked Sendable {
    package static let schema = "webhook_deliveries"

    /// Also the delivery id sent in `KeyIn-Delivery-Id`.
    @ID(key: .id) package var id: UUID?
    @Parent(key: "endpoint_id") package var endpoint: WebhookEndpointModel
    @Field(key: "merchant_id") package var merchantID: UUID
    @Field(key: "event_type") package var eventType: WebhookEventType
    @Field(key: "payment_key") package var paymentKey: String
    /// The exact body sent on every attempt (so a signature is over the same bytes each time).
    @Field(key: "payload") package var payload: String
    @Field(key: "status") package var status: WebhookDeliveryStatus
    @Field(key: "attempt_count") package var attemptCount: Int
    /// When the next attempt is due, epoch milliseconds (an integer so the claim compares exactly on both
    /// databases); while an attempt runs it holds the lease's end.
    @OptionalField(key: "next_attempt_ms") package var nextAttemptMilliseconds: Int64?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "last_attempt_at") package var lastAttemptAt: Date?
    @OptionalField(key: "last_response_status") package var lastResponseStatus: Int?
    @OptionalField(key: "last_error") package var lastError: String?

    package init() {}
}

/// One try at delivering a webhook: what came back, for the delivery log.
package final class WebhookAttemptModel: Model, @unchecked Sendable {
    package static let schema = "webhook_attempts"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "delivery_id") package var delivery: WebhookDeliveryModel
    @Field(key: "attempt_number") package var attemptNumber: Int
    @Field(key: "attempted_at") package var attemptedAt: Date
    @OptionalField(key: "response_status") package var responseStatus: Int?
    @OptionalField(key: "error") package var error: String?
    @Field(key: "duration_ms") package var durationMilliseconds: Int

    package init() {}
}

/// A payment link: an amount and order a customer pays once, on the hosted page at `/pay/{linkKey}`.
package final class PaymentLinkModel: Model, @unchecked Sendable {
    package static let schema = "payment_links"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    /// The unguessable token in the link's URL (the link's id stays internal).
    @Field(key: "link_key") package var linkKey: String
    @Field(key: "amount") package var amount: Int64
    @Field(key: "currency") package var currency: String
    @Field(key: "order_id") package var orderID: String
    @Field(key: "order_name") package var orderName: String
    @OptionalField(key: "customer_name") package var customerName: String?
    @OptionalField(key: "customer_email") package var customerEmail: String?
    @OptionalField(key: "customer_mobile_phone") package var customerMobilePhone: String?
    @Field(key: "expires_at") package var expiresAt: Date
    /// Set when the merchant withdraws the link before it is paid.
    @OptionalField(key: "canceled_at") package var canceledAt: Date?
    /// The payment that paid it; set once.
    @OptionalField(key: "payment_key") package var paymentKey: String?
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A message KeyIn sends on a merchant's behalf (a payment link by SMS or KakaoTalk, a receipt): queued here,
/// then handed to the configured sender. The default sender only records it, so the console shows what would
/// have been sent.
package final class OutboundMessageModel: Model, @unchecked Sendable {
    package static let schema = "outbound_messages"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @Field(key: "channel") package var channel: MessageChannel
    @Field(key: "recipient") package var recipient: String
    @Field(key: "body") package var body: String
    /// What the message is about: `payment_link:<id>` or `payment:<paymentKey>`.
    @Field(key: "subject_ref") package var subjectReference: String
    @Field(key: "status") package var status: OutboundMessageStatus
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "sent_at") package var sentAt: Date?
    @OptionalField(key: "error") package var error: String?
    /// While a process sends it: until when (epoch milliseconds) the others leave it alone.
    @OptionalField(key: "lease_until_ms") package var leaseUntilMilliseconds: Int64?

    package init() {}
}

/// A person at a merchant who signs in to the console: an owner (everything, staff and keys included) or staff.
package final class StaffAccountModel: Model, @unchecked Sendable {
    package static let schema = "staff_accounts"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @Field(key: "email") package var email: String
    /// bcrypt.
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "role") package var role: StaffRole
    @Field(key: "failed_sign_ins") package var failedSignIns: Int
    @OptionalField(key: "locked_until") package var lockedUntil: Date?
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A signed-in console session. The cookie holds a random token; only its SHA-256 is stored.
package final class ConsoleSessionModel: Model, @unchecked Sendable {
    package static let schema = "console_sessions"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "staff_id") package var staff: StaffAccountModel
    @Field(key: "token_hash") package var tokenHash: String
    /// Sent back with every form; a request from another site cannot know it.
    @Field(key: "csrf_token") package var csrfToken: String
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "expires_at") package var expiresAt: Date

    package init() {}
}

/// A password reset asked for by e-mail. The link carries a random token; only its SHA-256 is stored. One use,
/// 30 minutes.
package final class PasswordResetModel: Model, @unchecked Sendable {
    package static let schema = "password_resets"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "staff_id") package var staff: StaffAccountModel
    @Field(key: "token_hash") package var tokenHash: String
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "expires_at") package var expiresAt: Date
    @OptionalField(key: "used_at") package var usedAt: Date?

    package init() {}
}

/// One open live-chat connection, so every `keyin serve` on a shared database knows who is online: staff in a
/// merchant's console, a customer in an inquiry's conversation. Refreshed while the connection lasts; a row not
/// refreshed for `ChatPresence.freshSeconds` (a process that died) no longer counts.
package final class ChatPresenceModel: Model, @unchecked Sendable {
    package static let schema = "chat_presence"

    /// The connection's own id.
    @ID(key: .id) package var id: UUID?
    @Field(key: "merchant_id") package var merchantID: UUID
    @Field(key: "role") package var role: ChatRole
    @OptionalField(key: "inquiry_id") package var inquiryID: UUID?
    /// The process holding the socket (`ChatHub.processID`).
    @Field(key: "process_id") package var processID: UUID
    @Field(key: "seen_at") package var seenAt: Date

    package init() {}
}

/// A customer's answer to the one-question survey after a payment, kept with the payment's outcome.
package final class FeedbackModel: Model, @unchecked Sendable {
    package static let schema = "feedback"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @Field(key: "payment_key") package var paymentKey: String
    /// 1 (bad) to 5 (good).
    @Field(key: "rating") package var rating: Int
    @OptionalField(key: "comment") package var comment: String?
    /// The payment's status and error code when the answer was given.
    @Field(key: "outcome_status") package var outcomeStatus: PaymentStatus
    @OptionalField(key: "outcome_code") package var outcomeCode: String?
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A customer's question to a merchant: sent from a payment's result page or receipt, or a chat no staff member
/// was there to answer.
package final class InquiryModel: Model, @unchecked Sendable {
    package static let schema = "inquiries"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "merchant_id") package var merchant: MerchantModel
    @OptionalField(key: "payment_key") package var paymentKey: String?
    /// What the customer was buying (the link's or payment's order name), so staff see what a question is about.
    @OptionalField(key: "order_name") package var orderName: String?
    @Field(key: "channel") package var channel: InquiryChannel
    @OptionalField(key: "customer_name") package var customerName: String?
    /// A phone number or e-mail address the answer goes to.
    @OptionalField(key: "contact") package var contact: String?
    @Field(key: "status") package var status: InquiryStatus
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}
}

package final class InquiryMessageModel: Model, @unchecked Sendable {
    package static let schema = "inquiry_messages"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "inquiry_id") package var inquiry: InquiryModel
    @Field(key: "author") package var author: InquiryAuthor
    @OptionalField(key: "staff_email") package var staffEmail: String?
    @Field(key: "body") package var body: String
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// One message of a payment's conversation with its card company, for the console's timeline: what was sent
/// (MTI, STAN), what came back (response, catalog code), and what the link did about silence (a reversal).
package final class NetworkMessageModel: Model, @unchecked Sendable {
    package static let schema = "network_messages"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "payment_id") package var payment: PaymentModel
    @Field(key: "at") package var at: Date
    @Field(key: "direction") package var direction: NetworkMessageRecord.Direction
    @Field(key: "mti") package var mti: String
    @Field(key: "stan") package var stan: String
    /// Element 7 and element 41 of the message: with the STAN, what tells one message from every other (STANs are
    /// six digits and wrap).
    @OptionalField(key: "transmitted") package var transmissionDateTime: String?
    @OptionalField(key: "terminal_id") package var terminalID: String?
    @OptionalField(key: "code") package var code: String?
    @OptionalField(key: "note") package var note: String?

    package init() {}
}
