import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// Chat's persistence: messages join the inquiry of their conversation.
package struct ChatService: Sendable {
    package let store: SupportStore
    package let support: SupportService
    package let now: @Sendable () -> Date

    package func customerSaid(
        _ body: String, contact: String?, inquiryID: InquiryID?, link: PaymentLinkRecord, messageID: UUID
    ) async throws -> (InquiryRecord, isNew: Bool) {
        let contact = try ContactCheck.either(contact, param: "contact")
        let at = now()
        if let inquiryID, var inquiry = try await store.inquiry(id: inquiryID) {
            if let contact { inquiry.contact = contact }
            inquiry.status = .open
            inquiry.updatedAt = at
            try await store.add(
                InquiryMessageRecord(
                    id: messageID, inquiryID: inquiry.id, author: .customer, staffEmail: nil, body: body, at: at),
                updating: inquiry, contact: contact)
            return (inquiry, false)
        }
        let inquiry = InquiryRecord(
            merchantID: link.merchantID, paymentKey: link.paymentKey, orderName: link.orderName, channel: .chat,
            customerName: nil, contact: contact, at: at)
        try await store.open(
            inquiry,
            first: InquiryMessageRecord(
                id: messageID, inquiryID: inquiry.id, author: .customer, staffEmail: nil, body: body, at: at))
        return (inquiry, true)
    }

    package func systemSaid(_ body: String, in inquiry: InquiryRecord) async throws {
        try await store.add(
            InquiryMessageRecord(inquiryID: inquiry.id, author: .system, staffEmail: nil, body: body, at: now()))
    }

    /// A staff member's chat reply: in the thread; when the customer has left, sent to them like an inquiry's reply.
    package func staffSaid(
        _ body: String, in inquiry: InquiryRecord, by email: String, customerConnected: Bool, messageID: UUID
    ) async throws {
        if customerConnected {
            try await support.recordReply(to: inquiry, from: email, body: body, messageID: messageID)
        } else {
            try await support.reply(to: inquiry, from: email, body: body, messageID: messageID)
        }
    }
}
