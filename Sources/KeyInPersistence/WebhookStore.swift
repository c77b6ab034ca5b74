import FluentKit
import Foundation

/// What a webhook reports.
package enum WebhookEventType: String, CaseIterable, Sendable, Codable {
    /// A payment moved to another status (approved, aborted, captured, cancelled in part or whole).
    case paymentStatusChanged = "PAYMENT_STATUS_CHANGED"
    /// A cancel finished: DONE (refunded) or ABORTED (refused; the balance was restored).
    case cancelStatusChanged = "CANCEL_STATUS_CHANGED"
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

/// The webhook outbox.
package enum WebhookStore {
    /// Queues an event for every live endpoint of the merchant that asked for it. Called inside the transaction
    /// that makes the change, so a change and its webhooks are committed together: a crash can delay a delivery,
    /// never lose it.
    static func enqueue(
        _ event: WebhookEvent, merchantID: UUID, paymentKey: String, at date: Date, on database: any Database
    ) async throws {
        let endpoints = try await WebhookEndpointModel.query(on: database)
            .filter(\.$merchant.$id == merchantID).filter(\.$deletedAt == nil).all()
            .filter { $0.eventTypes.contains(event.type.rawValue) }
        guard !endpoints.isEmpty else { return }
        let payload = try event.payload()
        let type = event.type
        for endpoint in endpoints {
            let delivery = WebhookDeliveryModel()
            delivery.id = UUID()
            delivery.$endpoint.id = try endpoint.requireID()
            delivery.merchantID = merchantID
            delivery.eventType = type.rawValue
            delivery.paymentKey = paymentKey
            delivery.payload = payload
            delivery.status = WebhookDeliveryStatus.pending.rawValue
            delivery.attemptCount = 0
            delivery.nextAttemptMilliseconds = date.epochMilliseconds
            delivery.createdAt = date
            try await delivery.create(on: database)
        }
    }
}

extension Date {
    /// Milliseconds since 1970, as the outboxes store due times (integers compare exactly on both databases).
    package var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
