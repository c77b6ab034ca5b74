import Foundation
import KeyInApp
import KeyInCore
import KeyInGateway
import Logging
import Testing
import Vapor

/// The console's hand-written SQL (one-use reset links, link withdrawal) and the reversal timeline on PostgreSQL.
@Suite(
    "Console and timeline on PostgreSQL", .enabled(if: GatewayHarness.postgresURL != nil), .timeLimit(.minutes(2)))
struct PostgresConsoleTests {
    let console = ConsoleTests()

    @Test("A reset link works once; a withdrawn link cannot be paid; a reversal's 0410 joins the payment's timeline")
    func consoleOnPostgres() async throws {
        let mail = CapturingMessageSender()
        try await GatewayHarness.with(postgres: true, messageSender: mail) { gateway in
            let shop = try await console.shop(gateway)
            _ = try await console.post(gateway, "console/forgot", ["email": shop.owner.email])
            #expect(try await gateway.services.sendPendingMessages(logger: Logger(label: "pg-console")) == 1)
            let path = String(
                try #require(mail.sent.last?.body.firstMatch(of: /\/console\/reset\/[0-9a-f]{64}/)).0.dropFirst())
            let new = "postgres reset passphrase"
            let first = try await console.post(gateway, path, ["newPassword": new, "confirmPassword": new])
            #expect(first.headers.first(name: .location) == "/console/login?reset=1")
            let second = try await console.post(gateway, path, ["newPassword": new, "confirmPassword": new])
            #expect(second.body["code"] as? String == "INVALID_PASSWORD_RESET_LINK")
            let session = try await console.signIn(gateway, email: shop.owner.email, password: new)

            let link = try await gateway.send(
                .POST, "v1/payment-links", json: ["amount": 30_000, "orderName": "PG 링크"], secret: shop.secretKey)
            let linkID = try #require(link.body["paymentLinkId"] as? String)
            let withdrawn = try await session.submit("console/links/\(linkID)/cancel")
            #expect(withdrawn.headers.first(name: .location) == "/console/links")
            let shown = try await gateway.send(.GET, "v1/payment-links/\(linkID)", secret: shop.secretKey)
            #expect(shown.body["status"] as? String == "CANCELED")

            let response = try await gateway.timedOutPayment(secret: shop.secretKey)
            let key = try #require(response.body["paymentKey"] as? String)
            let detail = try await session.page("console/payments/\(key)")
            let rows = try console.networkRows(detail)
            #expect(rows.map { $0[2] } == ["0200", "0210", "0400", "0410"])
            #expect(rows.last?[5].hasPrefix("망취소 완료") == true)

            // The dashboard's counts come from one grouped query: the same figures on PostgreSQL.
            _ = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 25_000), secret: shop.secretKey)
            let dashboard = try await session.page("console")
            #expect(try dashboard.first("section.figure")?.text == "오늘 25,000원 승인 1건 · 실패 1건 · 승인율 50.0%")
            #expect(try dashboard.all("figure.chart svg title").map(\.text).contains("네트워크: 1"))
        }
    }
}
