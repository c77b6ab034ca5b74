import Foundation
import KeyInAPI
import KeyInApp
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import KeyInSupport
import Logging
import Testing
import Vapor

@Suite("The chat relay's reading of new messages, on SQLite and PostgreSQL", .timeLimit(.minutes(2)))
struct ChatRelayQueryTests {
    @Test(
        "Only conversations someone here takes part in, newest first, chat only",
        arguments: GatewayHarness.postgresURL == nil ? [false] : [false, true])
    func newestMessages(postgres: Bool) async throws {
        try await GatewayHarness.with(postgres: postgres) { gateway in
            let shop = try await gateway.services.createMerchant(name: "채팅 상점", live: false)
            let other = try await gateway.services.createMerchant(name: "다른 상점", live: false)
            func link(_ secret: String, _ name: String) async throws -> PaymentLinkRecord {
                let created = try await gateway.send(
                    .POST, "v1/payment-links", json: ["amount": 10_000, "orderName": name], secret: secret)
                let id = try #require((created.body["paymentLinkId"] as? String).flatMap(UUID.init(uuidString:)))
                return try #require(try await PaymentLinkStore(database: gateway.app.gatewayDatabase).link(id: id))
            }
            let chat = gateway.services.chat(Logger(label: "relay-query"))
            let start = gateway.wallClock.now.addingTimeInterval(-1)
            let (mine, _) = try await chat.customerSaid(
                "첫 질문", contact: nil, inquiryID: nil, link: try await link(shop.secretKey, "우리 주문"), messageID: UUID())
            gateway.wallClock.advance(seconds: 1)
            _ = try await chat.customerSaid(
                "두 번째", contact: nil, inquiryID: mine.id, link: try await link(shop.secretKey, "우리 주문"),
                messageID: UUID())
            let (theirs, _) = try await chat.customerSaid(
                "남의 질문", contact: nil, inquiryID: nil, link: try await link(other.secretKey, "남의 주문"),
                messageID: UUID())
            // An inquiry sent from a receipt is no chat: never relayed.
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            let form = try await gateway.send(
                .POST, "inquiries",
                json: [
                    "paymentKey": paid.body["paymentKey"] as? String ?? "", "contact": "010-1111-2222",
                    "message": "양식 문의",
                ],
                authenticated: false)
            #expect(form.status == .ok)
            let relay = ChatRelay(
                store: SupportStore(database: gateway.app.gatewayDatabase), hub: gateway.services.chatHub,
                now: { gateway.wallClock.now })

            let forStaff = try await relay.newest(since: start, interest: ([MerchantID(shop.id)], []))
            #expect(forStaff.map(\.body) == ["두 번째", "첫 질문"])
            let forCustomer = try await relay.newest(since: start, interest: ([], [theirs.id]))
            #expect(forCustomer.map(\.body) == ["남의 질문"])
            let both = try await relay.newest(since: start, interest: ([MerchantID(shop.id)], [theirs.id]))
            #expect(both.count == 3)
            #expect(try await relay.newest(since: start, interest: ([], [])).isEmpty)
            #expect(
                try await relay.newest(
                    since: gateway.wallClock.now.addingTimeInterval(1), interest: ([MerchantID(shop.id)], [])
                )
                .isEmpty)
        }
    }
}
