import Foundation
import KeyInAPI
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import Vapor

/// Live chat over WebSocket: `/pay/{linkKey}/chat` for the customer on a payment page, `/console/chat/ws` for
/// staff. Every message is stored as part of an inquiry (channel CHAT) before it is relayed, so when no staff
/// member is online the conversation is simply an inquiry in the console's inbox, answered by SMS or e-mail.
package struct ChatController: RouteCollection {
    package let services: GatewayServices
    package let hub: ChatHub

    package static let unattended = LocalizedText(
        ko: "지금은 상담 가능한 직원이 없어 문의로 접수했습니다. 연락처를 남겨 주시면 답변을 보내 드립니다.",
        en:
            "No one is available to chat right now, so your message was saved as an inquiry. Leave a phone number or e-mail and the shop will answer."
    )

    package static let tooFast = LocalizedText(
        ko: "메시지를 너무 빨리 보내고 있습니다. 잠시 후 다시 보내 주세요.",
        en: "You are sending messages too quickly. Please wait a moment and send it again.")

    /// A chat line is at most 1,000 characters (4 bytes each at most in UTF-8) in a small JSON frame.
    package static let maxFrameSize = 8 * 1024
    /// A message, all its fragments together: as much as one frame.
    package static let maxMessageSize = 8 * 1024

    package func boot(routes: any RoutesBuilder) throws {
        routes.limitedWebSocket(
            "pay", ":linkKey", "chat", maxFrameSize: Self.maxFrameSize, maxMessageSize: Self.maxMessageSize,
            shouldUpgrade: Self.sameOrigin, onUpgrade: customer)
        routes.grouped("console").grouped(ConsoleAuthenticator(services: services))
            .limitedWebSocket(
                "chat", "ws", maxFrameSize: Self.maxFrameSize, maxMessageSize: Self.maxMessageSize,
                shouldUpgrade: Self.sameOrigin, onUpgrade: staff)
    }

    /// Upgrades only a WebSocket opened by this site's own page: its Origin names this host. A missing Origin, or
    /// `null` (a sandboxed frame, a file, a redirect's page), is refused: every browser sends one, and a script
    /// that leaves it out is not a customer on a payment page.
    @Sendable package static func sameOrigin(_ request: Request) -> EventLoopFuture<HTTPHeaders?> {
        let origin = request.headers.first(name: .origin).flatMap { URL(string: $0)?.host }
        let host = request.headers.first(name: .host)?.split(separator: ":").first.map(String.init)
        let allowed = origin != nil && origin == host
        return request.eventLoop.makeSucceededFuture(allowed ? [:] : nil)
    }

    @Sendable package func customer(_ request: Request, _ socket: WebSocket) {
        let linkKey = PaymentLinkKey(rawValue: request.parameters.get("linkKey") ?? "")
        let language = PageLayout.language(request)
        let logger = request.logger
        let presence = services.chatPresence()
        let connection = UUID()
        let address = request.clientAddress
        Task {
            // A few sockets per link and per address at most (counted in this process), released when they close.
            guard await hub.openCustomerSocket(link: linkKey, address: address) else {
                try? await socket.close(code: .policyViolation)
                return
            }
            socket.onClose.whenComplete { _ in
                Task { await hub.closeCustomerSocket(link: linkKey, address: address) }
            }
            guard let link = try? await services.stores.paymentLinks.link(key: linkKey) else {
                try? await socket.close(code: .policyViolation)
                return
            }
            let merchantID = link.merchantID
            let merchant = try? await services.stores.merchants.merchant(id: merchantID)
            let conversation = Conversation()
            // Handlers first, then the greeting: a customer who answers the greeting at once must not be missed.
            socket.onText { socket, text in
                // A card number typed into the chat is masked before it is stored or relayed.
                guard let frame = ChatFrame.decode(text), frame.type == "message",
                    let body = frame.body?.trimmingCharacters(in: .whitespacesAndNewlines).cardNumbersMasked,
                    (1...1000).contains(body.count)
                else { return }
                guard await hub.admitCustomerMessage(linkKey: linkKey, at: services.now()) else {
                    try? await socket.send(ChatFrame(type: "system", body: Self.tooFast.text(in: language)).text)
                    return
                }
                do {
                    let chat = services.chat(logger)
                    let messageID = UUID()
                    await hub.handle(messageID, at: services.now())
                    let (inquiry, isNew) = try await chat.customerSaid(
                        body, contact: frame.contact, inquiryID: await conversation.inquiryID, link: link,
                        messageID: messageID)
                    let inquiryID = inquiry.id
                    if isNew {
                        await conversation.set(inquiryID)
                        await hub.addCustomer(inquiryID: inquiryID, connection: connection, socket: socket)
                        try await presence.join(
                            connection: connection, role: .customer, merchantID: merchantID, inquiryID: inquiryID,
                            processID: hub.processID)
                    }
                    await hub.sendToStaff(
                        merchantID: merchantID,
                        ChatFrame(
                            type: "message", inquiryId: inquiryID.rawValue.uuidString, author: "CUSTOMER", body: body,
                            contact: inquiry.contact, orderName: link.orderName, at: services.now()
                        ).text)
                    // Staff of this shop may be signed in to another process on the same database.
                    if try await !presence.isStaffOnline(merchantID: merchantID) {
                        if isNew { try await chat.systemSaid(Self.unattended.ko, in: inquiry) }
                        try await socket.send(ChatFrame(type: "system", body: Self.unattended.text(in: language)).text)
                    }
                } catch {
                    logger.notice(
                        "chat message not stored", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
            }
            socket.onClose.whenComplete { _ in
                Task {
                    if let id = await conversation.inquiryID { await hub.removeCustomer(inquiryID: id) }
                    try? await presence.leave(connection: connection)
                }
            }
            try? await socket.send(
                ChatFrame(
                    type: "hello", staffOnline: (try? await presence.isStaffOnline(merchantID: merchantID)) ?? false,
                    support: HostedPaymentPage.supportText(merchant, language: language)
                ).text)
        }
    }

    @Sendable package func staff(_ request: Request, _ socket: WebSocket) {
        guard let staff = try? request.consoleStaff else {
            _ = socket.close(code: .policyViolation)
            return
        }
        let connection = UUID()
        let logger = request.logger
        let presence = services.chatPresence()
        Task {
            await hub.addStaff(
                merchantID: staff.merchantID, connection: connection, sessionID: staff.sessionID, socket: socket)
            do {
                try await presence.join(
                    connection: connection, role: .staff, merchantID: staff.merchantID, inquiryID: nil,
                    processID: hub.processID)
            } catch {
                logger.notice("chat presence not stored", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
            try? await socket.send(ChatFrame(type: "hello", staffOnline: true).text)
        }
        socket.onText { socket, text in
            guard let frame = ChatFrame.decode(text), frame.type == "message",
                let inquiryID = frame.inquiryId.flatMap(UUID.init(uuidString:)).map(InquiryID.init(rawValue:)),
                let body = frame.body?.trimmingCharacters(in: .whitespacesAndNewlines).cardNumbersMasked,
                (1...1000).contains(body.count)
            else { return }
            do {
                // A session that ended since the socket opened (signed out, password changed, member removed)
                // may not answer customers any more.
                guard
                    try await services.stores.staff.liveSessions(
                        among: [staff.sessionID], at: services.now()
                    ).contains(staff.sessionID)
                else {
                    try await socket.close(code: .policyViolation)
                    return
                }
                guard
                    let inquiry = try await services.stores.support.inquiry(
                        id: inquiryID, merchantID: staff.merchantID)
                else { return }
                // The customer's page may be connected to another process; the relay takes the reply there.
                let connected = try await presence.isCustomerConnected(inquiryID: inquiryID)
                let messageID = UUID()
                await hub.handle(messageID, at: services.now())
                try await services.chat(logger).staffSaid(
                    body, in: inquiry, by: staff.email, customerConnected: connected, messageID: messageID)
                let frame = ChatFrame(
                    type: "message", inquiryId: inquiryID.rawValue.uuidString, author: "STAFF", body: body,
                    at: services.now())
                await hub.sendToCustomer(inquiryID: inquiryID, frame.text)
                await hub.sendToStaff(merchantID: staff.merchantID, frame.text)
            } catch {
                logger.notice("chat reply not stored", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
        }
        socket.onClose.whenComplete { _ in
            Task {
                await hub.removeStaff(merchantID: staff.merchantID, connection: connection)
                try? await presence.leave(connection: connection)
            }
        }
    }

    package init(services: GatewayServices, hub: ChatHub) {
        self.services = services
        self.hub = hub
    }
}

/// The inquiry one customer connection writes to, once its first message made it.
private actor Conversation {
    package var inquiryID: InquiryID?

    package func set(_ id: InquiryID) { inquiryID = id }
}
