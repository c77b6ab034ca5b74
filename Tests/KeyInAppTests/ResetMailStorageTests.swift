import Fluent
import Foundation
import KeyInAPI
import KeyInApp
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInSupport
import Logging
import Testing
import Vapor

// The rows themselves: bulk inserts and a look at what is stored, which no store offers.
@testable import KeyInPersistence

@Suite("A sent password reset mail does not leave its link readable in the database")
struct ResetMailStorageTests {
    @Test("Once handed to the sender, the stored copy has the token taken out; other messages are kept whole")
    func tokenRemovedAfterSending() async throws {
        let mail = CapturingMessageSender()
        try await GatewayHarness.with(messageSender: mail) { gateway in
            let merchant = try await gateway.services.createMerchant(name: "메일 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: merchant.id, email: "owner@mail.example", password: "owner password", owner: true)
            _ = try await gateway.send(
                .POST, "console/forgot", rawBody: "email=owner%40mail.example",
                headers: ["Content-Type": "application/x-www-form-urlencoded"], authenticated: false)
            _ = try await gateway.send(
                .POST, "v1/payment-links",
                json: [
                    "amount": 20_000, "orderName": "엽서", "customerMobilePhone": "010-1212-3434", "send": ["SMS"],
                ], secret: merchant.secretKey)
            #expect(try await gateway.services.sendPendingMessages(logger: Logger(label: "reset-mail")) == 2)
            let token = try #require(
                mail.sent.first { $0.channel == .email }?.body.firstMatch(of: /\/console\/reset\/([0-9a-f]{64})/)?.1)
            let stored = try await OutboundMessageModel.query(on: gateway.app.gatewayDatabase).all()
            let reset = try #require(stored.first { $0.subjectReference.hasPrefix("password_reset:") })
            #expect(!reset.body.contains(String(token)) && reset.body.contains("/console/reset/(보낸 뒤 지움)"))
            let link = try #require(stored.first { $0.subjectReference.hasPrefix("payment_link:") })
            #expect(link.body.contains("/pay/"))
        }
    }
}
