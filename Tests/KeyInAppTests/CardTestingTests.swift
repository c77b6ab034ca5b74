import CardNetworkLink
import CardNetworkLinkTesting
import CardVault
import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Testing
import Vapor
import VaporTesting

/// Card testing, replayed as an attacker runs it: hundreds of distinct card numbers with guessed details from one
/// address against one payment link, or through the API with one key. The decision point must stop it after a few
/// attempts reach the card company, without catching honest customers.
@Suite("Card testing stopped early at the decision point", .timeLimit(.minutes(3)))
struct CardTestingTests {
    /// Distinct Luhn-valid numbers (the simulator approves any with the right details).
    static func cards(_ count: Int, prefix: String = "45") -> [String] {
        (0..<count).map { index in
            let body = prefix + String(format: "%013d", index * 7919 + 13)
            return body + String(Luhn.checkDigit(for: body)!)
        }
    }

    /// A payment-page attempt with a guessed birth date, from `address`.
    func payOnPage(_ gateway: GatewayHarness, link: String, card: String, birth: String = "800101", address: String)
        async throws -> APIResponse
    {
        try await gateway.send(
            .POST, "pay/\(link)",
            json: [
                "cardNumber": card, "cardExpirationYear": "30", "cardExpirationMonth": "12",
                "customerIdentityNumber": birth, "cardPassword": "12",
            ],
            headers: ["Idempotency-Key": UUID().uuidString, "X-Forwarded-For": address], authenticated: false)
    }

    /// A shop of its own, with its owner signed in to the console (where the limits are tuned).
    func ownersConsole(_ gateway: GatewayHarness) async throws -> (ConsoleTests.Shop, ConsoleSession) {
        let shop = try await ConsoleTests().shop(gateway)
        return (shop, try await ConsoleTests().signIn(gateway, email: shop.owner.email, password: shop.owner.password))
    }

    func link(_ gateway: GatewayHarness, amount: Int = 9_900, secret: String? = nil) async throws -> String {
        let created = try await gateway.send(
            .POST, "v1/payment-links", json: ["amount": amount, "orderName": "니트"], secret: secret)
        return try #require((created.body["url"] as? String)?.split(separator: "/").last.map(String.init))
    }

    /// Authorizations and sales the card company has seen.
    func reached(_ engine: IssuerEngine) async -> Int {
        await engine.entries().filter { $0.kind == .sale || $0.kind == .authorization }.count
    }

    @Test("300 guessed cards from one address on one link: at most 20 reach the card company, the link locks")
    func attackOnPaymentPage() async throws {
        try await GatewayHarness.with { gateway in
            let attacked = try await link(gateway)
            var answers: [String: Int] = [:]
            for card in Self.cards(300) {
                let answer = try await payOnPage(gateway, link: attacked, card: card, address: "203.0.113.66")
                answers[answer.body["code"] as? String ?? "?", default: 0] += 1
            }
            let reachedCardCompany = await reached(gateway.engine)
            #expect(reachedCardCompany <= 20, "\(reachedCardCompany) attempts reached the card company")
            // The payer only ever learns "declined": never which detail, never that a rule stopped it.
            #expect(Set(answers.keys).isSubset(of: ["REJECT_CARD_COMPANY", "FDS_ERROR", "EXCEED_MAX_AUTH_COUNT"]))
            let page = try await gateway.send(.GET, "pay/\(attacked)", authenticated: false)
            #expect(page.status == .forbidden)
            #expect(try HTMLPage(page).first("#link-locked") != nil)

            // An honest customer elsewhere pays at once on another link.
            let other = try await link(gateway)
            let honest = try await payOnPage(
                gateway, link: other, card: "4242424242424242", birth: "900101", address: "198.51.100.7")
            #expect(honest.body["status"] as? String == "DONE", "\(honest.body)")
        }
    }

    @Test("300 guessed cards through the API with one key: at most 20 reach the card company")
    func attackThroughTheAPI() async throws {
        try await GatewayHarness.with { gateway in
            for card in Self.cards(300, prefix: "52") {
                var body = GatewayHarness.keyIn(card: card)
                body["customerIdentityNumber"] = "800101"
                _ = try await gateway.send(.POST, "v1/payments/key-in", json: body)
            }
            let reachedCardCompany = await reached(gateway.engine)
            #expect(reachedCardCompany <= 20, "\(reachedCardCompany) attempts reached the card company")

            // The blocked attempts are kept, ABORTED, with the reason the console shows.
            let list = try await gateway.send(.GET, "v1/payments?limit=1")
            let newest = try #require((list.body["payments"] as? [[String: Any]])?.first)
            #expect((newest["failure"] as? [String: Any])?["code"] as? String == "FDS_ERROR")
            let key = try #require(newest["paymentKey"] as? String)
            let merchant = try #require(await merchantID(gateway))
            let stored = try #require(
                try await gateway.services.stores.payments.payment(
                    key: PaymentKey(key), merchantID: merchant, mode: .test))
            #expect(stored.decisionReasons.map(\.rule) == ["api-key-declines"])
        }
    }

    @Test("200 honest customers behind one address (a shop's office, a carrier NAT) all pay")
    func honestCustomersBehindOneAddress() async throws {
        try await GatewayHarness.with { gateway in
            var approved = 0
            for (index, card) in Self.cards(200, prefix: "41").enumerated() {
                // Ten minutes of a busy shop: a payment every three seconds, each on a link of its own.
                gateway.wallClock.advance(seconds: 3)
                let own = try await link(gateway, amount: 1_000 + index)
                let paid = try await payOnPage(
                    gateway, link: own, card: card, birth: "900101", address: "100.64.12.34")
                if paid.body["status"] as? String == "DONE" { approved += 1 }
            }
            #expect(approved == 200)
        }
    }

    @Test("A card declined five times is refused for 30 minutes, then may try again")
    func cardBlockExpires() async throws {
        try await GatewayHarness.with { gateway in
            for _ in 0..<5 {
                _ = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"))
            }
            let blocked = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"))
            #expect(blocked.body["code"] as? String == "EXCEED_MAX_AUTH_COUNT")
            #expect(await reached(gateway.engine) == 5)
            gateway.wallClock.advance(seconds: 31 * 60)
            let later = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"))
            #expect(later.body["code"] as? String == "REJECT_CARD_COMPANY")
            #expect(await reached(gateway.engine) == 6)
        }
    }

    @Test("The console lists each block and alert, and a blocked payment shows why")
    func consoleShowsBlocks() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await ConsoleTests().shop(gateway)
            for _ in 0..<6 {
                _ = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"),
                    secret: shop.secretKey)
            }
            let session = try await ConsoleTests().signIn(
                gateway, email: shop.owner.email, password: shop.owner.password)
            let alerts = try await session.page("console/alerts")
            let rows = try #require(try alerts.first("table#alerts")).rows
            #expect(rows.contains { $0[1] == "카드" && $0[2] == "400000******0002" && $0[3] == "거절 5회" })
            let list = try await gateway.send(.GET, "v1/payments?limit=1", secret: shop.secretKey)
            let key = try #require((list.body["payments"] as? [[String: Any]])?.first?["paymentKey"] as? String)
            let detail = try await session.page("console/payments/\(key)")
            let reasons = try #require(try detail.first("#decision-reasons")).text
            #expect(reasons.contains("카드 400000******0002") && reasons.contains("거절 5회"))
        }
    }

    @Test("X-Forwarded-For names the client only when a trusted proxy sent it")
    func trustedProxies() {
        let proxies = TrustedProxies(addresses: ["10.0.0.2", "10.0.0.3"])
        #expect(proxies.clientAddress(peer: "198.51.100.9", forwardedFor: "1.2.3.4") == "198.51.100.9")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: "203.0.113.5") == "203.0.113.5")
        // A client's own header comes first: the right-most untrusted hop is what the proxies saw.
        #expect(
            proxies.clientAddress(peer: "10.0.0.2", forwardedFor: "1.2.3.4, 203.0.113.5, 10.0.0.3") == "203.0.113.5")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: "not-an-address") == "10.0.0.2")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: "") == "10.0.0.2")
        #expect(proxies.clientAddress(peer: nil, forwardedFor: "1.2.3.4") == "unknown")
        #expect(TrustedProxies.address("::ffff:10.0.0.2") != nil && TrustedProxies.address("proxy.local") == nil)
    }

    func merchantID(_ gateway: GatewayHarness) async -> MerchantID? {
        guard let digest = Optional(MerchantAccounts.hash(gateway.secretKey)),
            let key = try? await gateway.services.stores.merchants.key(digest: digest, at: gateway.wallClock.now)
        else { return nil }
        return key.merchantID
    }
}

@Suite(
    "Card testing against two gateways on one PostgreSQL",
    .enabled(if: GatewayHarness.postgresURL != nil), .timeLimit(.minutes(3)))
struct TwoNodeCardTestingTests {
    @Test("An attacker alternating between two nodes gets no more attempts than against one")
    func windowsAreShared() async throws {
        let admin = try #require(GatewayHarness.postgresURL)
        let engine = IssuerEngine()
        let issuer = IssuerServer(engine: engine)
        let port = try await issuer.start(port: 0)
        let apps = [try await Application.make(.testing), try await Application.make(.testing)]
        var links: [CardNetworkLink] = []
        do {
            let url = try await PostgresTestDatabase.create(adminURL: admin, app: apps[0])
            let vault = CardVault(current: MasterKey.generate().key)
            var nodes: [GatewayServices] = []
            for app in apps {
                // A hand clock: no answer's wait ever runs out, so a busy run cannot turn a decline into a timeout.
                let link = CardNetworkLink(
                    configuration: .init(hosts: ["default": .init(host: "127.0.0.1", port: port)]),
                    store: GatewayServices.reversalStore(app, mode: .test), clock: ManualClock())
                links.append(link)
                nodes.append(
                    try await configure(
                        app, storage: .postgres(url: url), links: CardNetworkLinks(test: link, live: nil), vault: vault,
                        trustedProxies: TrustedProxies(addresses: [], trustsEveryPeer: true)))
            }
            let key = try await nodes[0].createMerchant(name: "두 노드 상점", live: false).secretKey
            let headers: HTTPHeaders = [
                "Authorization": "Basic \(Data((key + ":").utf8).base64EncodedString())",
                "Content-Type": "application/json",
            ]
            var codes: [String] = []
            for (index, card) in CardTestingTests.cards(120, prefix: "53").enumerated() {
                var body = GatewayHarness.keyIn(card: card)
                body["customerIdentityNumber"] = "800101"
                try await apps[index % 2].testing().test(
                    .POST, "v1/payments/key-in", headers: headers,
                    body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
                ) { response in
                    let answer = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                    codes.append((answer as? [String: Any])?["code"] as? String ?? "?")
                }
            }
            let reached = await engine.entries().filter { $0.kind == .sale }.count
            // One node's budget, not two: the API key's rule trips at 15 declines. And the nodes did decide: every
            // answer is the card company's decline or the block, none an internal error.
            #expect((15...20).contains(reached), "\(reached) attempts reached the card company")
            #expect(Set(codes).isSubset(of: ["INVALID_CARD_IDENTITY", "FDS_ERROR"]), "\(Set(codes))")
            #expect(codes.filter { $0 == "FDS_ERROR" }.count == 120 - reached)
        } catch {
            for link in links { await link.shutdown() }
            for app in apps { try? await app.asyncShutdown() }
            try? await issuer.stop()
            throw error
        }
        for link in links { await link.shutdown() }
        for app in apps { try await app.asyncShutdown() }
        try await issuer.stop()
    }
}

extension CardTestingTests {
    @Test("Each block is sent to the merchant as a CARD_TESTING_ALERT webhook, in the mode it happened in")
    func alertWebhook() async throws {
        try await GatewayHarness.with { gateway in
            let created = try await gateway.send(
                .POST, "v1/webhooks", json: ["url": "http://127.0.0.1:9/alerts", "events": ["CARD_TESTING_ALERT"]])
            let endpoint = try #require((created.body["webhookId"] as? String).flatMap(UUID.init(uuidString:)))
            for _ in 0..<5 {
                _ = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"))
            }
            let deliveries = try await gateway.services.stores.webhooks.deliveries(
                of: endpoint, status: nil, limit: 10)
            #expect(deliveries.count == 1 && deliveries.allSatisfy { $0.eventType == .cardTestingAlert })
            let payload = try #require(deliveries.first).payload
            let body = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            let data = try #require(body["data"] as? [String: Any])
            #expect(data["rule"] as? String == "card-declines" && data["subject"] as? String == "400000******0002")
            #expect(data["counted"] as? String == "declines" && data["count"] as? Int == 5)
            #expect(data["blocks"] as? Bool == true)
        }
    }
}

extension CardTestingTests {
    @Test(
        "Payments at the same moment that trip one rule together make one block and one webhook",
        arguments: AttemptWindowStoreTests.databases)
    func oneBlockPerTrip(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let created = try await gateway.send(
                .POST, "v1/webhooks", json: ["url": "http://127.0.0.1:9/alerts", "events": ["CARD_TESTING_ALERT"]])
            let endpoint = try #require((created.body["webhookId"] as? String).flatMap(UUID.init(uuidString:)))
            let merchant = try #require(await merchantID(gateway))
            let at = gateway.wallClock.now
            func block(at date: Date) -> SourceBlockRecord {
                SourceBlockRecord(
                    merchantID: merchant, mode: .test, rule: "card-attempts", subject: "test fingerprint",
                    subjectLabel: "424242******4242", count: 20, blocks: true, createdAt: date,
                    blockedUntil: date.addingTimeInterval(1800))
            }
            let store = gateway.services.stores.blocks
            let key = PaymentKey("pay_tripped")
            let made = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let tripped = block(at: at)
                        return try await store.create(
                            tripped, webhook: WebhookPayloads.cardTestingAlert(tripped, paymentKey: key),
                            paymentKey: key)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(made.filter { $0 }.count == 1)
            #expect(try await store.newest(of: merchant, mode: .test, limit: 10).count == 1)
            let webhooks = gateway.services.stores.webhooks
            #expect(try await webhooks.deliveries(of: endpoint, status: nil, limit: 10).count == 1)
            // A minute on, the rule may start another (after a short block ended, say).
            let later = block(at: at.addingTimeInterval(60))
            #expect(
                try await store.create(
                    later, webhook: WebhookPayloads.cardTestingAlert(later, paymentKey: key), paymentKey: key))
            #expect(try await store.newest(of: merchant, mode: .test, limit: 10).count == 2)
            #expect(try await webhooks.deliveries(of: endpoint, status: nil, limit: 10).count == 2)
        }
    }

    @Test("A merchant tunes the limits in the console; out-of-range values are refused and change nothing")
    func merchantTunesLimits() async throws {
        try await GatewayHarness.with { gateway in
            let (shop, session) = try await ownersConsole(gateway)
            let form = try await session.page("console/settings")
            #expect(try form.first("input#cardDeclines")?["value"] == "5")
            let limits = [
                "linkDeclines": "5", "cardDeclines": "2", "addressDeclines": "10", "apiKeyDeclines": "15",
                "blockMinutes": "60",
            ]
            let refused = try await session.submit("console/settings", limits.merging(["cardDeclines": "1"]) { $1 })
            #expect(refused.headers.first(name: .location) == "/console/settings?error=INVALID_REQUEST")
            let saved = try await session.submit("console/settings", limits)
            #expect(saved.headers.first(name: .location) == "/console/settings?saved=1")
            #expect(try await session.page("console/settings").first("input#cardDeclines")?["value"] == "2")

            for _ in 0..<2 {
                _ = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"),
                    secret: shop.secretKey)
            }
            let blocked = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"),
                secret: shop.secretKey)
            #expect(blocked.body["code"] as? String == "EXCEED_MAX_AUTH_COUNT")
            let rows = try #require(try await session.page("console/alerts").first("table#alerts")).rows
            #expect(rows.first?[3] == "거절 2회")
        }
    }

    @Test("Limits saved before the attempt ceilings existed keep their values; the ceilings read as the defaults")
    func settingsSavedBeforeCeilings() {
        let saved = CardTestingSettings(
            stored: #"{"linkDeclines":4,"cardDeclines":3,"addressDeclines":10,"apiKeyDeclines":15,"blockMinutes":60}"#)
        #expect(saved.cardDeclines == 3 && saved.blockMinutes == 60)
        #expect(saved.cardAttempts == 20 && saved.linkAttempts == 20 && saved.addressAttempts == 600)
        #expect(CardTestingSettings(stored: saved.json) == saved)
    }
}

extension CardTestingTests {
    @Test("One card approved 20 times in 30 minutes: the 21st is refused unsent, another card pays, and later it may")
    func cardAttemptCeiling() async throws {
        try await GatewayHarness.with { gateway in
            let card = "4242424242424242"
            for _ in 0..<20 {
                let paid = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card))
                #expect(paid.body["status"] as? String == "DONE", "\(paid.body)")
            }
            let refused = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card))
            #expect(refused.body["code"] as? String == "EXCEED_MAX_AUTH_COUNT")
            #expect(await reached(gateway.engine) == 20)
            let key = try #require(refused.body["paymentKey"] as? String)
            let merchant = try #require(await merchantID(gateway))
            let stored = try #require(
                try await gateway.services.stores.payments.payment(
                    key: PaymentKey(key), merchantID: merchant, mode: .test))
            #expect(stored.decisionReasons.map(\.rule) == ["card-attempts"])
            #expect(stored.decisionReasons.first.map(CardTestingRule.describe)?.contains("시도 20회(기준 20회)") == true)

            let other = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "5555555555554444"))
            #expect(other.body["status"] as? String == "DONE", "\(other.body)")
            // The ceiling is the merchant's own: another shop charges the same card as usual.
            let elsewhere = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card),
                secret: try await ConsoleTests().shop(gateway).secretKey)
            #expect(elsewhere.body["status"] as? String == "DONE", "\(elsewhere.body)")

            gateway.wallClock.advance(seconds: 31 * 60)
            let later = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card))
            #expect(later.body["status"] as? String == "DONE", "\(later.body)")
        }
    }

    @Test(
        "Fifteen payments with one card at the same moment against a ceiling of 5: exactly 5 reach the card company",
        arguments: AttemptWindowStoreTests.databases)
    func ceilingHoldsUnderConcurrency(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let (shop, session) = try await ownersConsole(gateway)
            _ = try await session.submit("console/settings", ["cardAttempts": "5"])
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                // Fifteen, not more: the in-memory SQLite of the tests has two connections, and a busy test run must
                // still give each request one within the pool's timeout.
                for _ in 0..<15 {
                    group.addTask {
                        let answer = try await gateway.send(
                            .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4242424242424242"),
                            secret: shop.secretKey)
                        return answer.body["status"] as? String ?? answer.body["code"] as? String ?? "?"
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.filter { $0 == "DONE" }.count == 5, "\(codes)")
            #expect(codes.filter { $0 == "EXCEED_MAX_AUTH_COUNT" }.count == 10, "\(codes)")
            #expect(await reached(gateway.engine) == 5)
            let rows = try #require(try await session.page("console/alerts").first("table#alerts")).rows
            #expect(rows.count == 1 && rows.first?[3] == "시도 5회")
        }
    }

    @Test("An API key has no attempt ceiling until its merchant sets one; then the attempt over it is refused unsent")
    func apiKeyAttemptCeiling() async throws {
        try await GatewayHarness.with { gateway in
            let (shop, session) = try await ownersConsole(gateway)
            #expect(try await session.page("console/settings").first("input#apiKeyAttempts")?["value"] == "")
            let pay = { (card: String) in
                try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card), secret: shop.secretKey)
            }
            for card in Self.cards(25, prefix: "41") {
                #expect(try await pay(card).body["status"] as? String == "DONE")
            }
            _ = try await session.submit("console/settings", ["apiKeyAttempts": "30"])
            #expect(try await session.page("console/settings").first("input#apiKeyAttempts")?["value"] == "30")
            for card in Self.cards(5, prefix: "42") {
                #expect(try await pay(card).body["status"] as? String == "DONE")
            }
            let refused = try await pay("4242424242424242")
            #expect(refused.body["code"] as? String == "FDS_ERROR")
            #expect(await reached(gateway.engine) == 30)

            // Emptied again, the key has no ceiling, though the block it started runs its time.
            _ = try await session.submit("console/settings", ["apiKeyAttempts": ""])
            #expect(try await session.page("console/settings").first("input#apiKeyAttempts")?["value"] == "")
            let rows = try #require(try await session.page("console/alerts").first("table#alerts")).rows
            #expect(rows.contains { $0[1] == "API 키" && $0[3] == "시도 30회" })
        }
    }

    @Test("A merchant's address ceiling: the payment page refuses one address's attempt over it, approved or not")
    func addressAttemptCeiling() async throws {
        try await GatewayHarness.with { gateway in
            let (shop, session) = try await ownersConsole(gateway)
            let tooFew = try await session.submit("console/settings", ["addressAttempts": "4"])
            #expect(tooFew.headers.first(name: .location) == "/console/settings?error=INVALID_REQUEST")
            // Below the address's decline count (10) the decline count would have nothing to do: refused too.
            let belowDeclines = try await session.submit("console/settings", ["addressAttempts": "5"])
            #expect(belowDeclines.headers.first(name: .location) == "/console/settings?error=INVALID_REQUEST")
            _ = try await session.submit("console/settings", ["addressAttempts": "5", "addressDeclines": "5"])
            #expect(try await session.page("console/settings").first("input#addressAttempts")?["value"] == "5")

            for (index, card) in Self.cards(5, prefix: "41").enumerated() {
                let own = try await link(gateway, amount: 1_000 + index, secret: shop.secretKey)
                let paid = try await payOnPage(gateway, link: own, card: card, birth: "900101", address: "100.64.1.1")
                #expect(paid.body["status"] as? String == "DONE", "\(paid.body)")
            }
            let sixth = try await link(gateway, secret: shop.secretKey)
            let refused = try await payOnPage(
                gateway, link: sixth, card: "4242424242424242", birth: "900101", address: "100.64.1.1")
            #expect(refused.body["code"] as? String == "FDS_ERROR")
            #expect(await reached(gateway.engine) == 5)
            let elsewhere = try await payOnPage(
                gateway, link: sixth, card: "4242424242424242", birth: "900101", address: "100.64.1.2")
            #expect(elsewhere.body["status"] as? String == "DONE", "\(elsewhere.body)")

            let rows = try #require(try await session.page("console/alerts").first("table#alerts")).rows
            #expect(rows.contains { $0[1] == "접속 주소" && $0[2] == "100.64.1.1" && $0[3] == "시도 5회" })
        }
    }
}
