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
        let contact = try ContactCheck(
            name: nil, email: channel == .email ? given ?? link.customerEmail : nil,
            mobilePhone: channel == .email ? nil : given ?? link.customerMobilePhone)
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
}
