import Foundation
import KeyInApp
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

extension ConsoleTests {
    @Test("Owners register a webhook endpoint in the console (secret shown once), staff retry a failed delivery")
    func webhookEndpoints() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with { gateway in
                receiver.answerAlways(.internalServerError)
                let shop = try await shop(gateway)
                var owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)

                // The shop's receiver fails every delivery until the merchant fixes it.
                let registered = try await owner.submit(
                    "console/webhooks",
                    ["url": receiver.url, "events[]": "PAYMENT_STATUS_CHANGED", "description": "주문 시스템"])
                // Redirected (a reload must not register it twice) to the page that shows its secret.
                let next = try #require(registered.headers.first(name: .location))
                #expect(registered.status == .seeOther && next.hasPrefix("/console/webhooks?created="))
                let created = try await owner.page(String(next.dropFirst()))
                let secret = try #require(try created.first("#webhook-created code#webhook-secret")?.text)
                #expect(secret.wholeMatch(of: /whsec_[0-9a-f]{64}/) != nil)
                // The API sees the same endpoint, with the same secret and only the ticked event.
                let listed = try await gateway.send(.GET, "v1/webhooks", secret: shop.secretKey)
                let endpoint = try #require((listed.body["webhooks"] as? [[String: Any]])?.first)
                #expect(endpoint["url"] as? String == receiver.url)
                #expect(endpoint["events"] as? [String] == ["PAYMENT_STATUS_CHANGED"])
                #expect(endpoint["description"] as? String == "주문 시스템")
                let webhookID = try #require(endpoint["webhookId"] as? String)
                let shown = try await gateway.send(.GET, "v1/webhooks/\(webhookID)", secret: shop.secretKey)
                #expect(shown.body["secret"] as? String == secret)
                // The plain page does not show it.
                let reloaded = try await owner.page("console/webhooks")
                let endpoints = try #require(try reloaded.first("table#webhook-endpoints")).rows
                #expect(endpoints.map { Array($0.prefix(1)) } == [["\(receiver.url) 주문 시스템"]])
                #expect(endpoints.first?[2] == "사용 중")
                #expect(!reloaded.markup.contains(secret))
                #expect(try reloaded.first("#webhook-secret") == nil)

                // A bad address and an empty event choice come back with the catalog's explanation.
                let badURL = try await owner.submit(
                    "console/webhooks", ["url": "ftp://shop.example/x", "events[]": "PAYMENT_STATUS_CHANGED"])
                #expect(badURL.headers.first(name: .location) == "/console/webhooks?error=INVALID_WEBHOOK_URL")
                let explained = try await owner.page("console/webhooks?error=INVALID_WEBHOOK_URL")
                #expect(try explained.first("#console-error")?.text.hasPrefix("INVALID_WEBHOOK_URL: ") == true)
                let noEvents = try await owner.submit("console/webhooks", ["url": "https://shop.example/x"])
                #expect(noEvents.headers.first(name: .location) == "/console/webhooks?error=INVALID_REQUEST")

                // Staff see the log but cannot add endpoints.
                var clerk = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
                #expect(try await clerk.page("console/webhooks").first("form#webhook-form") == nil)
                let refused = try await clerk.submit(
                    "console/webhooks", ["url": "https://evil.example/", "events[]": "PAYMENT_STATUS_CHANGED"])
                #expect(refused.status == .forbidden)

                // A payment's event fails all eight attempts; the clerk sends it again from the log.
                _ = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
                let logger = Logger(label: "console-webhook-tests")
                for minutes in [0, 1, 4, 16, 64, 256, 1024, 4096] {
                    gateway.wallClock.advance(seconds: Double(minutes * 60) + 1)
                    #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                }
                // Days have passed: the clerk signs in again.
                clerk = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
                let deliveryLog = try #require(
                    try await clerk.page("console/webhooks").first("table#webhook-deliveries"))
                #expect(
                    deliveryLog.rows.map { [$0[1], $0[3], $0[4], $0[5]] } == [
                        ["PAYMENT_STATUS_CHANGED", "FAILED", "8", "HTTP 500"]
                    ])
                let retryPath = try #require(
                    try deliveryLog.first("form[action$=/retry]")?["action"], "\(deliveryLog)")
                let retried = try await clerk.submit(String(retryPath.dropFirst()))
                #expect(retried.headers.first(name: .location) == "/console/webhooks?retried=1")
                let deliveries = try await gateway.send(
                    .GET, "v1/webhooks/\(webhookID)/deliveries", secret: shop.secretKey)
                let delivery = try #require((deliveries.body["deliveries"] as? [[String: Any]])?.first)
                #expect(delivery["status"] as? String == "PENDING" && delivery["attemptCount"] as? Int == 0)
                receiver.answerAlways(.noContent)
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                #expect(receiver.received.count == 9)

                // The owner, signed in again, removes the endpoint: its log stays, with no retry buttons.
                owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
                let page = try await owner.page("console/webhooks")
                let removePath = try #require(
                    try page.first("table#webhook-endpoints form[action$=/remove]")?["action"])
                let removed = try await owner.submit(String(removePath.dropFirst()))
                #expect(removed.headers.first(name: .location) == "/console/webhooks")
                let after = try await owner.page("console/webhooks")
                #expect(try after.first("table#webhook-endpoints")?.rows.first?[2] == "삭제됨")
                let log = try #require(try after.first("table#webhook-deliveries"))
                #expect(log.rows.map { $0[3] } == ["SUCCEEDED"])
                #expect(try log.all("form").isEmpty)
                let gone = try await gateway.send(.GET, "v1/webhooks", secret: shop.secretKey)
                #expect((gone.body["webhooks"] as? [[String: Any]])?.isEmpty == true)
            }
        }
    }
}
