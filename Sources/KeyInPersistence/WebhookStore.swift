import CardVault
import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// What a webhook reports.
package enum WebhookEventType: String, CaseIterable, Sendable, Codable {
    /// A payment moved to another status (approved, aborted, captured, cancelled in part or whole).
    case paymentStatusChanged = "PAYMENT_STATUS_CHANGED"
    /// A cancel finished: DONE (refunded) or ABORTED (refused; the balance was restored).
    case cancelStatusChanged = "CANCEL_STATUS_CHANGED"
    /// A card-testing rule blocked a source of the merchant's payments (or the merchant-wide figure raised an alert).
    case cardTestingAlert = "CARD_TESTING_ALERT"
}

package enum WebhookDeliveryStatus: String, Sendable, Codable {
    case pending = "PENDING"
    case succeeded = "SUCCEEDED"
    /// Every retry was used, or the endpoint was removed first.
    case failed = "FAILED"
}

/// An event to queue with a change: its body is made only when some endpoint asked for the event.
package struct WebhookEvent: Sendable {
    package let type: WebhookEventType
    package let payload: @Sendable () throws -> String

    package init(_ type: WebhookEventType, payload: @escaping @Sendable () throws -> String) {
        self.type = type
        self.payload = payload
    }
}

/// A merchant's webhook endpoint. The signing secret is kept sealed by the vault (it must be read back to sign).
package struct WebhookEndpointRecord: Sendable, Equatable {
    package let id: UUID
    package let merchantID: MerchantID
    /// A test endpoint hears only about test payments, a live one only about live ones.
    package let mode: PaymentMode
    package let url: String
    package let events: [WebhookEventType]
    package let description: String?
    package let secret: SealedCard
    package let createdAt: Date
    /// Set when the merchant removes the endpoint: nothing new is queued for it, its log stays readable.
    package var deletedAt: Date?

    package init(
        id: UUID = UUID(), merchantID: MerchantID, mode: PaymentMode, url: String, events: [WebhookEventType],
        description: String?, secret: SealedCard, createdAt: Date
    ) {
        self.id = id
        self.merchantID = merchantID
        self.mode = mode
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.createdAt = createdAt
    }
}

/// One event for one endpoint: the outbox row.
package struct WebhookDeliveryRecord: Sendable, Equatable {
    /// Also the delivery id sent in `KeyIn-Delivery-Id`.
    package let id: UUID
    package let endpointID: UUID
    package let merchantID: MerchantID
    /// Its endpoint's mode, which is its payment's.
    package let mode: PaymentMode
    package let eventType: WebhookEventType
    package let paymentKey: PaymentKey
    /// The exact body sent on every attempt (so a signature is over the same bytes each time).
    package let payload: String
    package var status: WebhookDeliveryStatus
    package var attemptCount: Int
    /// When the next attempt is due, epoch milliseconds; while an attempt runs it holds the lease's end.
    package var nextAttemptMilliseconds: Int64?
    package let createdAt: Date
    package var lastAttemptAt: Date?
    package var lastResponseStatus: Int?
    package var lastError: String?
}

/// One try at delivering a webhook: what came back, for the delivery log.
package struct WebhookAttemptRecord: Sendable, Equatable {
    package let deliveryID: UUID
    package let attemptNumber: Int
    package let attemptedAt: Date
    package let responseStatus: Int?
    package let error: String?
    package let durationMilliseconds: Int

    package init(
        deliveryID: UUID, attemptNumber: Int, attemptedAt: Date, responseStatus: Int?, error: String?,
        durationMilliseconds: Int
    ) {
        self.deliveryID = deliveryID
        self.attemptNumber = attemptNumber
        self.attemptedAt = attemptedAt
        self.responseStatus = responseStatus
        self.error = error
        self.durationMilliseconds = durationMilliseconds
    }
}

/// Webhook endpoints and the webhook outbox. Several gateway processes can share the outbox: a delivery is claimed
/// with a conditional update first, so only one of them sends it.
package struct WebhookStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// The merchant's endpoints of one mode not removed.
    package func liveEndpointCount(of merchantID: MerchantID, mode: PaymentMode) async throws -> Int {
        try await WebhookEndpointModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$mode == mode).filter(\.$deletedAt == nil).count()
    }

    package func create(_ endpoint: WebhookEndpointRecord) async throws {
        try await WebhookEndpointModel(endpoint).create(on: database)
    }

    /// The merchant's endpoint with this id in this mode, removed ones too (their log stays readable).
    package func endpoint(id: UUID, merchantID: MerchantID, mode: PaymentMode) async throws -> WebhookEndpointRecord? {
        try await WebhookEndpointModel.query(on: database).filter(\.$id == id)
            .filter(\.$merchant.$id == merchantID.rawValue).filter(\.$mode == mode)
            .first().map(WebhookEndpointRecord.init)
    }

    /// The merchant's endpoints of one mode, oldest first; removed ones only with `includingRemoved`.
    package func endpoints(of merchantID: MerchantID, mode: PaymentMode, includingRemoved: Bool) async throws
        -> [WebhookEndpointRecord]
    {
        var query = WebhookEndpointModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$mode == mode)
        if !includingRemoved { query = query.filter(\.$deletedAt == nil) }
        return try await query.sort(\.$createdAt).all().map(WebhookEndpointRecord.init)
    }

    /// Removes the endpoint at `date`; deliveries still waiting are marked FAILED, in the same transaction.
    package func remove(endpointID: UUID, at date: Date) async throws {
        try await database.transaction { database in
            try await WebhookEndpointModel.query(on: database).filter(\.$id == endpointID)
                .set(\.$deletedAt, to: date).update()
            try await WebhookDeliveryModel.query(on: database).filter(\.$endpoint.$id == endpointID)
                .filter(\.$status == .pending).set(\.$status, to: .failed)
                .set(\.$nextAttemptMilliseconds, to: nil).set(\.$lastError, to: "endpoint removed").update()
        }
    }

    package func delivery(id: UUID, endpointID: UUID) async throws -> WebhookDeliveryRecord? {
        try await WebhookDeliveryModel.query(on: database).filter(\.$id == id).filter(\.$endpoint.$id == endpointID)
            .first().map(WebhookDeliveryRecord.init)
    }

    /// A FAILED delivery made due again at `milliseconds` with a fresh set of retries. False when it was not FAILED.
    package func resend(deliveryID: UUID, at milliseconds: Int64) async throws -> Bool {
        try await database.compareAndSet(WebhookDeliveryModel.schema) {
            $0.set("status", to: WebhookDeliveryStatus.pending.rawValue).set("attempt_count", to: 0)
                .set("next_attempt_ms", to: milliseconds).where("id", .equal, deliveryID)
                .where("status", .equal, WebhookDeliveryStatus.failed.rawValue)
        }
    }

    /// An endpoint's deliveries, newest first.
    package func deliveries(of endpointID: UUID, status: WebhookDeliveryStatus?, limit: Int) async throws
        -> [WebhookDeliveryRecord]
    {
        var query = WebhookDeliveryModel.query(on: database).filter(\.$endpoint.$id == endpointID)
        if let status { query = query.filter(\.$status == status) }
        return try await query.sort(\.$createdAt, .descending).limit(limit).all().map(WebhookDeliveryRecord.init)
    }

    /// A merchant's newest deliveries of one mode, or those about one payment (oldest first).
    package func deliveries(
        of merchantID: MerchantID, mode: PaymentMode, paymentKey: PaymentKey? = nil, limit: Int? = nil
    ) async throws -> [WebhookDeliveryRecord] {
        var query = WebhookDeliveryModel.query(on: database).filter(\.$merchantID == merchantID.rawValue)
            .filter(\.$mode == mode)
        if let paymentKey {
            query = query.filter(\.$paymentKey == paymentKey.rawValue).sort(\.$createdAt)
        } else {
            query = query.sort(\.$createdAt, .descending)
        }
        if let limit { query = query.limit(limit) }
        return try await query.all().map(WebhookDeliveryRecord.init)
    }

    /// The attempts of these deliveries, in the order they were made (a delivery sent again numbers its attempts
    /// from 1 anew).
    package func attempts(of deliveryIDs: [UUID]) async throws -> [WebhookAttemptRecord] {
        guard !deliveryIDs.isEmpty else { return [] }
        return try await WebhookAttemptModel.query(on: database).filter(\.$delivery.$id ~~ deliveryIDs)
            .sort(\.$attemptedAt).sort(\.$attemptNumber).all().map(WebhookAttemptRecord.init)
    }

    /// Deliveries due at `milliseconds`, with their endpoints, soonest first.
    package func due(at milliseconds: Int64, limit: Int) async throws
        -> [(delivery: WebhookDeliveryRecord, endpoint: WebhookEndpointRecord)]
    {
        try await WebhookDeliveryModel.query(on: database).filter(\.$status == .pending)
            .filter(\.$nextAttemptMilliseconds <= milliseconds).sort(\.$nextAttemptMilliseconds).limit(limit)
            .with(\.$endpoint).all()
            .map { (WebhookDeliveryRecord($0), WebhookEndpointRecord($0.endpoint)) }
    }

    /// Takes a due delivery until `until` (epoch milliseconds), unless another process took it first.
    package func claim(_ delivery: WebhookDeliveryRecord, until: Int64, by process: UUID? = nil) async throws -> Bool {
        guard let due = delivery.nextAttemptMilliseconds else { return false }
        return try await database.compareAndSet(WebhookDeliveryModel.schema) {
            $0.set("next_attempt_ms", to: until).set("claimed_by", to: process).where("id", .equal, delivery.id)
                .where("status", .equal, WebhookDeliveryStatus.pending.rawValue).where("next_attempt_ms", .equal, due)
        }
    }

    /// Makes the deliveries whose lease a process no longer among `live` holds (it died mid-attempt) due at
    /// `milliseconds`, for any process to send. Returns how many.
    @discardableResult
    package func releaseClaims(heldOutside live: LiveProcesses, dueAt milliseconds: Int64) async throws -> Int {
        let held = try await WebhookDeliveryModel.query(on: database).filter(\.$claimedBy != nil)
            .filter(\.$status == .pending).all()
        var released = 0
        for delivery in held where live.orphans(delivery.claimedBy) {
            guard let id = delivery.id, let holder = delivery.claimedBy else { continue }
            let freed = try await database.compareAndSet(WebhookDeliveryModel.schema) {
                $0.set("next_attempt_ms", to: milliseconds).set("claimed_by", to: SQLLiteral.null)
                    .where("id", .equal, id).where("claimed_by", .equal, holder)
                    .where("status", .equal, WebhookDeliveryStatus.pending.rawValue)
            }
            if freed { released += 1 }
        }
        return released
    }

    /// Stores an attempt and the delivery as it now stands (next due time, or its final status), together.
    package func record(_ attempt: WebhookAttemptRecord, delivery: WebhookDeliveryRecord) async throws {
        try await database.transaction { database in
            try await WebhookDeliveryModel.query(on: database).filter(\.$id == delivery.id)
                .set(\.$status, to: delivery.status).set(\.$attemptCount, to: delivery.attemptCount)
                .set(\.$nextAttemptMilliseconds, to: delivery.nextAttemptMilliseconds)
                .set(\.$lastAttemptAt, to: delivery.lastAttemptAt)
                .set(\.$lastResponseStatus, to: delivery.lastResponseStatus)
                .set(\.$lastError, to: delivery.lastError).set(\.$claimedBy, to: nil).update()
            try await WebhookAttemptModel(attempt).create(on: database)
        }
    }
}

/// The webhook outbox's part of a change's transaction.
extension WebhookStore {
    /// Queues an event for every endpoint of the merchant in the payment's mode, not removed, that asked for it.
    /// Called inside the transaction that makes the change, so a change and its webhooks are committed together: a
    /// crash can delay a delivery, never lose it.
    static func enqueue(
        _ event: WebhookEvent, merchantID: MerchantID, mode: PaymentMode, paymentKey: PaymentKey, at date: Date,
        on database: any Database
    ) async throws {
        // Read and written as plain SQL, not models: this runs inside every payment's settling transaction, on
        // the group-commit writer, where a model's reflection costs more than the statement.
        let endpoints = try await database.sql.select().column("id").column("events")
            .from(WebhookEndpointModel.schema)
            .where("merchant_id", .equal, merchantID.rawValue).where("mode", .equal, mode)
            .where("deleted_at", .is, SQLLiteral.null)
            .all().filter { row in
                WebhookEndpointModel.eventTypes(in: try row.decode(column: "events", as: String.self))
                    .contains { $0 == event.type.rawValue }
            }
        guard !endpoints.isEmpty else { return }
        let payload = try event.payload()
        for endpoint in endpoints {
            var delivery = RowInsert(into: WebhookDeliveryModel.schema)
            delivery.set("id", UUID())
            delivery.set("endpoint_id", try endpoint.decode(column: "id", as: UUID.self))
            delivery.set("merchant_id", merchantID.rawValue)
            delivery.set("mode", mode)
            delivery.set("event_type", event.type)
            delivery.set("payment_key", paymentKey.rawValue)
            delivery.set("payload", payload)
            delivery.set("status", WebhookDeliveryStatus.pending)
            delivery.set("attempt_count", 0)
            delivery.set("next_attempt_ms", date.epochMilliseconds)
            delivery.set("created_at", date)
            try await delivery.run(on: database)
        }
    }
}

extension Date {
    /// Milliseconds since 1970, as the outboxes store due times (integers compare exactly on both databases).
    package var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}

extension WebhookEndpointModel {
    convenience init(_ record: WebhookEndpointRecord) {
        self.init()
        id = record.id
        $merchant.id = record.merchantID.rawValue
        mode = record.mode
        url = record.url
        events = record.events.map(\.rawValue).joined(separator: ",")
        endpointDescription = record.description
        secretCiphertext = record.secret.ciphertext
        secretWrappedKey = record.secret.wrappedDataKey
        masterKeyID = record.secret.masterKeyID
        createdAt = record.createdAt
        deletedAt = record.deletedAt
    }
}

extension WebhookEndpointRecord {
    init(_ model: WebhookEndpointModel) {
        self.init(
            id: model.id ?? UUID(), merchantID: MerchantID(model.$merchant.id), mode: model.mode, url: model.url,
            events: model.eventTypes.compactMap(WebhookEventType.init(rawValue:)),
            description: model.endpointDescription,
            secret: SealedCard(
                ciphertext: model.secretCiphertext, wrappedDataKey: model.secretWrappedKey,
                masterKeyID: model.masterKeyID),
            createdAt: model.createdAt)
        deletedAt = model.deletedAt
    }
}

extension WebhookDeliveryRecord {
    init(_ model: WebhookDeliveryModel) {
        self.init(
            id: model.id ?? UUID(), endpointID: model.$endpoint.id, merchantID: MerchantID(model.merchantID),
            mode: model.mode, eventType: model.eventType, paymentKey: PaymentKey(model.paymentKey),
            payload: model.payload,
            status: model.status,
            attemptCount: model.attemptCount, nextAttemptMilliseconds: model.nextAttemptMilliseconds,
            createdAt: model.createdAt, lastAttemptAt: model.lastAttemptAt,
            lastResponseStatus: model.lastResponseStatus, lastError: model.lastError)
    }
}

extension WebhookAttemptRecord {
    init(_ model: WebhookAttemptModel) {
        self.init(
            deliveryID: model.$delivery.id, attemptNumber: model.attemptNumber, attemptedAt: model.attemptedAt,
            responseStatus: model.responseStatus, error: model.error, durationMilliseconds: model.durationMilliseconds)
    }
}

extension WebhookAttemptModel {
    convenience init(_ record: WebhookAttemptRecord) {
        self.init()
        $delivery.id = record.deliveryID
        attemptNumber = record.attemptNumber
        attemptedAt = record.attemptedAt
        responseStatus = record.responseStatus
        error = record.error
        durationMilliseconds = record.durationMilliseconds
    }
}
