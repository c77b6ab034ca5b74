import Foundation
import KeyInCore
import KeyInPersistence

/// The body of every delivery: the event, when it happened, and the Payment as `GET /v1/payments/{key}` returns
/// it at that moment.
package struct WebhookEventBody: Encodable {
    package struct CancelResult: Encodable {
        package let cancelAmount: Int64
        package let cancelReason: String
        package let cancelStatus: String
        package let requestedAt: Date
        package let canceledAt: Date?
        package let approveNo: String?
        package let failure: PaymentDTO.Failure?
    }

    package let eventType: String
    package let createdAt: Date
    package let data: PaymentDTO
    /// The cancel this event is about (CANCEL_STATUS_CHANGED only).
    package let cancel: CancelResult?

    package init(_ type: WebhookEventType, payment: PaymentDTO, cancel: CancelRecord?, at date: Date) {
        eventType = type.rawValue
        createdAt = date
        data = payment
        self.cancel = cancel.map { cancel in
            CancelResult(
                cancelAmount: cancel.amount, cancelReason: cancel.reason, cancelStatus: cancel.status.rawValue,
                requestedAt: cancel.requestedAt, canceledAt: cancel.canceledAt, approveNo: cancel.approveNo,
                failure: cancel.failureCode.map {
                    PaymentDTO.Failure(code: $0.rawValue, message: KeyInError($0).customerMessage.text(in: .korean))
                })
        }
    }
}

/// The webhooks a payment change queues, their bodies made only if an endpoint asked for the event. Webhooks speak
/// the merchant's language: Korean.
package enum WebhookPayloads {
    package static func paymentStatusChanged(
        _ payment: PaymentRecord, cancels: [CancelRecord], baseURL: String, at date: Date
    ) -> WebhookEvent {
        WebhookEvent(.paymentStatusChanged) {
            try body(.paymentStatusChanged, payment: payment, cancels: cancels, cancel: nil, baseURL: baseURL, at: date)
        }
    }

    package static func cancelStatusChanged(
        _ payment: PaymentRecord, cancels: [CancelRecord], cancel: CancelRecord, baseURL: String, at date: Date
    ) -> WebhookEvent {
        WebhookEvent(.cancelStatusChanged) {
            try body(
                .cancelStatusChanged, payment: payment, cancels: cancels, cancel: cancel, baseURL: baseURL, at: date)
        }
    }

    private static func body(
        _ type: WebhookEventType, payment: PaymentRecord, cancels: [CancelRecord], cancel: CancelRecord?,
        baseURL: String, at date: Date
    ) throws -> String {
        let body = WebhookEventBody(
            type, payment: PaymentDTO(payment, cancels: cancels, language: .korean, baseURL: baseURL), cancel: cancel,
            at: date)
        return String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self)
    }
}
