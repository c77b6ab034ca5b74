import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// `/v1/payment-links`: links a customer pays once on the hosted page, and sending them by SMS or KakaoTalk.
package struct PaymentLinksController: RouteCollection {
    package let services: GatewayServices

    package func boot(routes: any RoutesBuilder) throws {
        let links = routes.grouped("payment-links")
        links.on(.POST, body: .collect(maxSize: "16kb"), use: create)
        links.get(use: list)
        links.get(":paymentLinkId", use: show)
        links.on(.POST, ":paymentLinkId", "cancel", body: .collect(maxSize: "1kb"), use: cancel)
        links.on(.POST, ":paymentLinkId", "send", body: .collect(maxSize: "4kb"), use: send)
    }

    package func create(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let input = try PaymentsController.decode(CreatePaymentLinkRequest.self, from: request)
            try PaymentLinkMessenger.checkContacts(
                for: input.send ?? [], email: input.customerEmail, mobilePhone: input.customerMobilePhone)
            let mode = try request.paymentMode
            // A live link on a deployment with no card companies could never be paid: refused now.
            _ = try services.links.link(for: mode)
            let link = try await services.paymentLinks().create(input, merchantID: try request.merchantID, mode: mode)
            let messenger = services.paymentLinkMessenger(request.logger)
            for channel in input.send ?? [] {
                try await messenger.send(link, channel: channel, recipient: nil)
            }
            return try await respond(link, request: request)
        }
    }

    package func list(_ request: Request) async throws -> Response {
        var limit = 20
        if let text = request.query[String.self, at: "limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw KeyInError(.invalidRequest, param: "limit")
            }
            limit = value
        }
        let links = try await services.stores.paymentLinks.newest(
            of: request.merchantID, mode: request.paymentMode, limit: limit)
        let service = services.paymentLinks()
        return try PaymentsController.json(
            PaymentLinkList(
                paymentLinks: links.map {
                    PaymentLinkDTO($0, status: service.status(of: $0), baseURL: services.publicBaseURL, messages: [])
                }),
            status: .ok)
    }

    package func show(_ request: Request) async throws -> Response {
        try await respond(try await merchantLink(request), request: request)
    }

    /// Withdraws an unpaid link: its page then says it can no longer be paid.
    package func cancel(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let link = try await services.paymentLinks().withdraw(try await merchantLink(request))
            return try await respond(link, request: request)
        }
    }

    /// `{"channel": "SMS" | "KAKAOTALK" | "EMAIL", "recipient"?}`: the customer's number or address on the link
    /// when no recipient is given.
    package func send(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            // The request is checked first: a bad one is refused as such whatever the link's state.
            let input = try PaymentsController.decode(SendPaymentLinkRequest.self, from: request)
            guard let channel = input.channel else { throw KeyInError(.invalidRequest, param: "channel") }
            try PaymentLinkMessenger.checkRecipient(input.recipient, for: channel)
            let link = try await merchantLink(request)
            try services.paymentLinks().requireActive(link)
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

    package func merchantLink(_ request: Request) async throws -> PaymentLinkRecord {
        try await services.paymentLinks().link(
            id: request.parameters.get("paymentLinkId").flatMap(UUID.init(uuidString:)), merchantID: request.merchantID,
            mode: request.paymentMode)
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}
