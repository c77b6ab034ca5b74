import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// Where a message KeyIn sends for a merchant stands.
package enum OutboundMessageStatus: String, Sendable, Codable {
    case pending = "PENDING"
    case sent = "SENT"
    /// Kept by the default sender, which sends nothing (the console shows what would have gone).
    case recorded = "RECORDED"
    case failed = "FAILED"
}

/// A message KeyIn sends on a merchant's behalf (a payment link by SMS or KakaoTalk, a reset mail).
package struct OutboundMessageRecord: Sendable, Equatable {
    package let id: UUID
    package let merchantID: MerchantID
    package let channel: MessageChannel
    package let recipient: String
    package let body: String
    /// What the message is about: `payment_link:<id>`, `payment:<paymentKey>`, `password_reset:<staff id>`.
    package let subjectReference: String
    package let status: OutboundMessageStatus
    package let createdAt: Date
    package let sentAt: Date?
    package let error: String?
}

/// The customer message outbox. Several gateway processes can share it: a message is claimed under a lease
/// before it is sent, so only one of them sends it.
package struct MessageStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package func enqueue(
        _ channel: MessageChannel, to recipient: String, body: String, about subject: String, merchantID: MerchantID,
        at date: Date
    ) async throws {
        let message = OutboundMessageModel()
        message.$merchant.id = merchantID.rawValue
        message.channel = channel
        message.recipient = recipient
        message.body = body
        message.subjectReference = subject
        message.status = .pending
        message.createdAt = date
        try await message.create(on: database)
    }

    /// Waiting messages no process holds at `milliseconds`, oldest first.
    package func pending(at milliseconds: Int64, limit: Int) async throws -> [OutboundMessageRecord] {
        try await OutboundMessageModel.query(on: database).filter(\.$status == .pending)
            .group(.or) { free in
                free.filter(\.$leaseUntilMilliseconds == nil).filter(\.$leaseUntilMilliseconds <= milliseconds)
            }
            .sort(\.$createdAt).limit(limit).all().map(OutboundMessageRecord.init)
    }

    /// Takes the message until `until` (epoch milliseconds), unless another process holds it. False when refused.
    package func claim(_ id: UUID, at milliseconds: Int64, until: Int64) async throws -> Bool {
        try await database.compareAndSet(OutboundMessageModel.schema) {
            $0.set("lease_until_ms", to: until).where("id", .equal, id)
                .where("status", .equal, OutboundMessageStatus.pending.rawValue)
                .where(group: {
                    $0.where("lease_until_ms", .is, SQLLiteral.null).orWhere(
                        "lease_until_ms", .lessThanOrEqual, milliseconds)
                })
        }
    }

    /// Records what became of a claimed message, with what is kept of its body, and lets go of it.
    package func finish(
        _ id: UUID, status: OutboundMessageStatus, keptBody: String, sentAt: Date?, error: String?
    ) async throws {
        try await OutboundMessageModel.query(on: database).filter(\.$id == id)
            .set(\.$status, to: status).set(\.$body, to: keptBody).set(\.$sentAt, to: sentAt)
            .set(\.$error, to: error).set(\.$leaseUntilMilliseconds, to: nil).update()
    }

    /// The messages about one subject (a link's), oldest first.
    package func messages(about subject: String) async throws -> [OutboundMessageRecord] {
        try await OutboundMessageModel.query(on: database).filter(\.$subjectReference == subject)
            .sort(\.$createdAt).all().map(OutboundMessageRecord.init)
    }

    /// A merchant's newest messages whose subject starts with `prefix` (its links' messages, never its staff's mail).
    package func newest(of merchantID: MerchantID, subjectPrefix prefix: String, limit: Int) async throws
        -> [OutboundMessageRecord]
    {
        try await OutboundMessageModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$subjectReference =~ prefix).sort(\.$createdAt, .descending).limit(limit).all()
            .map(OutboundMessageRecord.init)
    }
}

extension OutboundMessageRecord {
    init(_ model: OutboundMessageModel) {
        self.init(
            id: model.id ?? UUID(), merchantID: MerchantID(model.$merchant.id), channel: model.channel,
            recipient: model.recipient,
            body: model.body, subjectReference: model.subjectReference, status: model.status,
            createdAt: model.createdAt, sentAt: model.sentAt, error: model.error)
    }
}
