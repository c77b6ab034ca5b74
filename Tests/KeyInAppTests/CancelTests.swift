import Foundation
import ISO8583
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("Cancels and captures", .timeLimit(.minutes(2)))
struct CancelTests {
    func pay(_ gateway: GatewayHarness, amount: Int = 50_000, capture: Bool = true) async throws -> String {
        let paid = try await gateway.send(
            .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: amount, extra: ["capture": capture]))
        return try #require(paid.body["paymentKey"] as? String)
    }

    @Test("A full cancel refunds the sale: CANCELED, balance 0, nothing left charged; a second cancel is refused")
    func fullCancel() async throws {
        try await GatewayHarness.with { gateway in
            let key = try await pay(gateway)
            let canceled = try await gateway.send(.POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "고객 변심"])
            #expect(canceled.status == .ok)
            #expect(canceled.body["status"] as? String == "CANCELED")
            #expect(canceled.body["balanceAmount"] as? Int == 0)
            let cancels = try #require(canceled.body["cancels"] as? [[String: Any]])
            #expect(cancels.map { $0["cancelAmount"] as? Int } == [50_000])
            #expect(cancels.first?["cancelReason"] as? String == "고객 변심")
            #expect(await gateway.engine.entries().totals.capturedAmount == 0)
            gateway.wallClock.advance(seconds: 2)
            let again = try await gateway.send(.POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "다시"])
            #expect(again.status == .conflict && again.body["code"] as? String == "ALREADY_CANCELED_PAYMENT")
        }
    }

    @Test("Partial cancels down to zero; a second cancel within a second is refused; guards on amounts")
    func partialCancels() async throws {
        try await GatewayHarness.with { gateway in
            gateway.wallClock.freeze()
            let key = try await pay(gateway, amount: 30_000)
            let first = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "부분 반품", "cancelAmount": 10_000])
            #expect(
                first.body["status"] as? String == "PARTIAL_CANCELED" && first.body["balanceAmount"] as? Int == 20_000)
            let tooSoon = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "부분 반품", "cancelAmount": 10_000])
            #expect(tooSoon.body["code"] as? String == "FORBIDDEN_CONSECUTIVE_REQUEST")
            gateway.wallClock.advance(seconds: 2)
            let tooMuch = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "부분 반품", "cancelAmount": 25_000])
            #expect(tooMuch.body["code"] as? String == "NOT_CANCELABLE_AMOUNT")
            let stale = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel",
                json: ["cancelReason": "부분 반품", "cancelAmount": 5_000, "refundableAmount": 30_000])
            #expect(stale.body["code"] as? String == "NOT_MATCHES_REFUNDABLE_AMOUNT")
            let rest = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "나머지", "refundableAmount": 20_000])
            #expect(rest.body["status"] as? String == "CANCELED" && rest.body["balanceAmount"] as? Int == 0)
            #expect((rest.body["cancels"] as? [[String: Any]])?.count == 2)
            #expect(await gateway.engine.entries().totals.capturedAmount == 0)
            let noReason = try await gateway.send(.POST, "v1/payments/\(key)/cancel", json: [:])
            #expect(
                noReason.body["code"] as? String == "INVALID_REQUEST"
                    && noReason.body["param"] as? String == "cancelReason")
        }
    }

    @Test("Concurrent partial cancels never take more than the balance, and the card company agrees")
    func concurrentCancels() async throws {
        try await GatewayHarness.with { gateway in
            let key = try await pay(gateway, amount: 50_000)
            let results = try await withThrowingTaskGroup(of: (UInt, String?).self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let response = try await gateway.send(
                            .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "동시 취소", "cancelAmount": 10_000])
                        return (response.status.code, response.body["code"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let accepted = results.filter { $0.0 == 200 }.count
            #expect(accepted >= 1)
            #expect(
                results.allSatisfy {
                    $0.0 == 200 || ["FORBIDDEN_CONSECUTIVE_REQUEST", "NOT_CANCELABLE_AMOUNT"].contains($0.1)
                })
            let payment = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect(payment.body["balanceAmount"] as? Int == 50_000 - accepted * 10_000)
            #expect(await gateway.engine.entries().totals.capturedAmount == Int64(50_000 - accepted * 10_000))
        }
    }

    @Test(
        "An authorization is captured (0220) or released whole; never partly cancelled; failed payments are not cancellable"
    )
    func authorizations() async throws {
        try await GatewayHarness.with { gateway in
            let held = try await pay(gateway, amount: 70_000, capture: false)
            let captured = try await gateway.send(.POST, "v1/payments/\(held)/capture", json: [:])
            #expect(captured.status == .ok && captured.body["status"] as? String == "DONE")
            let twice = try await gateway.send(.POST, "v1/payments/\(held)/capture", json: [:])
            #expect(twice.body["code"] as? String == "ALREADY_PROCESSED_PAYMENT")
            #expect(await gateway.engine.entries().totals.capturedAmount == 70_000)

            let released = try await pay(gateway, amount: 60_000, capture: false)
            let partial = try await gateway.send(
                .POST, "v1/payments/\(released)/cancel", json: ["cancelReason": "취소", "cancelAmount": 1_000])
            #expect(partial.body["code"] as? String == "NOT_CANCELABLE_AMOUNT")
            let voided = try await gateway.send(
                .POST, "v1/payments/\(released)/cancel", json: ["cancelReason": "주문 취소"])
            #expect(voided.body["status"] as? String == "CANCELED")
            await gateway.link.nextSettledReversal()
            #expect(await gateway.engine.entries().totals.heldAmount == 0)

            let declined = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"))
            let abortedKey = try #require(declined.body["paymentKey"] as? String)
            let notCancelable = try await gateway.send(
                .POST, "v1/payments/\(abortedKey)/cancel", json: ["cancelReason": "x"])
            #expect(notCancelable.body["code"] as? String == "NOT_CANCELABLE_PAYMENT")
            let notCapturable = try await gateway.send(.POST, "v1/payments/\(abortedKey)/capture", json: [:])
            #expect(notCapturable.body["code"] as? String == "NOT_CAPTURABLE_PAYMENT")
        }
    }
}

extension CancelTests {
    /// Sends `path` and, once the card company has the request with `processingCode` (or MTI 0220), lets the
    /// link's timeout pass.
    func sendUnanswered(
        _ gateway: GatewayHarness, _ path: String, json: [String: any Sendable],
        waitingFor matches: @escaping @Sendable (ISO8583Message) -> Bool
    ) async throws -> APIResponse {
        let request = Task { try await gateway.send(.POST, path, json: json) }
        for await message in gateway.engine.received where matches(message) { break }
        gateway.clock.advance(by: GatewayHarness.responseTimeout)
        return try await request.value
    }

    @Test("A refund the card company never answers is withdrawn: CANCEL_OR_CAPTURE_NOT_COMPLETED, payment unchanged")
    func refundTimeout() async throws {
        try await GatewayHarness.with { gateway in
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000009938", amount: 30_000))
            let key = try #require(paid.body["paymentKey"] as? String)
            let response = try await sendUnanswered(
                gateway, "v1/payments/\(key)/cancel", json: ["cancelReason": "반품"],
                waitingFor: { $0[.processingCode] == "200000" })
            #expect(response.status == .gatewayTimeout)
            #expect(response.body["code"] as? String == "CANCEL_OR_CAPTURE_NOT_COMPLETED")
            #expect(response.body["retryable"] as? Bool == true)
            #expect((response.body["customerMessage"] as? [String: String])?["ko"]?.contains("요청 전 그대로") == true)
            let payment = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect(payment.body["status"] as? String == "DONE" && payment.body["balanceAmount"] as? Int == 30_000)
            // The card company's side agrees once the reversal of the refund has landed: the sale stands whole.
            await gateway.link.nextSettledReversal()
            #expect(await gateway.engine.entries().totals.capturedAmount == 30_000)
        }
    }

    @Test("A capture the card company never answers is withdrawn: still WAITING_FOR_CAPTURE, and can be captured")
    func captureTimeout() async throws {
        try await GatewayHarness.with { gateway in
            let held = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: "4000000000009938", amount: 30_000, extra: ["capture": false]))
            let key = try #require(held.body["paymentKey"] as? String)
            let response = try await sendUnanswered(
                gateway, "v1/payments/\(key)/capture", json: [:], waitingFor: { $0.mti == .financialAdvice })
            #expect(response.body["code"] as? String == "CANCEL_OR_CAPTURE_NOT_COMPLETED")
            let payment = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect(payment.body["status"] as? String == "WAITING_FOR_CAPTURE")
        }
    }
}
