import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("Idempotency-Key", .timeLimit(.minutes(2)))
struct IdempotencyTests {
    @Test("The same key and request replays the stored response without a second authorization")
    func replay() async throws {
        try await GatewayHarness.with { gateway in
            let body = GatewayHarness.keyIn(orderId: "order-idem-01")
            let first = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "k-001"])
            let second = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "k-001"])
            #expect(first.status == .ok && second.status == .ok)
            #expect(second.body["paymentKey"] as? String == first.body["paymentKey"] as? String)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(await gateway.engine.entries().count == 1)
        }
    }

    @Test("The same key with a different request is refused, not replayed")
    func conflict() async throws {
        try await GatewayHarness.with { gateway in
            _ = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "order-idem-02"),
                headers: ["Idempotency-Key": "k-002"])
            let other = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 20_000, orderId: "order-idem-02"),
                headers: ["Idempotency-Key": "k-002"])
            #expect(other.status == .unprocessableEntity)
            #expect(other.body["code"] as? String == "IDEMPOTENT_REQUEST_CONFLICT")
        }
    }

    @Test("Errors are replayed too, and a malformed key is refused")
    func errorsAndFormat() async throws {
        try await GatewayHarness.with { gateway in
            let body = GatewayHarness.keyIn(card: "4000000000000002", orderId: "order-idem-03")
            let first = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "k-003"])
            let second = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "k-003"])
            #expect(first.body["code"] as? String == "REJECT_CARD_COMPANY")
            #expect(
                second.status == first.status
                    && second.body["paymentKey"] as? String == first.body["paymentKey"] as? String)
            #expect(await gateway.engine.entries().count == 1)
            let bad = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "with space"])
            #expect(bad.body["code"] as? String == "INVALID_IDEMPOTENCY_KEY")
        }
    }

    @Test("Twenty simultaneous requests with one key make exactly one authorization")
    func concurrent() async throws {
        try await GatewayHarness.with { gateway in
            let body = GatewayHarness.keyIn(orderId: "order-idem-50")
            let statuses = try await withThrowingTaskGroup(of: (UInt, String?).self) { group in
                // Twenty, not more: the in-memory SQLite of the tests has two connections, and a busy test run must
                // still give each request one within the pool's timeout (with fifty, one run failed).
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await gateway.send(
                            .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "k-050"])
                        return (response.status.code, response.body["code"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(
                statuses.allSatisfy { $0.0 == 200 || ($0.0 == 409 && $0.1 == "IDEMPOTENT_REQUEST_PROCESSING") },
                "\(statuses)")
            #expect(statuses.contains { $0.0 == 200 })
            let sales = await gateway.engine.entries().filter { $0.kind == .sale }
            #expect(sales.count == 1)
        }
    }
}
