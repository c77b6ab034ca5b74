import Foundation
import IssuerSimulator
import KeyInCore
import KeyInGateway
import Testing
import Vapor

/// Test mode is a sandbox, as at Toss Payments and Stripe: a test key's payments reach only the built-in simulator,
/// a live key's only the configured card companies, and neither key ever sees the other mode's payments, links or
/// webhook endpoints.
@Suite("Test mode: a sandbox beside live")
struct TestModeTests {
    /// The harness's live host stands in for the configured card companies.
    func liveHost(_ gateway: GatewayHarness) throws -> (engine: IssuerEngine, secretKey: String) {
        let live = try #require(gateway.live)
        return (live.engine, live.secretKey)
    }

    @Test("A test key pays on the simulator and a live key on the card company, never the other")
    func paymentsGoToTheirModesHost() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let live = try liveHost(gateway)
            let test = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 11_000))
            #expect(test.status == .ok && test.body["status"] as? String == "DONE")
            #expect(await gateway.engine.entries().totals.capturedAmount == 11_000)
            #expect(await live.engine.entries().isEmpty, "a test payment reached the card company")

            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 22_000), secret: live.secretKey)
            #expect(paid.status == .ok && paid.body["status"] as? String == "DONE")
            #expect(await live.engine.entries().totals.capturedAmount == 22_000)
            #expect(await gateway.engine.entries().totals.capturedAmount == 11_000)

            // A refund goes back to the host that approved the sale.
            let paymentKey = try #require(paid.body["paymentKey"] as? String)
            let canceled = try await gateway.send(
                .POST, "v1/payments/\(paymentKey)/cancel", json: ["cancelReason": "고객 변심"], secret: live.secretKey)
            #expect(canceled.body["status"] as? String == "CANCELED")
            #expect(await live.engine.entries().contains { $0.kind == .refund && $0.amount == 22_000 })
            #expect(await !gateway.engine.entries().contains { $0.kind == .refund })
        }
    }

    @Test("A key never reads, cancels, captures or lists the other mode's payments")
    func modesNeverCross() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let live = try liveHost(gateway)
            let orderId = "order-both-modes"
            let test = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: orderId, extra: ["capture": false]))
            let testKey = try #require(test.body["paymentKey"] as? String)
            // One order id may be paid once in each mode.
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: orderId), secret: live.secretKey)
            #expect(paid.status == .ok, "\(paid.body)")
            let liveKey = try #require(paid.body["paymentKey"] as? String)

            for (key, secret) in [(testKey, live.secretKey), (liveKey, gateway.secretKey)] {
                let read = try await gateway.send(.GET, "v1/payments/\(key)", secret: secret)
                #expect(read.status == .notFound && read.body["code"] as? String == "NOT_FOUND_PAYMENT")
                let cancel = try await gateway.send(
                    .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "잘못된 키"], secret: secret)
                #expect(cancel.body["code"] as? String == "NOT_FOUND_PAYMENT")
            }
            let capture = try await gateway.send(.POST, "v1/payments/\(testKey)/capture", secret: live.secretKey)
            #expect(capture.body["code"] as? String == "NOT_FOUND_PAYMENT")

            let byOrder = try await gateway.send(.GET, "v1/payments/orders/\(orderId)", secret: live.secretKey)
            #expect(byOrder.body["paymentKey"] as? String == liveKey)
            let testList = try await gateway.send(.GET, "v1/payments")
            let listed = (testList.body["payments"] as? [[String: Any]] ?? []).compactMap {
                $0["paymentKey"] as? String
            }
            #expect(listed == [testKey])
            let liveList = try await gateway.send(.GET, "v1/payments", secret: live.secretKey)
            let liveListed = (liveList.body["payments"] as? [[String: Any]] ?? []).compactMap {
                $0["paymentKey"] as? String
            }
            #expect(liveListed == [liveKey])
        }
    }

    @Test("The same Idempotency-Key under a test and a live key makes two payments, one in each mode")
    func idempotencyKeysPerMode() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let live = try liveHost(gateway)
            let headers: HTTPHeaders = ["Idempotency-Key": "same-key-1"]
            let test = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), headers: headers)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), headers: headers, secret: live.secretKey)
            #expect(test.status == .ok && paid.status == .ok)
            #expect(paid.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(test.body["paymentKey"] as? String != paid.body["paymentKey"] as? String)
            #expect(await live.engine.entries().count == 1)
        }
    }

    @Test("Without card-company hosts a live key is refused before anything is sent or stored")
    func liveKeyWithoutHosts() async throws {
        try await GatewayHarness.with { gateway in
            let merchant = try await gateway.services.createMerchant(name: "라이브 상점", live: true)
            let response = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: merchant.secretKey)
            #expect(response.status == .forbidden)
            #expect(response.body["code"] as? String == "LIVE_MODE_NOT_CONFIGURED")
            #expect(await gateway.engine.entries().isEmpty, "a live payment reached the test simulator")
            let list = try await gateway.send(.GET, "v1/payments", secret: merchant.secretKey)
            #expect((list.body["payments"] as? [Any])?.isEmpty == true)
            let link = try await gateway.send(
                .POST, "v1/payment-links", json: ["amount": 5000, "orderName": "라이브 링크"], secret: merchant.secretKey)
            #expect(link.body["code"] as? String == "LIVE_MODE_NOT_CONFIGURED")
        }
    }

    @Test("A webhook endpoint hears only about its own mode's payments")
    func webhooksPerMode() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let live = try liveHost(gateway)
            func register(_ secret: String) async throws -> UUID {
                let created = try await gateway.send(
                    .POST, "v1/webhooks", json: ["url": "http://127.0.0.1:9/hook"], secret: secret)
                return try #require((created.body["webhookId"] as? String).flatMap(UUID.init(uuidString:)))
            }
            let testEndpoint = try await register(gateway.secretKey)
            let liveEndpoint = try await register(live.secretKey)
            _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
            let store = gateway.services.stores.webhooks
            let testDeliveries = try await store.deliveries(of: testEndpoint, status: nil, limit: 10)
            #expect(testDeliveries.count == 1 && testDeliveries.allSatisfy { $0.mode == .test })
            #expect(try await store.deliveries(of: liveEndpoint, status: nil, limit: 10).isEmpty)

            let listed = try await gateway.send(.GET, "v1/webhooks", secret: live.secretKey)
            let ids = (listed.body["webhooks"] as? [[String: Any]] ?? []).compactMap { $0["webhookId"] as? String }
            #expect(ids.map { $0.lowercased() } == [liveEndpoint.uuidString.lowercased()])
            let other = try await gateway.send(
                .GET, "v1/webhooks/\(testEndpoint.uuidString)/deliveries", secret: live.secretKey)
            #expect(other.body["code"] as? String == "NOT_FOUND_WEBHOOK")
        }
    }

    @Test("A test link's page says it is a test and pays on the simulator; a live link pays on the card company")
    func linksCarryTheirMode() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let live = try liveHost(gateway)
            func link(_ secret: String, amount: Int) async throws -> String {
                let created = try await gateway.send(
                    .POST, "v1/payment-links", json: ["amount": amount, "orderName": "링크 주문"], secret: secret)
                return try #require((created.body["url"] as? String)?.split(separator: "/").last.map(String.init))
            }
            let testLink = try await link(gateway.secretKey, amount: 7000)
            let liveLink = try await link(live.secretKey, amount: 8000)
            let testPage = try HTMLPage(try await gateway.send(.GET, "pay/\(testLink)", authenticated: false))
            #expect(try testPage.first("#test-mode") != nil)
            let livePage = try HTMLPage(try await gateway.send(.GET, "pay/\(liveLink)", authenticated: false))
            #expect(try livePage.first("#test-mode") == nil)

            let card: [String: any Sendable] = [
                "cardNumber": "4242424242424242", "cardExpirationYear": "30", "cardExpirationMonth": "12",
            ]
            for key in [testLink, liveLink] {
                let paid = try await gateway.send(
                    .POST, "pay/\(key)", json: card, headers: ["Idempotency-Key": "page-\(key)"], authenticated: false)
                #expect(paid.body["status"] as? String == "DONE", "\(paid.body)")
            }
            #expect(await gateway.engine.entries().totals.capturedAmount == 7000)
            #expect(await live.engine.entries().totals.capturedAmount == 8000)
        }
    }

    @Test("A live payment that times out is reversed on the card company that had it")
    func reversalsGoBackToTheirHost() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let live = try #require(gateway.live)
            let body = GatewayHarness.keyIn(card: GatewayHarness.silentCard)
            let request = Task {
                try await gateway.send(.POST, "v1/payments/key-in", json: body, secret: live.secretKey)
            }
            for await message in live.engine.received
            where message[.primaryAccountNumber] == GatewayHarness.silentCard { break }
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            let response = try await request.value
            #expect(response.body["status"] as? String == "ABORTED" || response.body["code"] != nil)
            await live.link.nextSettledReversal()
            #expect(await live.engine.entries().contains { $0.kind == .reversal })
            #expect(await gateway.engine.entries().isEmpty)
        }
    }

    @Test("The console shows one mode at a time, marks test data, and switches on request")
    func consoleModeSwitch() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let merchant = try await gateway.services.createMerchant(name: "두 모드 상점", live: false)
            let liveKey = try #require(
                try await gateway.services.rotateMerchantKey(merchantID: merchant.id, live: true, graceSeconds: 0))
            try await gateway.services.createStaff(
                merchantID: merchant.id, email: "owner@modes.example", password: "correct horse battery", owner: true)
            _ = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "test-order-1"),
                secret: merchant.secretKey)
            _ = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "live-order-1"), secret: liveKey)
            let session = try await ConsoleSession.signIn(
                gateway, email: "owner@modes.example", password: "correct horse battery")

            // A deployment with card companies opens on live data.
            let livePage = try await session.page("console/payments")
            #expect(try ConsoleSearchTests.listedOrders(livePage) == ["live-order-1"])
            #expect(try livePage.first("#test-mode") == nil)

            let switched = try await session.submit("console/mode", ["mode": "test"])
            #expect(switched.status == .seeOther)
            let setCookie = try #require(switched.headers.first(name: .setCookie))
            #expect(setCookie.contains("keyin_console_mode=test") && setCookie.contains("Secure"))
            let modeCookie = String(try #require(setCookie.split(separator: ";").first))
            let testPayments = try await session.get(
                "console/payments", headers: ["Cookie": session.cookie + "; " + modeCookie])
            let testPage = try HTMLPage(testPayments)
            #expect(try ConsoleSearchTests.listedOrders(testPage) == ["test-order-1"])
            #expect(try testPage.first("#test-mode") != nil)
            #expect(try testPage.first("#console-mode")?.text == "테스트")

            let refused = try await session.submit("console/mode", ["mode": "production"])
            #expect(refused.status == .badRequest)
        }
    }

    @Test("The demo merchant is test-only: it is never given a live key")
    func demoMerchantIsTestOnly() async throws {
        try await GatewayHarness.with(live: true) { gateway in
            let demo = try await gateway.services.createMerchant(name: "데모 상점", live: false, testOnly: true)
            await #expect(throws: MerchantAccounts.TestOnlyMerchant.self) {
                try await gateway.services.rotateMerchantKey(merchantID: demo.id, live: true, graceSeconds: 0)
            }
            #expect(
                try await gateway.services.rotateMerchantKey(merchantID: demo.id, live: false, graceSeconds: 0) != nil)
        }
    }
}
