import CardVault
import Crypto
import Foundation
import KeyInApp
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

@Suite("Webhooks: signed deliveries from a durable outbox", .timeLimit(.minutes(2)))
struct WebhookTests {
    let logger = Logger(label: "webhook-tests")

    func register(
        _ gateway: GatewayHarness, _ receiver: WebhookReceiver, events: [String]? = nil
    ) async throws -> (id: String, secret: String) {
        var body: [String: any Sendable] = ["url": receiver.url, "description": "주문 시스템"]
        if let events { body["events"] = events }
        let created = try await gateway.send(.POST, "v1/webhooks", json: body)
        #expect(created.status == .ok)
        return (try #require(created.body["webhookId"] as? String), try #require(created.body["secret"] as? String))
    }

    /// What a merchant's receiver does with `KeyIn-Signature`, written from the documented format alone.
    static func signatureIsValid(_ header: String, secret: String, body: Data) -> Bool {
        let parts = Dictionary(
            header.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
                .filter { $0.count == 2 }.map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
        guard let timestamp = parts["t"], let given = parts["v1"] else { return false }
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp).".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).map { String(format: "%02x", $0) }.joined() == given
    }

    @Test("An approval reaches the endpoint as PAYMENT_STATUS_CHANGED, signed with the endpoint's secret, no card data")
    func approvalIsDelivered() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with { gateway in
                let (webhookID, secret) = try await register(gateway, receiver)
                let paid = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                let paymentKey = try #require(paid.body["paymentKey"] as? String)

                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                let delivery = try #require(receiver.received.first)
                #expect(receiver.received.count == 1)
                #expect(delivery.headers.first(name: "KeyIn-Event-Type") == "PAYMENT_STATUS_CHANGED")
                let deliveryID = try #require(delivery.headers.first(name: "KeyIn-Delivery-Id"))
                let signature = try #require(delivery.headers.first(name: "KeyIn-Signature"))
                #expect(Self.signatureIsValid(signature, secret: secret, body: delivery.body))
                #expect(!Self.signatureIsValid(signature, secret: secret + "x", body: delivery.body))
                let event = delivery.json
                #expect(event["eventType"] as? String == "PAYMENT_STATUS_CHANGED")
                let data = try #require(event["data"] as? [String: Any])
                #expect(data["paymentKey"] as? String == paymentKey && data["status"] as? String == "DONE")
                let text = String(decoding: delivery.body, as: UTF8.self)
                for secretValue in ["4242424242424242", "900101", "\"cardPassword\"", "\"cardCvc\""] {
                    #expect(!text.contains(secretValue), "the webhook carries \(secretValue)")
                }

                // Nothing is sent twice, and the log says what happened.
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 0)
                let log = try await gateway.send(.GET, "v1/webhooks/\(webhookID)/deliveries")
                let entries = try #require(log.body["deliveries"] as? [[String: Any]])
                #expect(entries.count == 1)
                #expect(entries.first?["deliveryId"] as? String == deliveryID)
                #expect(entries.first?["status"] as? String == "SUCCEEDED")
                let attempts = try #require(entries.first?["attempts"] as? [[String: Any]])
                #expect(attempts.map { $0["responseStatus"] as? Int } == [200])
            }
        }
    }

    @Test(
        "A failing endpoint is retried after 1, 4, 16, 64, 256, 1024 and 4096 minutes, then FAILED; retry sends it again"
    )
    func backoff() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with { gateway in
                // Time moves only by hand: each wait is checked 5 s short of its end, which a busy run could pass.
                gateway.wallClock.freeze()
                receiver.answerAlways(.internalServerError)
                let (webhookID, _) = try await register(gateway, receiver)
                _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                for minutes in [1, 4, 16, 64, 256, 1024, 4096] {
                    gateway.wallClock.advance(seconds: Double(minutes * 60) - 5)
                    #expect(
                        try await gateway.services.deliverDueWebhooks(logger: logger) == 0,
                        "sent before its \(minutes)-minute wait was over")
                    gateway.wallClock.advance(seconds: 6)
                    #expect(
                        try await gateway.services.deliverDueWebhooks(logger: logger) == 1,
                        "not sent after its \(minutes)-minute wait")
                }
                gateway.wallClock.advance(seconds: 30 * 24 * 3600)
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 0)
                #expect(receiver.received.count == 8)
                // Every attempt carries the same delivery id and the same body.
                #expect(Set(receiver.received.compactMap { $0.headers.first(name: "KeyIn-Delivery-Id") }).count == 1)
                #expect(Set(receiver.received.map(\.body)).count == 1)

                let log = try await gateway.send(.GET, "v1/webhooks/\(webhookID)/deliveries?status=FAILED")
                let entry = try #require((log.body["deliveries"] as? [[String: Any]])?.first)
                #expect(entry["status"] as? String == "FAILED" && entry["attemptCount"] as? Int == 8)
                let attempts = try #require(entry["attempts"] as? [[String: Any]])
                #expect(attempts.map { $0["responseStatus"] as? Int } == Array(repeating: 500, count: 8))
                #expect(attempts.allSatisfy { $0["error"] as? String == "HTTP 500" })

                // The merchant fixes the endpoint and asks for the delivery again.
                receiver.answerAlways(.noContent)
                let deliveryID = try #require(entry["deliveryId"] as? String)
                let retried = try await gateway.send(
                    .POST, "v1/webhooks/\(webhookID)/deliveries/\(deliveryID)/retry", json: [:])
                #expect(retried.body["status"] as? String == "PENDING")
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                let after = try await gateway.send(.GET, "v1/webhooks/\(webhookID)/deliveries")
                #expect((after.body["deliveries"] as? [[String: Any]])?.first?["status"] as? String == "SUCCEEDED")
            }
        }
    }

    @Test("In production an endpoint on the gateway's own network is refused with the catalog's reason")
    func internalEndpointsRefused() async throws {
        try await GatewayHarness.with(allowInternalWebhookTargets: false) { gateway in
            for url in [
                "http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://[::1]/hooks", "http://10.0.0.7/",
            ] {
                let refused = try await gateway.send(.POST, "v1/webhooks", json: ["url": url])
                #expect(
                    refused.status == .badRequest && refused.body["code"] as? String == "INVALID_WEBHOOK_URL", "\(url)")
            }
            let accepted = try await gateway.send(.POST, "v1/webhooks", json: ["url": "https://shop.example/keyin"])
            #expect(accepted.status == .ok)
        }
    }

    @Test("An endpoint that refuses connections is retried like one that fails")
    func unreachableEndpoint() async throws {
        try await GatewayHarness.with { gateway in
            // Port 1 (tcpmux): nothing listens there. A port freed by a stopped receiver could be taken by another
            // test's server meanwhile.
            let created = try await gateway.send(.POST, "v1/webhooks", json: ["url": "http://127.0.0.1:1/hooks"])
            let webhookID = try #require(created.body["webhookId"] as? String)
            _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
            #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
            let log = try await gateway.send(.GET, "v1/webhooks/\(webhookID)/deliveries")
            let entry = try #require((log.body["deliveries"] as? [[String: Any]])?.first)
            #expect(entry["status"] as? String == "PENDING" && entry["attemptCount"] as? Int == 1)
            #expect(entry["nextAttemptAt"] is String)
            let attempt = try #require((entry["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["responseStatus"] == nil && (attempt["error"] as? String)?.isEmpty == false)
        }
    }

    @Test("Cancels: CANCEL_STATUS_CHANGED for a refund and for a refused one; endpoints get only their events")
    // (The refused one: a refund after the card number's retention ended.)
    func cancelEvents() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with { gateway in
                _ = try await register(gateway, receiver, events: ["CANCEL_STATUS_CHANGED"])
                let paid = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 30_000))
                let key = try #require(paid.body["paymentKey"] as? String)
                _ = try await gateway.send(
                    .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "부분 반품", "cancelAmount": 10_000])
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                let event = try #require(receiver.received.first?.json)
                #expect(event["eventType"] as? String == "CANCEL_STATUS_CHANGED")
                let cancel = try #require(event["cancel"] as? [String: Any])
                #expect(cancel["cancelStatus"] as? String == "DONE" && cancel["cancelAmount"] as? Int == 10_000)
                let data = try #require(event["data"] as? [String: Any])
                #expect(data["status"] as? String == "PARTIAL_CANCELED" && data["balanceAmount"] as? Int == 20_000)

                // A year on, the card number is destroyed; a refund can no longer be sent. The event says so, and
                // the balance is whole again.
                gateway.wallClock.advance(seconds: 366 * 86_400)
                #expect(try await gateway.services.shredExpiredCardRecords(retentionDays: 365) == 1)
                let refused = try await gateway.send(
                    .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "반품", "cancelAmount": 5_000])
                #expect(refused.status != .ok)
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 1)
                let second = try #require(receiver.received.last?.json)
                let refusedCancel = try #require(second["cancel"] as? [String: Any])
                #expect(refusedCancel["cancelStatus"] as? String == "ABORTED")
                #expect((refusedCancel["failure"] as? [String: Any])?["code"] as? String == "NOT_CANCELABLE_PAYMENT")
                #expect((second["data"] as? [String: Any])?["balanceAmount"] as? Int == 20_000)
                #expect(receiver.received.count == 2)
            }
        }
    }

    @Test("The outbox is in the database: another gateway process on it delivers what the first queued")
    func outboxOutlivesTheProcess() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with(onDisk: true) { gateway in
                _ = try await register(gateway, receiver)
                _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                // The first process never delivers (it "crashed"); a second one opens the same database.
                let path = try #require(gateway.databasePath)
                let second = try await Application.make(.testing)
                do {
                    let services = try await configure(
                        second, storage: .sqliteFile(path: path), links: gateway.services.links,
                        vault: gateway.services.vault,
                        allowInternalWebhookTargets: true, webhookPorts: nil)
                    #expect(try await services.deliverDueWebhooks(logger: logger) == 2)
                } catch {
                    try? await second.asyncShutdown()
                    throw error
                }
                try await second.asyncShutdown()
                #expect(receiver.received.count == 2)
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 0)
            }
        }
    }

    @Test(
        "A delivery a process was sending when it died goes out as soon as that process is silent, not after its lease")
    func deadProcessLease() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with { gateway in
                _ = try await register(gateway, receiver)
                _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                // The dying process takes the delivery's lease, and dies before it sends.
                let store = gateway.services.stores.webhooks
                let now = gateway.services.now().epochMilliseconds
                let due = try #require(try await store.due(at: now, limit: 10).first)
                #expect(
                    try await store.claim(
                        due.delivery, until: now + WebhookDispatcher.leaseMilliseconds, by: gateway.services.processID))
                let survivor = gateway.services.anotherProcess()
                try await survivor.heartbeat()
                #expect(try await survivor.deliverDueWebhooks(logger: logger) == 0)
                _ = try await survivor.recoverStalePayments(logger: logger, staleAfter: 3600)
                #expect(try await survivor.deliverDueWebhooks(logger: logger) == 1)
                #expect(receiver.received.count == 1)
            }
        }
    }

    @Test("Two dispatchers working one outbox at once send each delivery once")
    func concurrentDispatchers() async throws {
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with { gateway in
                _ = try await register(gateway, receiver)
                for _ in 0..<6 {
                    _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                }
                async let first = gateway.services.deliverDueWebhooks(logger: logger)
                async let second = gateway.services.deliverDueWebhooks(logger: logger)
                #expect(try await first + second == 6)
                #expect(receiver.received.count == 6)
                #expect(Set(receiver.received.compactMap { $0.headers.first(name: "KeyIn-Delivery-Id") }).count == 6)
            }
        }
    }

    @Test("Endpoints: checked URLs and events, scoped to the merchant, secret shown to its owner only, removable")
    func endpointManagement() async throws {
        try await GatewayHarness.with { gateway in
            let badURL = try await gateway.send(.POST, "v1/webhooks", json: ["url": "ftp://example.com/hook"])
            #expect(badURL.status == .badRequest && badURL.body["code"] as? String == "INVALID_WEBHOOK_URL")
            let relative = try await gateway.send(.POST, "v1/webhooks", json: ["url": "/hooks"])
            #expect(relative.body["code"] as? String == "INVALID_WEBHOOK_URL")
            let badEvent = try await gateway.send(
                .POST, "v1/webhooks", json: ["url": "https://shop.example/hook", "events": ["PAYMENT_DONE"]])
            #expect(
                badEvent.body["code"] as? String == "INVALID_REQUEST" && badEvent.body["param"] as? String == "events")

            let created = try await gateway.send(
                .POST, "v1/webhooks", json: ["url": "https://shop.example/hook"], headers: ["Idempotency-Key": "wh-1"])
            let id = try #require(created.body["webhookId"] as? String)
            let secret = try #require(created.body["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(
                created.body["events"] as? [String] == [
                    "PAYMENT_STATUS_CHANGED", "CANCEL_STATUS_CHANGED", "CARD_TESTING_ALERT",
                ])
            // A replay answers the same endpoint, without keeping the secret in the idempotency store.
            let replay = try await gateway.send(
                .POST, "v1/webhooks", json: ["url": "https://shop.example/hook"], headers: ["Idempotency-Key": "wh-1"])
            #expect(replay.body["webhookId"] as? String == id && replay.body["secret"] == nil)

            let list = try await gateway.send(.GET, "v1/webhooks")
            let listed = try #require(list.body["webhooks"] as? [[String: Any]])
            #expect(listed.count == 1 && listed.first?["secret"] == nil)
            let shown = try await gateway.send(.GET, "v1/webhooks/\(id)")
            #expect(shown.body["secret"] as? String == secret)

            let other = try await gateway.services.createMerchant(name: "다른 상점", live: false)
            let foreign = try await gateway.send(.GET, "v1/webhooks/\(id)", secret: other.secretKey)
            #expect(foreign.status == .notFound && foreign.body["code"] as? String == "NOT_FOUND_WEBHOOK")
            let foreignDelete = try await gateway.send(.DELETE, "v1/webhooks/\(id)", secret: other.secretKey)
            #expect(foreignDelete.body["code"] as? String == "NOT_FOUND_WEBHOOK")

            // Removed: it leaves the list and gets nothing new.
            let removed = try await gateway.send(.DELETE, "v1/webhooks/\(id)")
            #expect(removed.status == .ok && removed.body["deletedAt"] is String)
            let remaining = try await gateway.send(.GET, "v1/webhooks")
            #expect((remaining.body["webhooks"] as? [Any])?.isEmpty == true)
            _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
            #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 0)
            let log = try await gateway.send(.GET, "v1/webhooks/\(id)/deliveries")
            #expect((log.body["deliveries"] as? [Any])?.isEmpty == true)
        }
    }
}
