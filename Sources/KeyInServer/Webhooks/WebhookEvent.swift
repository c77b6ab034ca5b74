import Foundation
import KeyInCore

/// What a webhook reports.
enum WebhookEventType: String, CaseIterable, Sendable {
    /// A payment moved to another status (approved, aborted, captured, cancelled in part or whole).
    case paymentStatusChanged = "PAYMENT_STATUS_CHANGED"
    /// A cancel finished: DONE (refunded) or ABORTED (refused; the balance was restored).
    case cancelStatusChanged = "CANCEL_STATUS_CHANGED"
}

/// The body of every delivery: the event, when it happened, and the Payment as `GET /v1/payments/{key}` returns
/// it at that moment.
struct WebhookEventBody: Encodable {
    struct CancelResult: Encodable {
        let cancelAmount: Int64
        let cancelReason: String
        let cancelStatus: String
        let requestedAt: Date
        let canceledAt: Date?
        let approveNo: String?
        let failure: PaymentDTO.Failure?
    }

    let eventType: String
    let createdAt: Date
    let data: PaymentDTO
    /// The cancel this event is about (CANCEL_STATUS_CHANGED only).
    let cancel: CancelResult?

    init(_ type: WebhookEventType, payment: PaymentDTO, cancel: CancelModel?, at date: Date) {
        eventType = type.rawValue
        createdAt = date
        data = payment
        self.cancel = cancel.map { cancel in
            CancelResult(
                cancelAmount: cancel.amount, cancelReason: cancel.reason, cancelStatus: cancel.status,
                requestedAt: cancel.requestedAt, canceledAt: cancel.canceledAt, approveNo: cancel.approveNo,
                failure: cancel.failureCode.flatMap { ErrorCode(rawValue: $0) }.map {
                    PaymentDTO.Failure(code: $0.rawValue, message: KeyInError($0).customerMessage.text(in: .korean))
                })
        }
    }
}
