import CardNetworkLink
import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Testing
import Vapor

/// Crash recovery judged by process: what a `keyin serve` that died left IN_PROGRESS is settled by another process
/// on the same database as soon as the dead one is silent, not minutes later; and a retry with the request's
/// `Idempotency-Key` then gets the settled outcome.
@Suite("Crash recovery by process")
struct ProcessRecoveryTests {
    @Test("A payment whose process went silent is settled by another; a retry with its key then gets that outcome")
    func silentProcessPayment() async throws {
        try await GatewayHarness.with { gateway in
            // Silence is measured on this clock: only `advance` moves it, however slowly the machine runs the test.
            gateway.wallClock.freeze()
            // The first request runs in a process that will die; the merchant's retries reach the other one (as
            // they reach a restarted `keyin serve`), which serves the HTTP here.
            let dying = gateway.services.anotherProcess()
            try await dying.heartbeat()
            let merchant = try await gateway.services.createMerchant(name: "재시도 상점", live: false)
            var body = GatewayHarness.keyIn(card: GatewayHarness.silentCard)
            body["orderId"] = "order-silent-1"
            let json = body
            let headers: HTTPHeaders = ["Idempotency-Key": "retry-after-crash-1", "Content-Type": "application/json"]
            let request = Request(
                application: gateway.app, method: .POST, url: "/v1/payments/key-in", headers: headers,
                collectedBody: ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)),
                on: gateway.app.eventLoopGroup.next())
            let first = Task {
                try await dying.checkout.pay(
                    request, merchantID: MerchantID(merchant.id), mode: .test, language: .korean)
            }
            for await message in gateway.engine.received
            where message[.primaryAccountNumber] == GatewayHarness.silentCard { break }

            // While the process that took the payment is alive, the retry is told it is still running, and the
            // other process leaves the payment alone (it is far from old enough to be stale).
            let survivor = gateway.services
            try await survivor.heartbeat()
            let running = try await gateway.send(
                .POST, "v1/payments/key-in", json: json, headers: headers, secret: merchant.secretKey)
            #expect(running.body["code"] as? String == "IDEMPOTENT_REQUEST_PROCESSING")
            #expect(try await survivor.recoverStalePayments(logger: gateway.app.logger, staleAfter: 3600) == 0)

            // The process dies: no more heartbeats. Once it has been silent for the limit, the survivor settles it.
            gateway.wallClock.advance(seconds: ProcessHeartbeat.silenceLimit + 1)
            try await survivor.heartbeat()
            #expect(try await survivor.recoverStalePayments(logger: gateway.app.logger, staleAfter: 3600) == 1)
            await gateway.link.nextSettledReversal()
            let retry = try await gateway.send(
                .POST, "v1/payments/key-in", json: json, headers: headers, secret: merchant.secretKey)
            #expect(retry.body["code"] as? String == "FAILED_INTERNAL_SYSTEM_PROCESSING")
            #expect(retry.headers.first(name: "Idempotent-Replayed") == "true")
            let payment = try await gateway.send(
                .GET, "v1/payments/orders/order-silent-1", secret: merchant.secretKey)
            #expect(payment.body["status"] as? String == "ABORTED")
            #expect(retry.body["paymentKey"] as? String == payment.body["paymentKey"] as? String)
            #expect(await gateway.engine.entries().totals.capturedAmount == 0)

            // The request lost in the "crash" times out too; every later repeat replays the same answer.
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            _ = try await first.value
            let again = try await gateway.send(
                .POST, "v1/payments/key-in", json: json, headers: headers, secret: merchant.secretKey)
            #expect(again.raw == retry.raw)
        }
    }

    @Test("A refund the card company made for a process that died before recording it is reversed, its amount put back")
    func silentProcessRefund() async throws {
        try await GatewayHarness.with { gateway in
            let card = "4242424242424242"
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card, amount: 10_000))
            let payment = try #require(try await storedPayment(paid, gateway))
            // The dying process records a 3,000 partial refund, the card company refunds it, and the process dies
            // before it writes the outcome.
            let dying = gateway.services
            var cancel = try await dying.beginCancel(of: payment, amount: 3_000)
            let trace = try #require(cancel.trace)
            try await cardCompanyTakes(.refund, card: card, amount: 3_000, of: payment, trace: trace, gateway)
            #expect(await gateway.engine.entries().contains { $0.kind == .refund && !$0.reversed })
            let during = try await gateway.send(.GET, "v1/payments/\(payment.paymentKey)")
            #expect(during.body["balanceAmount"] as? Int == 7_000)

            let survivor = try await recoverInAnotherProcess(gateway)
            let after = try await gateway.send(.GET, "v1/payments/\(payment.paymentKey)")
            #expect(after.body["status"] as? String == "DONE")
            #expect(after.body["balanceAmount"] as? Int == 10_000)
            let refund = try #require(await gateway.engine.entries().first { $0.kind == .refund })
            #expect(refund.reversed)
            cancel = try #require(try await gateway.services.stores.cancels.cancels(of: payment.id).first)
            #expect(cancel.status == .aborted)
            // Settled once: a second pass, or the dead process's own late write, changes nothing.
            #expect(try await survivor.recoverStalePayments(logger: gateway.app.logger, staleAfter: 0) == 0)
            let later = try await gateway.send(.GET, "v1/payments/\(payment.paymentKey)")
            #expect(later.body["balanceAmount"] as? Int == 10_000)
        }
    }

    @Test("A void a process began before it died goes through: the authorization is reversed and the payment cancelled")
    func silentProcessVoid() async throws {
        try await GatewayHarness.with { gateway in
            let authorized = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 20_000, extra: ["capture": false]))
            #expect(authorized.body["status"] as? String == "WAITING_FOR_CAPTURE")
            let payment = try #require(try await storedPayment(authorized, gateway))
            _ = try await gateway.services.beginCancel(of: payment, amount: 20_000)

            _ = try await recoverInAnotherProcess(gateway)
            let after = try await gateway.send(.GET, "v1/payments/\(payment.paymentKey)")
            #expect(after.body["status"] as? String == "CANCELED")
            #expect(after.body["balanceAmount"] as? Int == 0)
            let authorization = try #require(await gateway.engine.entries().first { $0.kind == .authorization })
            #expect(authorization.reversed)
        }
    }

    @Test("A capture a process sent before it died is reversed; meanwhile nothing else runs on it; then it captures")
    func silentProcessCapture() async throws {
        try await GatewayHarness.with { gateway in
            let card = "4242424242424242"
            let authorized = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: card, amount: 30_000, extra: ["capture": false]))
            let payment = try #require(try await storedPayment(authorized, gateway))
            // The dying process marks its capture in flight, sends the 0220, the card company captures, and the
            // process dies before it writes the outcome.
            let dying = gateway.services
            let trace = try dying.newTrace(for: payment)
            #expect(
                try await dying.stores.payments.beginCapture(
                    of: payment.id, trace: trace, by: dying.processID, at: dying.now(),
                    sent: NetworkConversation.sent("0220", trace: trace, note: "매입 요청", at: dying.now())))
            try await cardCompanyTakes(.capture, card: card, amount: 30_000, of: payment, trace: trace, gateway)
            #expect(await gateway.engine.entries().contains { $0.kind == .capture && !$0.reversed })

            // While it is in flight, a second capture or a void would race it: both are refused, to try again.
            let second = try await gateway.send(.POST, "v1/payments/\(payment.paymentKey)/capture")
            #expect(second.body["code"] as? String == "FORBIDDEN_CONSECUTIVE_REQUEST")
            let void = try await gateway.send(
                .POST, "v1/payments/\(payment.paymentKey)/cancel", json: ["cancelReason": "주문 취소"])
            #expect(void.body["code"] as? String == "FORBIDDEN_CONSECUTIVE_REQUEST")

            _ = try await recoverInAnotherProcess(gateway)
            let withdrawn = try #require(await gateway.engine.entries().first { $0.kind == .capture })
            #expect(withdrawn.reversed)
            let between = try await gateway.send(.GET, "v1/payments/\(payment.paymentKey)")
            #expect(between.body["status"] as? String == "WAITING_FOR_CAPTURE")

            let captured = try await gateway.send(.POST, "v1/payments/\(payment.paymentKey)/capture")
            #expect(captured.body["status"] as? String == "DONE")
            let captures = await gateway.engine.entries().filter { $0.kind == .capture && !$0.reversed }
            #expect(captures.map(\.amount) == [30_000])
        }
    }

    /// The card company takes a follow-up (refund or capture) of `payment` sent on `trace`, as it does before the
    /// process that sent it dies.
    private func cardCompanyTakes(
        _ kind: CardFollowUpRequest.Kind, card: String, amount: Int64, of payment: PaymentRecord,
        trace: TransactionTrace, _ gateway: GatewayHarness
    ) async throws {
        _ = try await gateway.link.followUp(
            CardFollowUpRequest(
                kind: kind, cardNumber: try #require(CardNumber(typed: card)),
                amount: Money(minorUnits: amount, currency: .krw),
                originalRRN: try #require(payment.retrievalReferenceNumber), companyCode: payment.cardCompanyCode),
            trace: trace)
    }

    /// A second process on the database, alive, settles what the silent one left (one piece of work), and the
    /// reversal that takes reaches the card company.
    private func recoverInAnotherProcess(_ gateway: GatewayHarness) async throws -> GatewayServices {
        let survivor = gateway.services.anotherProcess()
        try await survivor.heartbeat()
        #expect(try await survivor.recoverStalePayments(logger: gateway.app.logger, staleAfter: 3600) == 1)
        await gateway.link.nextSettledReversal()
        return survivor
    }

    private func storedPayment(_ response: APIResponse, _ gateway: GatewayHarness) async throws -> PaymentRecord? {
        let key = try #require(response.body["paymentKey"] as? String)
        return try await gateway.services.stores.payments.payment(receiptKey: PaymentKey(key))
    }
}

extension GatewayServices {
    /// A second `keyin serve` on the same database: the same stores and link, its own process id.
    func anotherProcess() -> GatewayServices {
        GatewayServices(
            links: links, vault: vault, validator: validator, now: now, stores: storesProvider,
            webhookSender: webhookSender, webhookTargets: webhookTargets, messageSender: messageSender,
            publicBaseURL: publicBaseURL)
    }

    /// A trace for a follow-up of `payment` (a refund or capture), as the link hands one out before sending.
    func newTrace(for payment: PaymentRecord) throws -> TransactionTrace {
        try links.link(for: .test).newTrace(
            terminalID: PaymentService.terminalID(for: payment.merchantID),
            merchantID: PaymentService.acceptorID(for: payment.merchantID))
    }

    /// What this process writes before a cancel is sent (the amount reserved, the cancel IN_PROGRESS), as if it
    /// then died.
    func beginCancel(of payment: PaymentRecord, amount: Int64) async throws -> CancelRecord {
        let trace = try newTrace(for: payment)
        var cancel = CancelRecord(
            paymentID: payment.id, amount: amount, reason: "고객 변심", trace: trace, requestedAt: now())
        cancel.openedBy = processID
        let milliseconds = now().epochMilliseconds
        #expect(try await stores.cancels.begin(cancel, sent: nil, at: milliseconds, noCancelAfter: milliseconds - 1000))
        return cancel
    }
}
