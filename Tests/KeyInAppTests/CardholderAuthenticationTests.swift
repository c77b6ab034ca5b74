import CardholderAuthentication
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import KeyInGateway
import Logging
import Testing
import Vapor

/// 3-D Secure from the merchant's and the customer's side: a challenged payment waits with nothing sent, completes
/// after the challenge by itself, and ends clearly when the challenge fails, is abandoned or runs out.
@Suite("3-D Secure: challenge, wait, complete")
struct CardholderAuthenticationTests {
    static let logger = Logger(label: "3ds-tests")

    /// The payment the gateway keeps under `key`, as the API shows it.
    func payment(_ gateway: GatewayHarness, _ key: String) async throws -> [String: Any] {
        try await gateway.send(.GET, "v1/payments/\(key)").body
    }

    /// The challenge the ACS opened for a waiting payment's `nextAction.url`, and the code it "sent".
    func challenge(_ gateway: GatewayHarness, _ answer: APIResponse) async throws -> (acsID: String, code: String) {
        let url = try #require((answer.body["nextAction"] as? [String: Any])?["url"] as? String, "\(answer.body)")
        let acsID = try #require(url.split(separator: "/").last.map(String.init))
        let acs = try #require(gateway.accessControl)
        let code = try #require(await acs.sentCodes().first { $0.acsTransactionID == acsID }?.code)
        return (acsID, code)
    }

    func sweep(_ gateway: GatewayHarness) async throws -> Int {
        try await gateway.services.payments(Self.logger).settleWaitingAuthentications()
    }

    /// The cardholder types the code the ACS "sent" for a waiting payment, and their browser comes back: the
    /// return page's answer.
    func passChallenge(_ gateway: GatewayHarness, _ waiting: APIResponse) async throws -> APIResponse {
        let key = try #require(waiting.body["paymentKey"] as? String)
        let (acsID, code) = try await challenge(gateway, waiting)
        _ = try await gateway.send(
            .POST, "3ds/challenge/\(acsID)", rawBody: "code=\(code)",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], authenticated: false)
        return try await gateway.send(.GET, "3ds/return/\(key)", authenticated: false)
    }

    /// A customer pays a new payment link of `amount` on the hosted page.
    func payOnPage(
        _ gateway: GatewayHarness, amount: Int, card: String = "4242424242424242", extra: [String: String] = [:]
    ) async throws -> APIResponse {
        let created = try await gateway.send(
            .POST, "v1/payment-links", json: ["amount": amount, "orderName": "링크 주문"])
        let link = try #require((created.body["url"] as? String)?.split(separator: "/").last.map(String.init))
        var body = ["cardNumber": card, "cardExpirationYear": "30", "cardExpirationMonth": "12"]
        body.merge(extra) { $1 }
        return try await gateway.send(
            .POST, "pay/\(link)", json: body, headers: ["Idempotency-Key": "page-\(link)"], authenticated: false)
    }

    /// A phone order staff key in on the console's virtual terminal.
    func phoneOrder(_ gateway: GatewayHarness, _ session: ConsoleSession, _ body: [String: any Sendable])
        async throws -> APIResponse
    {
        try await gateway.send(
            .POST, "console/terminal", json: body,
            headers: ["Cookie": session.cookie, "X-CSRF-Token": session.csrf, "Idempotency-Key": UUID().uuidString],
            authenticated: false)
    }

    @Test("Challenged: WAITING with nextAction and nothing sent; a repeat gets the same answer; passed, it is approved")
    func challengePassed() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let body = GatewayHarness.keyIn(extra: ["threeDSecure": "CHALLENGE"])
            let first = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "3ds-passed-1"])
            #expect(first.status == .ok)
            #expect(first.body["status"] as? String == "WAITING_FOR_AUTHENTICATION")
            #expect((first.body["nextAction"] as? [String: Any])?["type"] as? String == "REDIRECT")
            #expect(await gateway.engine.entries().isEmpty, "an authorization went out before the challenge")
            let repeated = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "3ds-passed-1"])
            #expect(repeated.raw == first.raw)
            let key = try #require(first.body["paymentKey"] as? String)

            // Back too early: the way back to the challenge, and still waiting.
            let early = try HTMLPage(try await gateway.send(.GET, "3ds/return/\(key)", authenticated: false))
            #expect(try early.first("#verification-open") != nil)
            #expect(try await payment(gateway, key)["status"] as? String == "WAITING_FOR_AUTHENTICATION")

            let opening = try #require(
                try await gateway.services.stores.payments.payment(receiptKey: PaymentKey(key))?.trace)

            let back = try await passChallenge(gateway, first)
            #expect(back.status == .seeOther)
            // Sent under a trace of its own, not the minutes-old one of the start, and that is the one recorded
            // (what crash recovery would reverse).
            let sent = try #require(
                try await gateway.services.stores.payments.payment(receiptKey: PaymentKey(key))?.trace)
            #expect(sent.systemTraceAuditNumber != opening.systemTraceAuditNumber)
            #expect(await gateway.engine.entries().first?.stan == sent.systemTraceAuditNumber)
            #expect(back.headers.first(name: .location)?.hasPrefix("/receipts/\(key)") == true)
            let done = try await payment(gateway, key)
            #expect(done["status"] as? String == "DONE")
            #expect(done["nextAction"] is NSNull)
            let secure = try #require(done["threeDSecure"] as? [String: Any])
            #expect(secure["status"] as? String == "Y" && secure["eci"] as? String == "05")
            // One sale, carrying the authentication (element 48 tags 05, 06, 09 were checked by the card company).
            #expect(await gateway.engine.entries().totals.capturedAmount == 15_000)
            // Settled once: coming back again changes nothing.
            _ = try await gateway.send(.GET, "3ds/return/\(key)", authenticated: false)
            #expect(try await sweep(gateway) == 0)
            #expect(await gateway.engine.entries().count == 1)
        }
    }

    @Test("A challenge passed in a browser that never came back completes by the sweep; one abandoned ends FAILED")
    func sweepCompletesWithoutTheBrowser() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let acs = try #require(gateway.accessControl)
            let passed = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["threeDSecure": "CHALLENGE"]))
            let abandoned = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(
                    card: AccessControlServer.alwaysChallengedCard, extra: ["threeDSecure": "AUTO"]))
            #expect(abandoned.body["status"] as? String == "WAITING_FOR_AUTHENTICATION")
            let open = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["threeDSecure": "CHALLENGE"]))

            let (passedID, code) = try await challenge(gateway, passed)
            _ = await acs.answer(.code(code), acsTransactionID: passedID)
            let (abandonedID, _) = try await challenge(gateway, abandoned)
            _ = await acs.answer(.cancel, acsTransactionID: abandonedID)
            #expect(try await sweep(gateway) == 2)

            let approved = try await payment(gateway, try #require(passed.body["paymentKey"] as? String))
            #expect(approved["status"] as? String == "DONE")
            let failed = try await payment(gateway, try #require(abandoned.body["paymentKey"] as? String))
            #expect(failed["status"] as? String == "ABORTED")
            #expect((failed["failure"] as? [String: Any])?["code"] as? String == "CARDHOLDER_AUTHENTICATION_FAILED")
            // The challenge nobody answered goes on waiting, within its ten minutes.
            let waiting = try await payment(gateway, try #require(open.body["paymentKey"] as? String))
            #expect(waiting["status"] as? String == "WAITING_FOR_AUTHENTICATION")
            // The abandoned order can be paid again.
            #expect(await gateway.engine.entries().totals.capturedAmount == 15_000)
        }
    }

    @Test("Not answered in 10 minutes: ABORTED with CARDHOLDER_AUTHENTICATION_EXPIRED, its order free again")
    func challengeExpires() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let body = GatewayHarness.keyIn(orderId: "order-3ds-expire", extra: ["threeDSecure": "CHALLENGE"])
            let waiting = try await gateway.send(.POST, "v1/payments/key-in", json: body)
            let key = try #require(waiting.body["paymentKey"] as? String)
            // The same order cannot be paid twice while it waits.
            let second = try await gateway.send(.POST, "v1/payments/key-in", json: body)
            #expect(second.body["code"] as? String == "DUPLICATED_ORDER_ID")
            gateway.wallClock.advance(seconds: 9 * 60)
            #expect(try await sweep(gateway) == 0)
            gateway.wallClock.advance(seconds: 61)
            #expect(try await sweep(gateway) == 1)
            let expired = try await payment(gateway, key)
            #expect(expired["status"] as? String == "ABORTED")
            #expect((expired["failure"] as? [String: Any])?["code"] as? String == "CARDHOLDER_AUTHENTICATION_EXPIRED")
            let page = try HTMLPage(try await gateway.send(.GET, "3ds/return/\(key)", authenticated: false))
            #expect(try page.first("#verification-failed") != nil)
            #expect(await gateway.engine.entries().isEmpty)
            let again = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "order-3ds-expire"))
            #expect(again.body["status"] as? String == "DONE")
        }
    }

    @Test("Frictionless: attempted (A) is authorized with ECI 06; refused (N) ends FAILED with nothing sent")
    func frictionlessResults() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let attempted = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: AccessControlServer.attemptedCard, extra: ["threeDSecure": "AUTO"]))
            #expect(attempted.body["status"] as? String == "DONE", "\(attempted.body)")
            let secure = try #require(attempted.body["threeDSecure"] as? [String: Any])
            #expect(secure["status"] as? String == "A" && secure["eci"] as? String == "06")

            let refused = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: AccessControlServer.refusedCard, extra: ["threeDSecure": "AUTO"]))
            #expect(refused.status == .forbidden)
            #expect(refused.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_FAILED")
            let key = try #require(refused.body["paymentKey"] as? String)
            #expect(try await payment(gateway, key)["status"] as? String == "ABORTED")
            #expect(await gateway.engine.entries().count == 1)

            // A birth date the card company does not have for the card: N, never which detail was wrong.
            let wrongIdentity = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(extra: ["threeDSecure": "AUTO", "customerIdentityNumber": "850101"]))
            #expect(wrongIdentity.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_FAILED")

            let both = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(extra: [
                    "threeDSecure": "AUTO", "vbv": ["cavv": "AAABBBCCCDDDEEEFFFGGGHHHIII=", "eci": "05"],
                ]))
            #expect(
                both.body["code"] as? String == "INVALID_REQUEST" && both.body["param"] as? String == "threeDSecure")
            let unknown = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["threeDSecure": "SOMETIMES"]))
            #expect(unknown.body["param"] as? String == "threeDSecure")
        }
    }

    @Test("The card company declines an authentication value forged, or used once already")
    func forgedAndReplayedValues() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let acs = try #require(gateway.accessControl)
            // A value the card company issued, through its ACS, for this card.
            let issued = await acs.authenticate(
                AuthenticationRequest(
                    serverTransactionID: UUID().uuidString.lowercased(), cardNumber: "4242424242424242",
                    cardExpiry: "3012", amount: 15_000, currencyCode: "410", merchantName: "테스트 상점",
                    acquirerMerchantID: "M1", challengePreference: .noPreference, returnURL: "http://127.0.0.1/r"))
            let cavv = try #require(issued.authenticationValue)
            let vbv: [String: any Sendable] = ["cavv": cavv, "eci": issued.eci ?? "", "xid": issued.acsTransactionID]
            let first = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["vbv": vbv]))
            #expect(first.body["status"] as? String == "DONE", "\(first.body)")
            let replayed = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["vbv": vbv]))
            #expect(replayed.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_REJECTED")
            var forged = vbv
            forged["cavv"] = String(cavv.reversed())
            let forgedAnswer = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: "5555555555554444", extra: ["vbv": forged]))
            #expect(forgedAnswer.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_REJECTED")
        }
    }

    @Test("Required but no ACS answers: CARDHOLDER_AUTHENTICATION_UNAVAILABLE; not required, paid without it")
    func unavailable() async throws {
        try await GatewayHarness.with(authentication: false) { gateway in
            let required = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["threeDSecure": "CHALLENGE"]))
            #expect(required.status == .serviceUnavailable)
            #expect(required.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_UNAVAILABLE")
            let optional = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["threeDSecure": "AUTO"]))
            #expect(optional.body["status"] as? String == "DONE")
            #expect(optional.body["threeDSecure"] is NSNull)
            #expect(await gateway.engine.entries().count == 1)
        }
    }

    @Test("The hosted page authenticates by risk: a small amount frictionless, from the challenge amount a challenge")
    func hostedPageByRisk() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            // The customer's browser cannot choose: the merchant's policy does.
            func pay(amount: Int) async throws -> APIResponse {
                try await payOnPage(gateway, amount: amount, extra: ["threeDSecure": "CHALLENGE"])
            }
            let small = try await pay(amount: 20_000)
            #expect(small.body["status"] as? String == "DONE", "\(small.body)")
            #expect((small.body["threeDSecure"] as? [String: Any])?["status"] as? String == "Y")
            let large = try await pay(amount: 300_000)
            #expect(large.body["status"] as? String == "WAITING_FOR_AUTHENTICATION")
            // An API payment of the same merchant is not authenticated unless it asks.
            let api = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 300_000))
            #expect(api.body["status"] as? String == "DONE" && api.body["threeDSecure"] is NSNull)
        }
    }

    @Test(
        "A merchant sets 3-D Secure to always in the console: API payments are then challenged; a bad mode changes nothing"
    )
    func merchantRequiresAuthentication() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let (shop, session) = try await CardTestingTests().ownersConsole(gateway)
            let form = try await session.page("console/settings")
            #expect(try form.first("select#threeDSecureMode option[selected]")?["value"] == "risk")
            #expect(try form.first("input#challengeAmount")?["value"] == "300000")
            let refused = try await session.submit("console/settings", ["threeDSecureMode": "sometimes"])
            #expect(refused.headers.first(name: .location) == "/console/settings?error=INVALID_REQUEST")
            let before = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            #expect(before.body["status"] as? String == "DONE")

            let saved = try await session.submit(
                "console/settings", ["threeDSecureMode": "always", "challengeAmount": "50000"])
            #expect(saved.headers.first(name: .location) == "/console/settings?saved=1")
            let after = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            #expect(after.body["status"] as? String == "WAITING_FOR_AUTHENTICATION", "\(after.body)")
            #expect(try await session.page("console/settings").first("input#challengeAmount")?["value"] == "50000")

            // A phone order on the virtual terminal is never challenged: the cardholder is on the phone, not at a
            // page, whatever the policy or the request says.
            let phoneOrder = try await self.phoneOrder(
                gateway, session, GatewayHarness.keyIn(amount: 80_000, extra: ["threeDSecure": "CHALLENGE"]))
            #expect(phoneOrder.body["status"] as? String == "DONE", "\(phoneOrder.body)")
            #expect(phoneOrder.body["threeDSecure"] is NSNull)
            #expect(await gateway.engine.entries().last?.amount == 80_000)
        }
    }

    @Test(
        "The card company hears how the card was keyed in: 59 from the hosted page, after a challenge and in its refund; 08 from the API and the terminal"
    )
    func posConditionByChannel() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let (_, session) = try await CardTestingTests().ownersConsole(gateway)
            let waiting = try await payOnPage(gateway, amount: 300_000)
            let key = try #require(waiting.body["paymentKey"] as? String)
            _ = try await passChallenge(gateway, waiting)
            #expect(try await payment(gateway, key)["status"] as? String == "DONE")
            let refunded = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "고객 변심", "cancelAmount": 100_000])
            #expect(refunded.body["status"] as? String == "PARTIAL_CANCELED", "\(refunded.body)")
            // A small hosted-page payment, frictionless.
            let frictionless = try await payOnPage(gateway, amount: 9_000, card: "5555555555554444")
            #expect(frictionless.body["status"] as? String == "DONE", "\(frictionless.body)")
            let api = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 7_000))
            #expect(api.body["status"] as? String == "DONE")
            let phoneOrder = try await self.phoneOrder(gateway, session, GatewayHarness.keyIn(amount: 6_000))
            #expect(phoneOrder.body["status"] as? String == "DONE", "\(phoneOrder.body)")

            let entries = await gateway.engine.entries()
            #expect(entries.map(\.kind) == [.sale, .refund, .sale, .sale, .sale])
            #expect(entries.map(\.posCondition) == ["59", "59", "59", "08", "08"])
        }
    }

    @Test(
        "A reversal repeats its original's element 25: 59 for a hosted-page sale that timed out, 08 for a voided API authorization"
    )
    func reversalsRepeatPosCondition() async throws {
        try await GatewayHarness.with(authentication: true) { gateway in
            let page = Task { try await payOnPage(gateway, amount: 9_000, card: GatewayHarness.silentCard) }
            for await message in gateway.engine.received
            where message[.primaryAccountNumber] == GatewayHarness.silentCard { break }
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            let timedOut = try await page.value
            #expect(timedOut.body["code"] as? String == "CARD_COMPANY_RESPONSE_TIMEOUT", "\(timedOut.body)")
            await gateway.link.nextSettledReversal()
            let authorized = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 7_000, extra: ["capture": false]))
            let key = try #require(authorized.body["paymentKey"] as? String)
            let voided = try await gateway.send(.POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "주문 취소"])
            #expect(voided.body["status"] as? String == "CANCELED", "\(voided.body)")
            // The void's reversal goes in the background, like any.
            await gateway.link.nextSettledReversal()

            let entries = await gateway.engine.entries()
            #expect(entries.map(\.kind) == [.sale, .reversal, .authorization, .reversal])
            #expect(entries.map(\.posCondition) == ["59", "59", "08", "08"])
        }
    }
}
