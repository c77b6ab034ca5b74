import Fluent
import Foundation
import KeyInCore
import KeyInPersistence
import Logging

/// Feedback after a payment and customers' inquiries, with staff replies sent back through the message outbox.
struct SupportService: Sendable {
    let database: any Database
    let messages: MessageOutbox
    let now: @Sendable () -> Date

    /// The payment a customer is talking about; its key is the customer's proof (it is only on their result page,
    /// receipt and messages).
    func payment(_ key: String?) async throws -> PaymentRecord {
        guard let key, let payment = try await PaymentStore(database: database).payment(receiptKey: key) else {
            throw KeyInError(.notFoundPayment, param: "paymentKey")
        }
        return payment
    }

    func recordFeedback(paymentKey: String?, rating: Int?, comment: String?) async throws -> FeedbackModel {
        let payment = try await payment(paymentKey)
        guard payment.status != .inProgress else {
            throw KeyInError(.invalidRequest, param: "paymentKey", detail: "the payment is still in progress")
        }
        guard let rating, (1...5).contains(rating) else {
            throw KeyInError(.invalidRequest, param: "rating", detail: "1-5")
        }
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (comment ?? "").count <= 500 else {
            throw KeyInError(.invalidRequest, param: "comment", detail: "up to 500 characters")
        }
        let feedback = FeedbackModel()
        feedback.$merchant.id = payment.merchantID
        feedback.paymentKey = payment.paymentKey
        feedback.rating = rating
        feedback.comment = comment.flatMap { $0.isEmpty ? nil : $0 }
        feedback.outcomeStatus = payment.status.rawValue
        feedback.outcomeCode = payment.failureCode?.rawValue
        feedback.createdAt = now()
        do {
            try await feedback.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw KeyInError(.invalidRequest, param: "paymentKey", detail: "already answered")
        }
        return feedback
    }

    func openInquiry(
        paymentKey: String?, customerName: String?, contact: String?, message: String?, channel: String = "FORM"
    ) async throws -> InquiryModel {
        let payment = try await payment(paymentKey)
        let body = message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard (1...1000).contains(body.count) else {
            throw KeyInError(.invalidRequest, param: "message", detail: "1-1000 characters")
        }
        let contact = contact?.trimmingCharacters(in: .whitespaces) ?? ""
        let checked = try ContactCheck(
            name: customerName, email: contact.contains("@") ? contact : nil,
            mobilePhone: contact.contains("@") ? nil : contact)
        guard channel == "CHAT" || checked.email != nil || checked.mobilePhone != nil else {
            throw KeyInError(.invalidRequest, param: "contact", detail: "a phone number or e-mail for the answer")
        }
        let inquiry = InquiryModel()
        inquiry.$merchant.id = payment.merchantID
        inquiry.paymentKey = payment.paymentKey
        inquiry.orderName = payment.orderName
        inquiry.channel = channel
        inquiry.customerName = checked.name
        inquiry.contact = checked.email ?? checked.mobilePhone
        inquiry.status = "OPEN"
        inquiry.createdAt = now()
        inquiry.updatedAt = inquiry.createdAt
        try await database.transaction { database in
            try await inquiry.create(on: database)
            try await Self.message(inquiry, author: "CUSTOMER", staffEmail: nil, body: body, at: inquiry.createdAt)
                .create(on: database)
        }
        return inquiry
    }

    /// A staff member's answer: kept in the thread, and sent to the customer by SMS or e-mail.
    func reply(to inquiry: InquiryModel, from staffEmail: String, body: String, messageID: UUID? = nil) async throws {
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1000).contains(body.count) else {
            throw KeyInError(.invalidRequest, param: "body", detail: "1-1000 characters")
        }
        let at = now()
        try await Self.message(inquiry, author: "STAFF", staffEmail: staffEmail, body: body, at: at, id: messageID)
            .create(on: database)
        inquiry.status = "ANSWERED"
        inquiry.updatedAt = at
        try await inquiry.update(on: database)
        if let contact = inquiry.contact {
            let merchant = try await MerchantStore(database: database).merchant(id: inquiry.$merchant.id)
            try await messages.enqueue(
                contact.contains("@") ? .email : .sms, to: contact,
                body: "[\(merchant?.name ?? "KeyIn")] 문의하신 내용에 답변드립니다.\n\(body)",
                about: "inquiry:\(try inquiry.requireID().uuidString)", merchantID: inquiry.$merchant.id)
        }
    }

    static func message(
        _ inquiry: InquiryModel, author: String, staffEmail: String?, body: String, at: Date, id: UUID? = nil
    ) throws -> InquiryMessageModel {
        let message = InquiryMessageModel()
        message.id = id
        message.$inquiry.id = try inquiry.requireID()
        message.author = author
        message.staffEmail = staffEmail
        message.body = body
        message.createdAt = at
        return message
    }
}
