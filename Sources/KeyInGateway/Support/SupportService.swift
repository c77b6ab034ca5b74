import Foundation
import KeyInCore
import KeyInPersistence
import Logging

/// Feedback after a payment and customers' inquiries, with staff replies sent back through the message outbox.
package struct SupportService: Sendable {
    package let store: SupportStore
    package let payments: PaymentStore
    package let merchants: MerchantStore
    package let messages: MessageOutbox
    package let now: @Sendable () -> Date

    /// The payment a customer is talking about; its key is the customer's proof (it is only on their result page,
    /// receipt and messages).
    package func payment(_ key: String?) async throws -> PaymentRecord {
        guard let key, let payment = try await payments.payment(receiptKey: PaymentKey(rawValue: key)) else {
            throw KeyInError(.notFoundPayment, param: "paymentKey")
        }
        return payment
    }

    package func recordFeedback(paymentKey: String?, rating: Int?, comment: String?) async throws {
        let payment = try await payment(paymentKey)
        guard payment.status != .inProgress, payment.status != .waitingForAuthentication else {
            throw KeyInError(.invalidRequest, param: "paymentKey", detail: "the payment is still in progress")
        }
        guard let rating, (1...5).contains(rating) else {
            throw KeyInError(.invalidRequest, param: "rating", detail: "1-5")
        }
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines).cardNumbersMasked
        guard (comment ?? "").count <= 500 else {
            throw KeyInError(.invalidRequest, param: "comment", detail: "up to 500 characters")
        }
        do {
            try await store.record(
                FeedbackRecord(
                    merchantID: payment.merchantID, paymentKey: payment.paymentKey, rating: rating,
                    comment: comment.flatMap { $0.isEmpty ? nil : $0 }, outcomeStatus: payment.status,
                    outcomeCode: payment.failureCode?.rawValue, at: now()))
        } catch SupportStore.FeedbackRefusal.alreadyAnswered {
            throw KeyInError(.invalidRequest, param: "paymentKey", detail: "already answered")
        }
    }

    @discardableResult
    package func openInquiry(paymentKey: String?, customerName: String?, contact: String?, message: String?)
        async throws
        -> InquiryRecord
    {
        let payment = try await payment(paymentKey)
        let body = message?.trimmingCharacters(in: .whitespacesAndNewlines).cardNumbersMasked ?? ""
        guard (1...1000).contains(body.count) else {
            throw KeyInError(.invalidRequest, param: "message", detail: "1-1000 characters")
        }
        let name = try ContactCheck(name: customerName, email: nil, mobilePhone: nil).name
        guard let contact = try ContactCheck.either(contact, param: "contact") else {
            throw KeyInError(.invalidRequest, param: "contact", detail: "a phone number or e-mail for the answer")
        }
        let inquiry = InquiryRecord(
            merchantID: payment.merchantID, paymentKey: payment.paymentKey, orderName: payment.orderName,
            channel: .form, customerName: name, contact: contact, at: now())
        try await store.open(
            inquiry,
            first: InquiryMessageRecord(
                inquiryID: inquiry.id, author: .customer, staffEmail: nil, body: body, at: inquiry.createdAt))
        return inquiry
    }

    /// A staff member's answer: kept in the thread, and sent to the customer by SMS or e-mail.
    package func reply(to inquiry: InquiryRecord, from staffEmail: String, body: String, messageID: UUID = UUID())
        async throws
    {
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines).cardNumbersMasked
        guard (1...1000).contains(body.count) else {
            throw KeyInError(.invalidRequest, param: "body", detail: "1-1000 characters")
        }
        try await recordReply(to: inquiry, from: staffEmail, body: body, messageID: messageID)
        if let contact = inquiry.contact {
            let merchant = try await merchants.merchant(id: inquiry.merchantID)
            try await messages.enqueue(
                contact.contains("@") ? .email : .sms, to: contact,
                body: "[\(merchant?.name ?? "KeyIn")] 문의하신 내용에 답변드립니다.\n\(body)",
                about: "inquiry:\(inquiry.id.rawValue.uuidString)", merchantID: inquiry.merchantID)
        }
    }

    /// A staff member's answer in the thread, the inquiry now answered (a live chat's reply, which the customer
    /// reads at once, goes no further).
    package func recordReply(to inquiry: InquiryRecord, from staffEmail: String, body: String, messageID: UUID)
        async throws
    {
        let body = body.cardNumbersMasked
        var answered = inquiry
        answered.status = .answered
        answered.updatedAt = now()
        try await store.add(
            InquiryMessageRecord(
                id: messageID, inquiryID: inquiry.id, author: .staff, staffEmail: staffEmail, body: body,
                at: answered.updatedAt),
            updating: answered)
    }
}
