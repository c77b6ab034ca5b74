import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// The text that carries a link to the customer, as a Korean shop would write it.
package enum PaymentLinkMessage {
    /// What the outbox files a link's messages under.
    package static func subject(_ link: PaymentLinkRecord) -> String { "payment_link:\(link.id.uuidString)" }

    package static func text(_ link: PaymentLinkRecord, merchantName: String, url: String) -> String {
        let amount = DisplayFormat.amount(link.amount, currency: link.currency, language: .korean)
        let until = DisplayFormat.time(link.expiresAt, language: .korean)
        return "[\(merchantName)] \(link.orderName) \(amount) 결제 요청입니다. 아래 링크에서 카드로 결제해 주세요."
            + " (\(until)까지)\n\(url)"
    }
}

package struct CreatePaymentLinkRequest: Content {
    package var amount: Int64?
    package var currency: String?
    package var orderId: String?
    package var orderName: String?
    /// Hours until the link expires (default 72, at most 720).
    package var validHours: Int?
    package var customerName: String?
    package var customerEmail: String?
    package var customerMobilePhone: String?
    /// Channels to send the link on right away.
    package var send: [MessageChannel]?

    package init() {}
}

package struct SendPaymentLinkRequest: Content {
    package var channel: MessageChannel?
    package var recipient: String?
}

package struct PaymentLinkDTO: Content {
    package struct Message: Content {
        package let channel: String
        package let recipient: String
        package let body: String
        package let status: String
        package let createdAt: Date
    }

    package let paymentLinkId: String
    package let url: String
    package let status: String
    package let amount: Int64
    package let currency: String
    package let orderId: String
    package let orderName: String
    package let customerName: String?
    package let customerEmail: String?
    package let customerMobilePhone: String?
    package let expiresAt: Date
    package let createdAt: Date
    package let paymentKey: String?
    package let messages: [Message]

    package init(
        _ link: PaymentLinkRecord, status: PaymentLinkService.Status, baseURL: String,
        messages: [OutboundMessageRecord]
    ) {
        paymentLinkId = link.id.uuidString.lowercased()
        url = Self.url(link, baseURL: baseURL)
        self.status = status.rawValue
        amount = link.amount
        currency = link.currency
        orderId = link.orderID.rawValue
        orderName = link.orderName
        customerName = link.customerName
        customerEmail = link.customerEmail
        customerMobilePhone = link.customerMobilePhone
        expiresAt = link.expiresAt
        createdAt = link.createdAt
        paymentKey = link.paymentKey?.rawValue
        self.messages = messages.map {
            Message(
                channel: $0.channel.rawValue, recipient: $0.recipient, body: $0.body, status: $0.status.rawValue,
                createdAt: $0.createdAt)
        }
    }

    package static func url(_ link: PaymentLinkRecord, baseURL: String) -> String {
        "\(baseURL)/pay/\(link.linkKey.rawValue)"
    }
}

package struct PaymentLinkList: Content {
    package let paymentLinks: [PaymentLinkDTO]

    package init(paymentLinks: [PaymentLinkDTO]) {
        self.paymentLinks = paymentLinks
    }
}
