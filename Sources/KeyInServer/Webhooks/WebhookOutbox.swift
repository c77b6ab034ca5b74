import Fluent
import Foundation
import KeyInCore

/// Queues events for a merchant's endpoints. Called inside the transaction that makes the change, so a change
/// and its webhooks are committed together: a crash can delay a delivery, never lose it.
struct WebhookOutbox {
    let database: any Database

    func enqueue(_ type: WebhookEventType, payment: PaymentModel, cancel: CancelModel? = nil, at date: Date)
        async throws
    {
        let merchantID = payment.$merchant.id
        let endpoints = try await WebhookEndpointModel.query(on: database)
            .filter(\.$merchant.$id == merchantID).filter(\.$deletedAt == nil).all()
            .filter { $0.eventTypes.contains(type.rawValue) }
        guard !endpoints.isEmpty else { return }
        let cancels = try await CancelModel.query(on: database).filter(\.$payment.$id == payment.requireID())
            .sort(\.$requestedAt).all()
        // Webhooks speak the merchant's language: Korean.
        let body = WebhookEventBody(
            type, payment: PaymentDTO(payment, cancels: cancels, language: .korean), cancel: cancel, at: date)
        let payload = String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self)
        for endpoint in endpoints {
            let delivery = WebhookDeliveryModel()
            delivery.id = UUID()
            delivery.$endpoint.id = try endpoint.requireID()
            delivery.merchantID = merchantID
            delivery.eventType = type.rawValue
            delivery.paymentKey = payment.paymentKey
            delivery.payload = payload
            delivery.status = WebhookDeliveryStatus.pending.rawValue
            delivery.attemptCount = 0
            delivery.nextAttemptMilliseconds = date.epochMilliseconds
            delivery.createdAt = date
            try await delivery.create(on: database)
        }
    }
}

enum WebhookDeliveryStatus: String, Sendable {
    case pending = "PENDING"
    case succeeded = "SUCCEEDED"
    /// Every retry was used, or the endpoint was removed first.
    case failed = "FAILED"
}

extension Date {
    var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
