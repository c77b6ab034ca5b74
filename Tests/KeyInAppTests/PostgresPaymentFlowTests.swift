import CardNetworkLink
import CardVault
import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

/// The payment flow on PostgreSQL, the production database: the same migrations, the same guarantees.
/// `.ci/run` starts a PostgreSQL server and sets KEYIN_TEST_POSTGRES_URL; without it this suite does not run.
@Suite(
    "Payment flow on PostgreSQL", .enabled(if: GatewayHarness.postgresURL != nil), .timeLimit(.minutes(2)))
struct PostgresPaymentFlowTests {
    @Test("Key-in, lookup, decline, idempotent replay, partial and full cancel")
    func paymentFlow() async throws {
        try await GatewayHarness.with(postgres: true) { gateway in
            let body = GatewayHarness.keyIn(amount: 40_000, orderId: "pg-order-0001")
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "pg-1"])
            #expect(paid.status == .ok && paid.body["status"] as? String == "DONE")
            let key = try #require(paid.body["paymentKey"] as? String)
            let replay = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "pg-1"])
            #expect(replay.body["paymentKey"] as? String == key)
            #expect(
                try await gateway.send(.GET, "v1/payments/orders/pg-order-0001").body["paymentKey"] as? String == key)

            let declined = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000009987"))
            #expect(declined.body["code"] as? String == "INVALID_CARD_LOST_OR_STOLEN")

            let partial = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "부분 취소", "cancelAmount": 15_000])
            #expect(
                partial.body["status"] as? String == "PARTIAL_CANCELED"
                    && partial.body["balanceAmount"] as? Int == 25_000)
            gateway.wallClock.advance(seconds: 2)
            let full = try await gateway.send(.POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "전액 취소"])
            #expect(full.body["status"] as? String == "CANCELED" && full.body["balanceAmount"] as? Int == 0)
            #expect(await gateway.engine.entries().totals.capturedAmount == 0)
        }
    }

    @Test("Fifty simultaneous requests with one Idempotency-Key make one authorization")
    func concurrentIdempotency() async throws {
        try await GatewayHarness.with(postgres: true) { gateway in
            let body = GatewayHarness.keyIn(orderId: "pg-order-0050")
            let codes = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await gateway.send(
                            .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "pg-50"]
                        )
                        .status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == 200 || $0 == 409 })
            #expect(await gateway.engine.entries().filter { $0.kind == .sale }.count == 1)
        }
    }

    @Test("Concurrent partial cancels never exceed the balance")
    func concurrentCancels() async throws {
        try await GatewayHarness.with(postgres: true) { gateway in
            let paid = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 30_000))
            let key = try #require(paid.body["paymentKey"] as? String)
            let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await gateway.send(
                            .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "동시", "cancelAmount": 10_000]
                        ).status == .ok
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            let balance = try await gateway.send(.GET, "v1/payments/\(key)").body["balanceAmount"] as? Int
            #expect(balance == 30_000 - accepted * 10_000)
            #expect(await gateway.engine.entries().totals.capturedAmount == Int64(30_000 - accepted * 10_000))
        }
    }
}

extension PostgresPaymentFlowTests {
    @Test("Webhooks: queued with the change, claimed once by concurrent dispatchers, retried on the backoff")
    func webhooks() async throws {
        let logger = Logger(label: "pg-webhooks")
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with(postgres: true) { gateway in
                // Time moves only by hand: the retry is checked 5 s short of its minute, which a busy run could pass.
                gateway.wallClock.freeze()
                let created = try await gateway.send(.POST, "v1/webhooks", json: ["url": receiver.url])
                let webhookID = try #require(created.body["webhookId"] as? String)
                receiver.answerAlways(.serviceUnavailable)
                for _ in 0..<3 {
                    _ = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                }
                async let first = gateway.services.deliverDueWebhooks(logger: logger)
                async let second = gateway.services.deliverDueWebhooks(logger: logger)
                #expect(try await first + second == 3)
                #expect(receiver.received.count == 3)
                gateway.wallClock.advance(seconds: 55)
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 0)
                gateway.wallClock.advance(seconds: 10)
                receiver.answerAlways(.ok)
                #expect(try await gateway.services.deliverDueWebhooks(logger: logger) == 3)
                let log = try await gateway.send(.GET, "v1/webhooks/\(webhookID)/deliveries")
                let deliveries = try #require(log.body["deliveries"] as? [[String: Any]])
                #expect(deliveries.count == 3)
                #expect(
                    deliveries.allSatisfy { $0["status"] as? String == "SUCCEEDED" && $0["attemptCount"] as? Int == 2 })
            }
        }
    }
}

extension PostgresPaymentFlowTests {
    @Test("Several gateway processes starting at once on one new database: one migrates, the others wait, all run")
    func concurrentStarts() async throws {
        let admin = try #require(GatewayHarness.postgresURL)
        let setup = try await Application.make(.testing)
        let url: String
        do {
            url = try await PostgresTestDatabase.create(adminURL: admin, app: setup)
        } catch {
            try? await setup.asyncShutdown()
            throw error
        }
        try await setup.asyncShutdown()
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let app = try await Application.make(.testing)
                    do {
                        let services = try await configure(
                            app, storage: .postgres(url: url),
                            links: CardNetworkLinks(test: CardNetworkLink(configuration: .init(hosts: [:])), live: nil),
                            vault: CardVault(current: MasterKey.generate().key))
                        let count = try await services.merchantCount()
                        try await app.asyncShutdown()
                        return count
                    } catch {
                        try? await app.asyncShutdown()
                        throw error
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == [0, 0, 0, 0])
    }
}
