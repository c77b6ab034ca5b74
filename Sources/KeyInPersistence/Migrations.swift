import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// Every schema change, in order. Append only: a migration that has run anywhere is never edited. Types are the
/// portable subset SQLite and PostgreSQL share (strings for enums, int64 minor units, UUID keys).
package enum Migrations {
    /// `existingRowsMode`: the mode rows written before modes existed (migration 031) are given — what the
    /// deployment was then: live when it named card-company hosts (its payments went to them), test otherwise.
    package static func all(existingRowsMode: PaymentMode) -> [any AsyncMigration] {
        [
            CreateMerchants(), CreateAPIKeys(), CreatePayments(), CreateCardRecords(), CreatePaymentEvents(),
            CreateIdempotencyRecords(), CreatePendingReversals(), CreateCancels(), AddLastCancelToPayments(),
            CreateWebhookEndpoints(), CreateWebhookDeliveries(), CreateWebhookAttempts(), CreatePaymentLinks(),
            CreateOutboundMessages(), CreateStaffAccounts(), CreateConsoleSessions(), AddSupportContactToMerchants(),
            CreateFeedback(), CreateInquiries(), CreateInquiryMessages(), CreateNetworkMessages(),
            CreatePasswordResets(), CreateChatPresence(), AddOrderNameToInquiries(),
            AddMessageIdentityToNetworkMessages(), AddLeaseToOutboundMessages(), AddTossFieldsToPayments(),
            AddTossFieldsToCancels(), RenameCodesToToss(), CreateAttemptWindows(),
            AddPaymentModes(existingRowsMode: existingRowsMode), CreateSourceBlocks(), AddSourceBlockStarts(),
            AddProcessOwnership(), AddCaptureInFlight(), AddWebhookClaimant(), AddCardholderAuthentication(),
        ]
    }
}

struct CreateMerchants: AsyncMigration {
    var name: String { "001_create_merchants" }

    func prepare(on database: any Database) async throws {
        try await database.schema(MerchantModel.schema)
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(MerchantModel.schema).delete() }
}

struct CreateAPIKeys: AsyncMigration {
    var name: String { "002_create_api_keys" }

    func prepare(on database: any Database) async throws {
        try await database.schema(APIKeyModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("mode", .string, .required)
            .field("key_hash", .string, .required)
            .field("key_prefix", .string, .required)
            .field("created_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(APIKeyModel.schema).delete() }
}

struct CreatePayments: AsyncMigration {
    var name: String { "003_create_payments" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("payment_key", .string, .required)
            .field("order_id", .string, .required)
            .field("order_lock", .string)
            .field("order_name", .string, .required)
            .field("status", .string, .required)
            .field("total_amount", .int64, .required)
            .field("balance_amount", .int64, .required)
            .field("currency", .string, .required)
            .field("capture", .bool, .required)
            .field("installment_months", .int, .required)
            .field("card_brand", .string, .required)
            .field("card_company_code", .string)
            .field("card_masked", .string, .required)
            .field("card_fingerprint", .string, .required)
            .field("approve_no", .string)
            .field("rrn", .string)
            .field("trace", .string)
            .field("customer_name", .string)
            .field("customer_email", .string)
            .field("customer_mobile_phone", .string)
            .field("metadata", .string)
            .field("failure_code", .string)
            .field("requested_at", .datetime, .required)
            .field("approved_at", .datetime)
            .unique(on: "payment_key")
            .unique(on: "order_lock")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(PaymentModel.schema).delete() }
}

struct CreateCardRecords: AsyncMigration {
    var name: String { "004_create_card_records" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CardRecordModel.schema)
            .id()
            .field("payment_id", .uuid, .required, .references(PaymentModel.schema, "id"))
            .field("ciphertext", .data, .required)
            .field("wrapped_data_key", .data, .required)
            .field("master_key_id", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "payment_id")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(CardRecordModel.schema).delete() }
}

struct CreatePaymentEvents: AsyncMigration {
    var name: String { "005_create_payment_events" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentEventModel.schema)
            .id()
            .field("payment_id", .uuid, .required, .references(PaymentModel.schema, "id"))
            .field("from_status", .string)
            .field("to_status", .string, .required)
            .field("code", .string)
            .field("at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(PaymentEventModel.schema).delete() }
}

struct CreateIdempotencyRecords: AsyncMigration {
    var name: String { "006_create_idempotency_records" }

    func prepare(on database: any Database) async throws {
        try await database.schema(IdempotencyRecordModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("idempotency_key", .string, .required)
            .field("request_digest", .string, .required)
            .field("state", .string, .required)
            .field("response_status", .int)
            .field("response_body", .string)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "merchant_id", "idempotency_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IdempotencyRecordModel.schema).delete()
    }
}

struct CreatePendingReversals: AsyncMigration {
    var name: String { "007_create_pending_reversals" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PendingReversalModel.schema)
            .id()
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PendingReversalModel.schema).delete()
    }
}

struct CreateCancels: AsyncMigration {
    var name: String { "008_create_cancels" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CancelModel.schema)
            .id()
            .field("payment_id", .uuid, .required, .references(PaymentModel.schema, "id"))
            .field("amount", .int64, .required)
            .field("reason", .string, .required)
            .field("status", .string, .required)
            .field("trace", .string)
            .field("approve_no", .string)
            .field("failure_code", .string)
            .field("requested_at", .datetime, .required)
            .field("canceled_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(CancelModel.schema).delete() }
}

struct AddLastCancelToPayments: AsyncMigration {
    var name: String { "009_add_last_cancel_to_payments" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentModel.schema).field("last_cancel_ms", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PaymentModel.schema).deleteField("last_cancel_ms").update()
    }
}

struct CreateWebhookEndpoints: AsyncMigration {
    var name: String { "010_create_webhook_endpoints" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookEndpointModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("url", .string, .required)
            .field("events", .string, .required)
            .field("description", .string)
            .field("secret_ciphertext", .data, .required)
            .field("secret_wrapped_key", .data, .required)
            .field("master_key_id", .string, .required)
            .field("created_at", .datetime, .required)
            .field("deleted_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookEndpointModel.schema).delete()
    }
}

struct CreateWebhookDeliveries: AsyncMigration {
    var name: String { "011_create_webhook_deliveries" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookDeliveryModel.schema)
            .id()
            .field("endpoint_id", .uuid, .required, .references(WebhookEndpointModel.schema, "id"))
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("event_type", .string, .required)
            .field("payment_key", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempt_count", .int, .required)
            .field("next_attempt_ms", .int64)
            .field("created_at", .datetime, .required)
            .field("last_attempt_at", .datetime)
            .field("last_response_status", .int)
            .field("last_error", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookDeliveryModel.schema).delete()
    }
}

struct CreateWebhookAttempts: AsyncMigration {
    var name: String { "012_create_webhook_attempts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookAttemptModel.schema)
            .id()
            .field("delivery_id", .uuid, .required, .references(WebhookDeliveryModel.schema, "id"))
            .field("attempt_number", .int, .required)
            .field("attempted_at", .datetime, .required)
            .field("response_status", .int)
            .field("error", .string)
            .field("duration_ms", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookAttemptModel.schema).delete()
    }
}

struct CreatePaymentLinks: AsyncMigration {
    var name: String { "013_create_payment_links" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentLinkModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("link_key", .string, .required)
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("order_id", .string, .required)
            .field("order_name", .string, .required)
            .field("customer_name", .string)
            .field("customer_email", .string)
            .field("customer_mobile_phone", .string)
            .field("expires_at", .datetime, .required)
            .field("canceled_at", .datetime)
            .field("payment_key", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "link_key")
            .unique(on: "merchant_id", "order_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PaymentLinkModel.schema).delete()
    }
}

struct CreateOutboundMessages: AsyncMigration {
    var name: String { "014_create_outbound_messages" }

    func prepare(on database: any Database) async throws {
        try await database.schema(OutboundMessageModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("body", .string, .required)
            .field("subject_ref", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("error", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboundMessageModel.schema).delete()
    }
}

struct CreateStaffAccounts: AsyncMigration {
    var name: String { "015_create_staff_accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(StaffAccountModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("email", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("failed_sign_ins", .int, .required)
            .field("locked_until", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAccountModel.schema).delete()
    }
}

struct CreateConsoleSessions: AsyncMigration {
    var name: String { "016_create_console_sessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ConsoleSessionModel.schema)
            .id()
            .field("staff_id", .uuid, .required, .references(StaffAccountModel.schema, "id"))
            .field("token_hash", .string, .required)
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConsoleSessionModel.schema).delete()
    }
}

struct AddSupportContactToMerchants: AsyncMigration {
    var name: String { "017_add_support_contact_to_merchants" }

    func prepare(on database: any Database) async throws {
        try await database.schema(MerchantModel.schema).field("support_phone", .string).update()
        try await database.schema(MerchantModel.schema).field("support_hours", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MerchantModel.schema).deleteField("support_hours").update()
        try await database.schema(MerchantModel.schema).deleteField("support_phone").update()
    }
}

struct CreateFeedback: AsyncMigration {
    var name: String { "018_create_feedback" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FeedbackModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("payment_key", .string, .required)
            .field("rating", .int, .required)
            .field("comment", .string)
            .field("outcome_status", .string, .required)
            .field("outcome_code", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "payment_key")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(FeedbackModel.schema).delete() }
}

struct CreateInquiries: AsyncMigration {
    var name: String { "019_create_inquiries" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InquiryModel.schema)
            .id()
            .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, "id"))
            .field("payment_key", .string)
            .field("channel", .string, .required)
            .field("customer_name", .string)
            .field("contact", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(InquiryModel.schema).delete() }
}

struct CreateInquiryMessages: AsyncMigration {
    var name: String { "020_create_inquiry_messages" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InquiryMessageModel.schema)
            .id()
            .field("inquiry_id", .uuid, .required, .references(InquiryModel.schema, "id"))
            .field("author", .string, .required)
            .field("staff_email", .string)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InquiryMessageModel.schema).delete()
    }
}

struct CreateNetworkMessages: AsyncMigration {
    var name: String { "021_create_network_messages" }

    func prepare(on database: any Database) async throws {
        try await database.schema(NetworkMessageModel.schema)
            .id()
            .field("payment_id", .uuid, .required, .references(PaymentModel.schema, "id"))
            .field("at", .datetime, .required)
            .field("direction", .string, .required)
            .field("mti", .string, .required)
            .field("stan", .string, .required)
            .field("code", .string)
            .field("note", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(NetworkMessageModel.schema).delete()
    }
}

struct CreatePasswordResets: AsyncMigration {
    var name: String { "022_create_password_resets" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PasswordResetModel.schema)
            .id()
            .field("staff_id", .uuid, .required, .references(StaffAccountModel.schema, "id"))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PasswordResetModel.schema).delete()
    }
}

struct CreateChatPresence: AsyncMigration {
    var name: String { "023_create_chat_presence" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ChatPresenceModel.schema)
            .id()
            .field("merchant_id", .uuid, .required)
            .field("role", .string, .required)
            .field("inquiry_id", .uuid)
            .field("process_id", .uuid, .required)
            .field("seen_at", .datetime, .required)
            .create()
        // Every serving process reads the newest chat messages twice a second.
        try await database.sql.create(index: "inquiry_messages_created_at").on(InquiryMessageModel.schema)
            .column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "inquiry_messages_created_at").run()
        try await database.schema(ChatPresenceModel.schema).delete()
    }
}

struct AddOrderNameToInquiries: AsyncMigration {
    var name: String { "024_add_order_name_to_inquiries" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InquiryModel.schema).field("order_name", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InquiryModel.schema).deleteField("order_name").update()
    }
}

struct AddMessageIdentityToNetworkMessages: AsyncMigration {
    var name: String { "025_add_message_identity_to_network_messages" }

    func prepare(on database: any Database) async throws {
        try await database.schema(NetworkMessageModel.schema).field("transmitted", .string).update()
        try await database.schema(NetworkMessageModel.schema).field("terminal_id", .string).update()
        // A reversal's answer finds its payment by the original message's STAN.
        try await database.sql.create(index: "network_messages_stan").on(NetworkMessageModel.schema).column("stan")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "network_messages_stan").run()
        try await database.schema(NetworkMessageModel.schema).deleteField("terminal_id").update()
        try await database.schema(NetworkMessageModel.schema).deleteField("transmitted").update()
    }
}

struct AddLeaseToOutboundMessages: AsyncMigration {
    var name: String { "026_add_lease_to_outbound_messages" }

    func prepare(on database: any Database) async throws {
        try await database.schema(OutboundMessageModel.schema).field("lease_until_ms", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboundMessageModel.schema).deleteField("lease_until_ms").update()
    }
}

/// What a Toss Payments integration reads on a payment: the approval's transaction key, the tax-free part, whether
/// the merchant pays the installment interest, and the card's kind and owner type from the BIN table. Payments
/// made before get a transaction key of their own and an unknown kind and owner.
struct AddTossFieldsToPayments: AsyncMigration {
    var name: String { "027_add_toss_fields_to_payments" }

    func prepare(on database: any Database) async throws {
        let payments = PaymentModel.schema
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema(payments).field("transaction_key", .string).update()
        try await database.schema(payments).field("tax_free_amount", .int64, .required, .sql(.default(0))).update()
        try await database.schema(payments).field("free_installment", .bool, .required, .sql(.default(false)))
            .update()
        try await database.schema(payments).field("card_kind", .string).update()
        try await database.schema(payments).field("card_owner", .string).update()
        try await TransactionKeyBackfill.fill(payments, on: database)
    }

    func revert(on database: any Database) async throws {
        for column in ["card_owner", "card_kind", "free_installment", "tax_free_amount", "transaction_key"] {
            try await database.schema(PaymentModel.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

/// Each cancel's own transaction key and the tax-free part it cancelled; cancels made before get a key too.
struct AddTossFieldsToCancels: AsyncMigration {
    var name: String { "028_add_toss_fields_to_cancels" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CancelModel.schema).field("transaction_key", .string).update()
        try await database.schema(CancelModel.schema).field("tax_free_amount", .int64, .required, .sql(.default(0)))
            .update()
        try await TransactionKeyBackfill.fill(CancelModel.schema, on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CancelModel.schema).deleteField("tax_free_amount").update()
        try await database.schema(CancelModel.schema).deleteField("transaction_key").update()
    }
}

/// Two catalog codes took Toss Payments' names for the same cause (INVALID_CARD_IDENTITY_FORMAT is now
/// INVALID_BIRTH_DAY_FORMAT, EXCEED_MAX_ONE_DAY_AMOUNT is EXCEED_MAX_PAYMENT_AMOUNT): the rows that recorded the
/// old names say the new ones, so every stored failure still reads as its catalog entry.
struct RenameCodesToToss: AsyncMigration {
    var name: String { "029_rename_codes_to_toss" }

    static let renamed = [
        ("INVALID_CARD_IDENTITY_FORMAT", "INVALID_BIRTH_DAY_FORMAT"),
        ("EXCEED_MAX_ONE_DAY_AMOUNT", "EXCEED_MAX_PAYMENT_AMOUNT"),
    ]
    static let columns = [
        ("payments", "failure_code"), ("cancels", "failure_code"), ("payment_events", "code"),
        ("network_messages", "code"), ("feedback", "outcome_code"),
    ]

    func prepare(on database: any Database) async throws {
        try await rename(Self.renamed, on: database)
    }

    func revert(on database: any Database) async throws {
        try await rename(Self.renamed.map { ($0.1, $0.0) }, on: database)
    }

    private func rename(_ pairs: [(String, String)], on database: any Database) async throws {
        let sql = try database.sql
        for (table, column) in Self.columns {
            for (old, new) in pairs {
                try await sql.update(table).set(SQLIdentifier(column), to: new).where(
                    SQLIdentifier(column), .equal, old
                )
                .run()
            }
        }
    }
}

/// Gives every row of `table` without a transaction key one of its own, so no payment or cancel a Toss integration
/// reads lacks one. Row by row: SQLite and PostgreSQL make random hex differently, and the tables are small when
/// this runs once.
enum TransactionKeyBackfill {
    static func fill(_ table: String, on database: any Database) async throws {
        let sql = try database.sql
        let rows = try await sql.select().column("id").from(table).where("transaction_key", .is, SQLLiteral.null).all()
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            try await sql.update(table).set("transaction_key", to: TransactionKey.random().rawValue)
                .where("id", .equal, id).run()
        }
    }
}

/// Test mode becomes a sandbox: payments, payment links, webhook endpoints, their deliveries and pending reversals
/// carry the mode they belong to, and merchants can be test-only (the embedded start's demo merchant). The order
/// lock names the mode, so one order id can be paid once in each mode, as at Toss Payments.
struct AddPaymentModes: AsyncMigration {
    let existingRowsMode: PaymentMode

    var name: String { "031_add_payment_modes" }

    static let tables = [
        PaymentModel.schema, PaymentLinkModel.schema, WebhookEndpointModel.schema, WebhookDeliveryModel.schema,
        PendingReversalModel.schema,
    ]

    func prepare(on database: any Database) async throws {
        for table in Self.tables {
            try await database.schema(table)
                .field("mode", .string, .required, .sql(.default(existingRowsMode.rawValue))).update()
        }
        try await database.schema(MerchantModel.schema)
            .field("test_only", .bool, .required, .sql(.default(false))).update()
        try await database.sql.raw(
            "UPDATE payments SET order_lock = mode || ' ' || order_lock WHERE order_lock IS NOT NULL"
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw(
            "UPDATE payments SET order_lock = substr(order_lock, length(mode) + 2) WHERE order_lock IS NOT NULL"
        ).run()
        try await database.schema(MerchantModel.schema).deleteField("test_only").update()
        for table in Self.tables.reversed() {
            try await database.schema(table).deleteField("mode").update()
        }
    }
}
