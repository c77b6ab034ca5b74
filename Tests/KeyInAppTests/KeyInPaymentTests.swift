import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("POST /v1/payments/key-in and lookups", .timeLimit(.minutes(2)))
struct KeyInPaymentTests {
    @Test("CVC and card password are sent as checked: white space around them, any kind, is trimmed")
    func trimmedSecrets() async throws {
        try await GatewayHarness.with { gateway in
            let response = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(extra: ["cardCvc": "123\u{2001}", "cardPassword": "\u{3000}12 "]))
            #expect(response.status == .ok && response.body["status"] as? String == "DONE", "\(response.body)")
        }
    }

    @Test("A good card is approved: DONE, masked card, approval number, card company; and can be looked up")
    func approved() async throws {
        try await GatewayHarness.with { gateway in
            let response = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "order-ok-0001"))
            #expect(response.status == .ok)
            #expect(response.body["status"] as? String == "DONE")
            #expect(response.body["totalAmount"] as? Int == 15_000 && response.body["balanceAmount"] as? Int == 15_000)
            #expect(response.body["currency"] as? String == "KRW")
            let card = try #require(response.body["card"] as? [String: Any])
            #expect(card["number"] as? String == "424242******4242")
            #expect(card["company"] as? String == "신한카드" && card["companyCode"] as? String == "41")
            #expect((card["approveNo"] as? String)?.count == 6)
            #expect((response.body["requestedAt"] as? String)?.hasSuffix("+09:00") == true)
            let paymentKey = try #require(response.body["paymentKey"] as? String)

            let byKey = try await gateway.send(.GET, "v1/payments/\(paymentKey)")
            #expect(byKey.status == .ok && byKey.body["orderId"] as? String == "order-ok-0001")
            let byOrder = try await gateway.send(.GET, "v1/payments/orders/order-ok-0001")
            #expect(byOrder.body["paymentKey"] as? String == paymentKey)
            #expect(await gateway.engine.entries().totals.capturedAmount == 15_000)
        }
    }

    @Test("capture: false holds the amount: WAITING_FOR_CAPTURE")
    func authorizationOnly() async throws {
        try await GatewayHarness.with { gateway in
            let response = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["capture": false]))
            #expect(response.status == .ok)
            #expect(response.body["status"] as? String == "WAITING_FOR_CAPTURE")
            #expect(await gateway.engine.entries().totals.heldAmount == 15_000)
        }
    }

    @Test("Bad card details: every problem reported, nothing sent to the card company")
    func invalidCard() async throws {
        try await GatewayHarness.with { gateway in
            let response = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: "4242424242424241", extra: ["cardPassword": "1"]))
            #expect(response.status == .badRequest)
            #expect(response.body["code"] as? String == "INVALID_CARD_NUMBER")
            #expect(response.body["param"] as? String == "cardNumber")
            #expect(response.body["category"] as? String == "card_info")
            #expect(response.body["retryable"] as? Bool == false)
            #expect(
                (response.body["customerMessage"] as? [String: String])?["ko"]
                    == "카드번호를 다시 확인해 주세요. 숫자 하나가 잘못 입력되었을 수 있습니다.")
            #expect(response.body["helpUrl"] as? String == "/help/invalid-card-number")
            let problems = try #require(response.body["problems"] as? [[String: Any]])
            #expect(problems.map { $0["code"] as? String } == ["INVALID_CARD_NUMBER", "INVALID_CARD_PASSWORD_FORMAT"])
            #expect(response.headers.contentType == .json)
            #expect(await gateway.engine.entries().isEmpty)
        }
    }

    @Test("Accept-Language: en gives the merchant message in English")
    func english() async throws {
        try await GatewayHarness.with { gateway in
            let body = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 99),
                headers: ["Accept-Language": "en-US,en;q=0.9"]
            ).body
            #expect(body["code"] as? String == "BELOW_MINIMUM_AMOUNT")
            #expect(body["message"] as? String == "The amount is below its currency's minimum (100 KRW).")
        }
    }

    @Test("A decline is ABORTED with its catalog error; the order can then be paid again")
    func declined() async throws {
        try await GatewayHarness.with { gateway in
            let declined = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: "4000000000009995", orderId: "order-retry-01"))
            #expect(declined.status == .paymentRequired)
            #expect(declined.body["code"] as? String == "REJECT_CARD_PAYMENT")
            #expect(declined.body["category"] as? String == "card_company_policy")
            let paymentKey = try #require(declined.body["paymentKey"] as? String)
            let stored = try await gateway.send(.GET, "v1/payments/\(paymentKey)")
            #expect(stored.body["status"] as? String == "ABORTED")
            #expect((stored.body["failure"] as? [String: Any])?["code"] as? String == "REJECT_CARD_PAYMENT")

            let retried = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "order-retry-01"))
            #expect(retried.status == .ok && retried.body["status"] as? String == "DONE")
            let again = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "order-retry-01"))
            #expect(again.status == .conflict && again.body["code"] as? String == "DUPLICATED_ORDER_ID")
            let byOrder = try await gateway.send(.GET, "v1/payments/orders/order-retry-01")
            #expect(byOrder.body["status"] as? String == "DONE")
        }
    }

    @Test("A card company that does not answer: the link reverses, the merchant sees ABORTED, nothing charged")
    func timeout() async throws {
        try await GatewayHarness.with { gateway in
            let request = await gateway.unansweredPayment()
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            let response = try await request.value
            #expect(response.status == .gatewayTimeout)
            #expect(response.body["code"] as? String == "CARD_COMPANY_RESPONSE_TIMEOUT")
            #expect(response.body["retryable"] as? Bool == true)
            #expect((response.body["customerMessage"] as? [String: String])?["ko"]?.contains("청구된 금액은 없으니") == true)
            let paymentKey = try #require(response.body["paymentKey"] as? String)
            #expect(try await gateway.send(.GET, "v1/payments/\(paymentKey)").body["status"] as? String == "ABORTED")
            await gateway.link.nextSettledReversal()
            #expect(await gateway.engine.entries().totals.capturedAmount == 0)
        }
    }

    @Test("Two processes recovering the same stuck payment at once: it is aborted once, and nothing stays charged")
    func concurrentRecovery() async throws {
        try await GatewayHarness.with { gateway in
            let merchant = try await gateway.services.createMerchant(name: "복구 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: merchant.id, email: "owner@recover.example", password: "owner password", owner: true)
            let stuck = await gateway.unansweredPayment(orderId: "order-crash-2", secret: merchant.secretKey)
            async let first = gateway.services.recoverStalePayments(logger: gateway.app.logger, staleAfter: 0)
            async let second = gateway.services.recoverStalePayments(logger: gateway.app.logger, staleAfter: 0)
            let settled = try await [first, second]
            #expect(settled.sorted() == [0, 1])
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            _ = try await stuck.value
            let payment = try await gateway.send(
                .GET, "v1/payments/orders/order-crash-2", secret: merchant.secretKey)
            #expect(payment.body["status"] as? String == "ABORTED")
            let key = try #require(payment.body["paymentKey"] as? String)
            // One move to 실패 in the timeline, though two recoveries and the late timeout all tried.
            let session = try await ConsoleTests().signIn(
                gateway, email: "owner@recover.example", password: "owner password")
            let timeline = try await session.page("console/payments/\(key)").all("ol.timeline li").map(\.text)
            #expect(timeline.filter { $0.contains("처리 중 → 실패") }.count == 1)
            while try await !gateway.link.pendingReversals().isEmpty {
                await gateway.link.retryPendingReversals()
            }
            #expect(await gateway.engine.entries().totals.capturedAmount == 0)
        }
    }

    @Test("Crash recovery: a payment left IN_PROGRESS is reversed and ABORTED by the next start")
    func recovery() async throws {
        try await GatewayHarness.with { gateway in
            let stuck = await gateway.unansweredPayment(orderId: "order-crash-1")
            // The host approved and recorded the sale; the gateway "dies" before an answer. The next start:
            let recovered = try await gateway.services.recoverStalePayments(logger: gateway.app.logger, staleAfter: 0)
            #expect(recovered == 1)
            await gateway.link.nextSettledReversal()
            let payment = try await gateway.send(.GET, "v1/payments/orders/order-crash-1")
            #expect(payment.body["status"] as? String == "ABORTED")
            let ledger = await gateway.engine.entries()
            #expect(ledger.first?.reversed == true && ledger.totals.capturedAmount == 0)
            // The request that was "lost in the crash" times out here too; it must not flip the settled payment.
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            _ = try await stuck.value
            let after = try await gateway.send(.GET, "v1/payments/orders/order-crash-1")
            #expect(after.body["status"] as? String == "ABORTED")
        }
    }
}
