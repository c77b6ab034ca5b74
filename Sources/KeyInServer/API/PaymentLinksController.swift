import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// `/v1/payment-links`: links a customer pays once on the hosted page, and sending them by SMS or KakaoTalk.
struct PaymentLinksController: RouteCollection {
    let services: GatewayServices

    func boot(routes: any RoutesBuilder) throws {
        let links = routes.grouped("payment-links")
        links.on(.POST, body: .collect(maxSize: "16kb"), use: create)
        links.get(use: list)
        links.get(":paymentLinkId", use: show)
        links.on(.POST, ":paymentLinkId", "cancel", body: .collect(maxSize: "1kb"), use: cancel)
        links.on(.POST, ":paymentLinkId", "send", body: .collect(maxSize: "4kb"), use: send)
    }

    func create(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let input = try PaymentsController.decode(CreatePaymentLinkRequest.self, from: request)
            let merchantID = try request.merchantID
            let link = try await services.paymentLinks().create(input, merchantID: merchantID)
            let messenger = services.paymentLinkMessenger(request.logger)
            for channel in input.send ?? [] {
                try await messenger.send(link, channel: channel, recipient: nil)
            }
            return try await respond(link, request: request)
        }
    }

    func list(_ request: Request) async throws -> Response {
        var limit = 20
        if let text = request.query[String.self, at: "limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw KeyInError(.invalidRequest, param: "limit")
            }
            limit = value
        }
        let links = try await services.stores.paymentLinks.newest(of: request.merchantID, limit: limit)
        let service = services.paymentLinks()
        return try PaymentsController.json(
            PaymentLinkList(
                paymentLinks: links.map {
                    PaymentLinkDTO($0, status: service.status(of: $0), baseURL: services.publicBaseURL, messages: [])
                }),
            status: .ok)
    }

    func show(_ request: Request) async throws -> Response {
        try await respond(try await merchantLink(request), request: request)
    }

    /// Withdraws an unpaid link: its page then says it can no longer be paid.
    func cancel(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let link = try await services.paymentLinks().withdraw(try await merchantLink(request))
            return try await respond(link, request: request)
        }
    }

    /// `{"channel": "SMS" | "KAKAOTALK" | "EMAIL", "recipient"?}`: the customer's number or address on the link
    /// when no recipient is given.
    func send(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let link = try await merchantLink(request)
            try services.paymentLinks().requireActive(link)
            let input = try PaymentsController.decode(SendPaymentLinkRequest.self, from: request)
            guard let channel = input.channel else { throw KeyInError(.invalidRequest, param: "channel") }
            try await services.paymentLinkMessenger(request.logger).send(
                link, channel: channel, recipient: input.recipient)
            return try await respond(link, request: request)
        }
    }

    private func respond(_ link: PaymentLinkRecord, request: Request) async throws -> Response {
        let messages = try await services.stores.messages.messages(about: PaymentLinkMessage.subject(link))
        return try PaymentsController.json(
            PaymentLinkDTO(
                link, status: services.paymentLinks().status(of: link), baseURL: services.publicBaseURL,
                messages: messages),
            status: .ok)
    }

    func merchantLink(_ request: Request) async throws -> PaymentLinkRecord {
        try await services.paymentLinks().link(
            id: request.parameters.get("paymentLinkId").flatMap(UUID.init(uuidString:)), merchantID: request.merchantID)
    }
}

/// The text that carries a link to the customer, as a Korean shop would write it.
enum PaymentLinkMessage {
    /// What the outbox files a link's messages under.
    static func subject(_ link: PaymentLinkRecord) -> String { "payment_link:\(link.id.uuidString)" }

    static func text(_ link: PaymentLinkRecord, merchantName: String, url: String) -> String {
        let amount = DisplayFormat.amount(link.amount, currency: link.currency, language: .korean)
        let until = DisplayFormat.time(link.expiresAt, language: .korean)
        return "[\(merchantName)] \(link.orderName) \(amount) 결제 요청입니다. 아래 링크에서 카드로 결제해 주세요."
            + " (\(until)까지)\n\(url)"
    }
}

struct CreatePaymentLinkRequest: Content {
    var amount: Int64?
    var currency: String?
    var orderId: String?
    var orderName: String?
    /// Hours until the link expires (default 72, at most 720).
    var validHours: Int?
    var customerName: String?
    var customerEmail: String?
    var customerMobilePhone: String?
    /// Channels to send the link on right away.
    var send: [MessageChannel]?
}

struct SendPaymentLinkRequest: Content {
    var channel: MessageChannel?
    var recipient: String?
}

struct PaymentLinkDTO: Content {
    struct Message: Content {
        let channel: String
        let recipient: String
        let body: String
        let status: String
        let createdAt: Date
    }

    let paymentLinkId: String
    let url: String
    let status: String
    let amount: Int64
    let currency: String
    let orderId: String
    let orderName: String
    let customerName: String?
    let customerEmail: String?
    let customerMobilePhone: String?
    let expiresAt: Date
    let createdAt: Date
    let paymentKey: String?
    let messages: [Message]

    init(
        _ link: PaymentLinkRecord, status: PaymentLinkService.Status, baseURL: String,
        messages: [OutboundMessageRecord]
    ) {
        paymentLinkId = link.id.uuidString.lowercased()
        url = Self.url(link, baseURL: baseURL)
        self.status = status.rawValue
        amount = link.amount
        currency = link.currency
        orderId = link.orderID
        orderName = link.orderName
        customerName = link.customerName
        customerEmail = link.customerEmail
        customerMobilePhone = link.customerMobilePhone
        expiresAt = link.expiresAt
        createdAt = link.createdAt
        paymentKey = link.paymentKey
        self.messages = messages.map {
            Message(
                channel: $0.channel.rawValue, recipient: $0.recipient, body: $0.body, status: $0.status.rawValue,
                createdAt: $0.createdAt)
        }
    }

    static func url(_ link: PaymentLinkRecord, baseURL: String) -> String { "\(baseURL)/pay/\(link.linkKey)" }
}

struct PaymentLinkList: Content {
    let paymentLinks: [PaymentLinkDTO]
}
