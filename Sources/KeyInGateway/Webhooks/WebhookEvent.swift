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

/// The body of a `CARD_TESTING_ALERT` delivery.
package struct CardTestingAlertBody: Encodable {
    package struct Alert: Encodable {
        /// `link-declines`, `card-declines`, `address-declines`, `api-key-declines`, `merchant-declines`, or an
        /// attempt ceiling: `link-attempts`, `card-attempts`, `address-attempts`, `api-key-attempts`.
        package let rule: String
        /// `link`, `card`, `address`, `api-key` or `merchant`.
        package let source: String
        /// The link key, masked card number, client address or key prefix; empty for the merchant-wide figure.
        package let subject: String
        /// What the rule counts: `declines` or `attempts`.
        package let counted: String
        /// How many it had counted in its window when it tripped.
        package let count: Int64
        /// False for the merchant-wide alert, which blocks nothing.
        package let blocks: Bool
        package let blockedUntil: Date
        /// The payment that tripped the rule (by its decline, or as one attempt too many).
        package let paymentKey: String
    }

    package let eventType: String
    package let createdAt: Date
    package let data: Alert
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

    /// A card-testing block or alert: what tripped, from where, how many declines or attempts, until when, and the
    /// payment that tripped it.
    package static func cardTestingAlert(_ block: SourceBlockRecord, paymentKey: PaymentKey) -> WebhookEvent {
        WebhookEvent(.cardTestingAlert) {
            let body = CardTestingAlertBody(
                eventType: WebhookEventType.cardTestingAlert.rawValue, createdAt: block.createdAt,
                data: .init(
                    rule: block.rule, source: CardTestingRule.source(ofRule: block.rule)?.rawValue ?? block.rule,
                    subject: block.subjectLabel,
                    counted: (CardTestingRule.parse(rule: block.rule)?.counts ?? .declines).rawValue,
                    count: block.count, blocks: block.blocks,
                    blockedUntil: block.blockedUntil, paymentKey: paymentKey.rawValue))
            return String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self)
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
