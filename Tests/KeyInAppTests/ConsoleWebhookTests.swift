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
                var headers = Self.form
                headers.add(name: "Cookie", value: owner.cookie)

                // The shop's receiver fails every delivery until the merchant fixes it.
                let registered = try await gateway.send(
                    .POST, "console/webhooks",
                    rawBody: Self.formBody([
                        "_csrf": owner.csrf, "url": receiver.url, "events[]": "PAYMENT_STATUS_CHANGED",
                        "description": "주문 시스템",
                    ]), headers: headers, authenticated: false)
                // Redirected (a reload must not register it twice) to the page that shows its secret.
                let next = try #require(registered.headers.first(name: .location))
                #expect(registered.status == .seeOther && next.hasPrefix("/console/webhooks?created="))
                let created = html(
                    try await gateway.send(
                        .GET, String(next.dropFirst()), headers: ["Cookie": owner.cookie], authenticated: false))
                let secret = try #require(
                    created.firstMatch(of: /<code id="webhook-secret">(whsec_[0-9a-f]{64})<\/code>/)?.1)
                // The API sees the same endpoint, with the same secret and only the ticked event.
                let listed = try await gateway.send(.GET, "v1/webhooks", secret: shop.secretKey)
                let endpoint = try #require((listed.body["webhooks"] as? [[String: Any]])?.first)
                #expect(endpoint["url"] as? String == receiver.url)
                #expect(endpoint["events"] as? [String] == ["PAYMENT_STATUS_CHANGED"])
                #expect(endpoint["description"] as? String == "주문 시스템")
                let webhookID = try #require(endpoint["webhookId"] as? String)
                let shown = try await gateway.send(.GET, "v1/webhooks/\(webhookID)", secret: shop.secretKey)
                #expect(shown.body["secret"] as? String == String(secret))
                // The plain page does not show it.
                let reloaded = html(
                    try await gateway.send(
                        .GET, "console/webhooks", headers: ["Cookie": owner.cookie], authenticated: false))
                #expect(reloaded.contains(receiver.url) && !reloaded.contains(String(secret)))

                // A bad address and an empty event choice come back with the catalog's explanation.
                let badURL = try await gateway.send(
                    .POST, "console/webhooks",
                    rawBody: Self.formBody([
                        "_csrf": owner.csrf, "url": "ftp://shop.example/x", "events[]": "PAYMENT_STATUS_CHANGED",
                    ]),
                    headers: headers, authenticated: false)
                #expect(badURL.headers.first(name: .location) == "/console/webhooks?error=INVALID_WEBHOOK_URL")
                let noEvents = try await gateway.send(
                    .POST, "console/webhooks",
                    rawBody: Self.formBody(["_csrf": owner.csrf, "url": "https://shop.example/x"]),
                    headers: headers, authenticated: false)
                #expect(noEvents.headers.first(name: .location) == "/console/webhooks?error=INVALID_REQUEST")

                // Staff see the log but cannot add endpoints.
                var clerk = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
                var clerkHeaders = Self.form
                clerkHeaders.add(name: "Cookie", value: clerk.cookie)
                let refused = try await gateway.send(
                    .POST, "console/webhooks",
                    rawBody: Self.formBody([
                        "_csrf": clerk.csrf, "url": "https://evil.example/", "events[]": "PAYMENT_STATUS_CHANGED",
                    ]),
                    headers: clerkHeaders, authenticated: false)
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
                clerkHeaders = Self.form
                clerkHeaders.add(name: "Cookie", value: clerk.cookie)
                let log = html(
                    try await gateway.send(
                        .GET, "console/webhooks", headers: ["Cookie": clerk.cookie], authenticated: false))
                let deliveryLog = try #require(
                    log.firstMatch(of: /<table class="list" id="webhook-deliveries">(?s)(.*?)<\/table>/)?.1)
                let retryPath = try #require(
                    deliveryLog.firstMatch(of: /action="(\/console\/webhooks\/[^"]+\/retry)"/)?.1, "\(deliveryLog)")
                #expect(log.contains("FAILED"))
                let retried = try await gateway.send(
                    .POST, String(retryPath.dropFirst()), rawBody: Self.formBody(["_csrf": clerk.csrf]),
                    headers: clerkHeaders, authenticated: false)
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
                headers = Self.form
                headers.add(name: "Cookie", value: owner.cookie)
                let page = html(
                    try await gateway.send(
                        .GET, "console/webhooks", headers: ["Cookie": owner.cookie], authenticated: false))
                let removePath = try #require(page.firstMatch(of: /action="(\/console\/webhooks\/[^"]+\/remove)"/)?.1)
                let removed = try await gateway.send(
                    .POST, String(removePath.dropFirst()), rawBody: Self.formBody(["_csrf": owner.csrf]),
                    headers: headers, authenticated: false)
                #expect(removed.headers.first(name: .location) == "/console/webhooks")
                let after = html(
                    try await gateway.send(
                        .GET, "console/webhooks", headers: ["Cookie": owner.cookie], authenticated: false))
                #expect(after.contains("삭제됨") && after.contains("SUCCEEDED"))
                let gone = try await gateway.send(.GET, "v1/webhooks", secret: shop.secretKey)
                #expect((gone.body["webhooks"] as? [[String: Any]])?.isEmpty == true)
            }
        }
    }
}
