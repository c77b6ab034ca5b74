import Foundation
import KeyInCore
import KeyInPersistence

/// Sends a payment link to its customer through the message outbox (SMS, KakaoTalk or e-mail): to the contact kept
/// on the link unless another recipient is given. The API and the console send alike.
package struct PaymentLinkMessenger: Sendable {
    package let merchants: MerchantStore
    package let outbox: MessageOutbox
    package let publicBaseURL: String

    package func send(_ link: PaymentLinkRecord, channel: MessageChannel, recipient: String?) async throws {
        let recipient = recipient?.trimmingCharacters(in: .whitespaces)
        let given = recipient?.isEmpty == false ? recipient : nil
        // A bad address is the request's `recipient` when it gave one; the link's own contact was checked when
        // the link was made.
        let contact = try ContactCheck(
            name: nil, email: channel == .email ? given ?? link.customerEmail : nil,
            mobilePhone: channel == .email ? nil : given ?? link.customerMobilePhone, emailParam: "recipient",
            phoneParam: "recipient")
        guard let to = channel == .email ? contact.email : contact.mobilePhone else {
            throw KeyInError(
                .invalidRequest, param: "recipient", detail: "no \(channel == .email ? "e-mail" : "phone number")")
        }
        let merchant = try await merchants.merchant(id: link.merchantID)
        let body = PaymentLinkMessage.text(
            link, merchantName: merchant?.name ?? "", url: PaymentLinkDTO.url(link, baseURL: publicBaseURL))
        try await outbox.enqueue(
            channel, to: to, body: body, about: PaymentLinkMessage.subject(link), merchantID: link.merchantID)
    }

    /// A recipient the request gives, checked for its channel before anything else (the link's state included).
    package static func checkRecipient(_ recipient: String?, for channel: MessageChannel) throws {
        guard let given = recipient?.trimmingCharacters(in: .whitespaces), !given.isEmpty else { return }
        _ = try ContactCheck(
            name: nil, email: channel == .email ? given : nil, mobilePhone: channel == .email ? nil : given,
            emailParam: "recipient", phoneParam: "recipient")
    }

    /// Before a link is made with `send`: every channel asked for has its contact on the request, so the link is
    /// never made only for its sending to fail.
    package static func checkContacts(for channels: [MessageChannel], email: String?, mobilePhone: String?) throws {
        func given(_ text: String?) -> Bool { text?.trimmingCharacters(in: .whitespaces).isEmpty == false }
        for channel in channels {
            if channel == .email, !given(email) {
                throw KeyInError(.invalidRequest, param: "customerEmail", detail: "EMAIL needs the customer's e-mail")
            }
            if channel != .email, !given(mobilePhone) {
                throw KeyInError(
                    .invalidRequest, param: "customerMobilePhone",
                    detail: "\(channel.rawValue) needs the customer's mobile phone number")
            }
        }
    }
}
