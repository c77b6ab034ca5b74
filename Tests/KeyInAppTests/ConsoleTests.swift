import Foundation
import KeyInApp
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("Merchant console: sign-in, dashboard, payments, cancels, virtual terminal", .timeLimit(.minutes(2)))
struct ConsoleTests {
    struct Shop {
        let secretKey: String
        let owner = (email: "owner@shop.example", password: "correct horse battery")
        let clerk = (email: "clerk@shop.example", password: "staff password 1")
    }

    func shop(_ gateway: GatewayHarness) async throws -> Shop {
        let merchant = try await gateway.services.createMerchant(name: "콘솔 상점", live: false)
        let shop = Shop(secretKey: merchant.secretKey)
        try await gateway.services.createStaff(
            merchantID: merchant.id, email: shop.owner.email, password: shop.owner.password, owner: true)
        try await gateway.services.createStaff(
            merchantID: merchant.id, email: shop.clerk.email, password: shop.clerk.password, owner: false)
        return shop
    }

    /// What Chrome sends for a page load.
    static let browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

    static let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    static func formBody(_ fields: [String: String]) -> String {
        fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
    }

    /// Signs in and returns the session cookie and the CSRF token the pages carry.
    func signIn(_ gateway: GatewayHarness, email: String, password: String) async throws -> (
        cookie: String, csrf: String
    ) {
        let response = try await gateway.send(
            .POST, "console/login", rawBody: Self.formBody(["email": email, "password": password]),
            headers: Self.form, authenticated: false)
        #expect(response.status == .seeOther, "\(String(decoding: response.raw, as: UTF8.self))")
        let setCookie = try #require(response.headers.first(name: .setCookie))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = String(try #require(setCookie.split(separator: ";").first))
        let page = try await gateway.send(.GET, "console/terminal", headers: ["Cookie": cookie], authenticated: false)
        let html = String(decoding: page.raw, as: UTF8.self)
        let csrf = try #require(html.firstMatch(of: /"csrfToken":"([0-9a-f]+)"/)?.1)
        return (cookie, String(csrf))
    }

    func html(_ response: APIResponse) -> String { String(decoding: response.raw, as: UTF8.self) }

    @Test("Wrong passwords fail alike; the fifth locks the account for 15 minutes, even for the right password")
    func lockout() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let unknown = try await gateway.send(
                .POST, "console/login", rawBody: Self.formBody(["email": "nobody@shop.example", "password": "x"]),
                headers: Self.form, authenticated: false)
            #expect(unknown.status == .unauthorized && html(unknown).contains("이메일 또는 비밀번호가 맞지 않습니다"))
            for attempt in 1...5 {
                let wrong = try await gateway.send(
                    .POST, "console/login",
                    rawBody: Self.formBody(["email": shop.owner.email, "password": "wrong \(attempt)"]),
                    headers: Self.form, authenticated: false)
                #expect(wrong.status == (attempt < 5 ? .unauthorized : .tooManyRequests))
            }
            let locked = try await gateway.send(
                .POST, "console/login",
                rawBody: Self.formBody(["email": shop.owner.email, "password": shop.owner.password]),
                headers: Self.form, authenticated: false)
            #expect(locked.status == .tooManyRequests && html(locked).contains("15분 후에 다시 시도해 주세요"))
            gateway.wallClock.advance(seconds: 15 * 60 + 1)
            _ = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
        }
    }

    @Test(
        "Without a session the console sends you to sign in; a form without the CSRF token is refused; sign-out ends it"
    )
    func sessionsAndCSRF() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let anonymous = try await gateway.send(.GET, "console", authenticated: false)
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location) == "/console/login")
            let session = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let dashboard = try await gateway.send(
                .GET, "console", headers: ["Cookie": session.cookie], authenticated: false)
            #expect(dashboard.status == .ok && html(dashboard).contains("대시보드"))
            var forged = Self.form
            forged.add(name: "Cookie", value: session.cookie)
            let noToken = try await gateway.send(
                .POST, "console/logout", rawBody: "", headers: forged, authenticated: false)
            #expect(noToken.status == .forbidden && noToken.body["code"] as? String == "INVALID_CSRF_TOKEN")
            let out = try await gateway.send(
                .POST, "console/logout", rawBody: Self.formBody(["_csrf": session.csrf]), headers: forged,
                authenticated: false)
            #expect(out.status == .seeOther)
            let after = try await gateway.send(
                .GET, "console", headers: ["Cookie": session.cookie], authenticated: false)
            #expect(after.status == .seeOther)
            // Sessions end on their own too.
            let again = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            gateway.wallClock.advance(seconds: 8 * 3600 + 1)
            #expect(
                try await gateway.send(.GET, "console", headers: ["Cookie": again.cookie], authenticated: false).status
                    == .seeOther)
        }
    }

    @Test("The dashboard counts approvals and failures by the four kinds and by card company, each bar a link")
    func dashboard() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            for card in ["4242424242424242", "4000000000000564", "4000000000000911"] {
                _ = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card, amount: 20_000),
                    secret: shop.secretKey)
            }
            let session = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let page = html(
                try await gateway.send(.GET, "console", headers: ["Cookie": session.cookie], authenticated: false))
            #expect(page.contains("20,000원") && page.contains("승인 1건 · 실패 2건") && page.contains("33.3%"))
            #expect(page.contains(#"<a href="/console/payments?status=ABORTED&amp;category=card_info">"#))
            #expect(page.contains("<title>카드 정보: 1</title>") && page.contains("<title>네트워크: 1</title>"))
            #expect(page.contains("<svg role=\"img\""))
            let cardInfo = html(
                try await gateway.send(
                    .GET, "console/payments?status=ABORTED&category=card_info", headers: ["Cookie": session.cookie],
                    authenticated: false))
            #expect(cardInfo.contains("INVALID_CARD_IDENTITY") && !cardInfo.contains("CARD_COMPANY_UNAVAILABLE"))
        }
    }

    @Test("A payment the card company never answered shows the silence, the reversal sent, and the reversal's answer")
    func reversalInNetworkTimeline() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let response = try await gateway.timedOutPayment(secret: shop.secretKey)
            let key = try #require(response.body["paymentKey"] as? String)
            let session = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
            let detail = html(
                try await gateway.send(
                    .GET, "console/payments/\(key)", headers: ["Cookie": session.cookie], authenticated: false))
            let network = try #require(
                detail.firstMatch(of: /<table class="list" id="network-messages">(?s)(.*?)<\/table>/)?.1)
            let rows = network.split(separator: "<tr>").dropFirst(2).map(String.init)
            #expect(rows.count == 4, "\(network)")
            guard rows.count == 4 else { return }
            #expect(rows[0].contains("보냄") && rows[0].contains("<code>0200</code>"))
            #expect(rows[1].contains("응답 없음") && rows[1].contains("CARD_COMPANY_RESPONSE_TIMEOUT"))
            #expect(rows[2].contains("망취소") && rows[2].contains("<code>0400</code>"))
            #expect(rows[3].contains("망취소 응답") && rows[3].contains("<code>0410</code>") && rows[3].contains(">00<"))
            // Every row is about the same message: the sale's STAN.
            let stans = Set(rows.compactMap { $0.firstMatch(of: /<td>(\d{6})<\/td>/)?.1 })
            #expect(stans.count == 1)
        }
    }

    @Test("Staff find a payment, see its timeline, cancel part of it; a cancel too large says why")
    func detailAndCancel() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 30_000), secret: shop.secretKey)
            let key = try #require(paid.body["paymentKey"] as? String)
            let orderID = try #require(paid.body["orderId"] as? String)
            let session = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
            var headers = Self.form
            headers.add(name: "Cookie", value: session.cookie)
            let found = html(
                try await gateway.send(.GET, "console/payments?q=4242", headers: headers, authenticated: false))
            #expect(found.contains(orderID))
            let cancel = try await gateway.send(
                .POST, "console/payments/\(key)/cancel",
                rawBody: Self.formBody(["_csrf": session.csrf, "cancelAmount": "10,000", "cancelReason": "부분 반품"]),
                headers: headers, authenticated: false)
            #expect(cancel.headers.first(name: .location) == "/console/payments/\(key)?canceled=1")
            let detail = html(
                try await gateway.send(.GET, "console/payments/\(key)", headers: headers, authenticated: false))
            #expect(detail.contains("부분 취소") && detail.contains("20,000원") && detail.contains("처리 중 → 승인"))
            // The card-network conversation: the sale and its answer, the refund and its answer.
            let network = try #require(
                detail.firstMatch(of: /<table class="list" id="network-messages">(?s)(.*?)<\/table>/)?.1)
            #expect(network.components(separatedBy: "<code>0200</code>").count - 1 == 2)
            #expect(network.components(separatedBy: "<code>0210</code>").count - 1 == 2)
            #expect(network.contains("승인 요청") && network.contains("환불 요청 (처리코드 200000)"))
            gateway.wallClock.advance(seconds: 2)
            let tooMuch = try await gateway.send(
                .POST, "console/payments/\(key)/cancel",
                rawBody: Self.formBody(["_csrf": session.csrf, "cancelAmount": "25000", "cancelReason": "반품"]),
                headers: headers, authenticated: false)
            #expect(tooMuch.headers.first(name: .location) == "/console/payments/\(key)?error=NOT_CANCELABLE_AMOUNT")
            // Another merchant's staff never see it.
            let other = try await gateway.services.createMerchant(name: "남의 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: other.id, email: "x@other.example", password: "other password", owner: true)
            let stranger = try await signIn(gateway, email: "x@other.example", password: "other password")
            let hidden = try await gateway.send(
                .GET, "console/payments/\(key)", headers: ["Cookie": stranger.cookie], authenticated: false)
            #expect(hidden.status == .notFound)
        }
    }

    @Test("The virtual terminal pays a phone order with the session's CSRF token; API keys are for owners")
    func terminalAndRoles() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let clerk = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
            let order: [String: any Sendable] = [
                "amount": 12_000, "orderName": "전화 주문", "orderId": "vt-phone-0001", "cardNumber": "4242424242424242",
                "cardExpirationYear": "30", "cardExpirationMonth": "12", "customerIdentityNumber": "900101",
                "cardPassword": "12",
            ]
            let refused = try await gateway.send(
                .POST, "console/terminal", json: order, headers: ["Cookie": clerk.cookie], authenticated: false)
            #expect(refused.body["code"] as? String == "INVALID_CSRF_TOKEN")
            let paid = try await gateway.send(
                .POST, "console/terminal", json: order,
                headers: ["Cookie": clerk.cookie, "X-CSRF-Token": clerk.csrf, "Idempotency-Key": "vt-1"],
                authenticated: false)
            #expect(paid.body["status"] as? String == "DONE")
            #expect((paid.body["metadata"] as? [String: String])?["staff"] == shop.clerk.email)
            let keys = try await gateway.send(
                .GET, "console/keys", headers: ["Cookie": clerk.cookie], authenticated: false)
            #expect(keys.status == .forbidden && keys.body["code"] as? String == "FORBIDDEN_REQUEST")
            // In a browser the same refusal is a page that says why, with a way back.
            let keysInBrowser = try await gateway.send(
                .GET, "console/keys", headers: ["Cookie": clerk.cookie, "Accept": Self.browserAccept],
                authenticated: false)
            #expect(keysInBrowser.status == .forbidden)
            #expect(keysInBrowser.headers.contentType == .html)
            #expect(html(keysInBrowser).contains("FORBIDDEN_REQUEST: 이 키나 계정으로는 허용되지 않은 요청입니다"))
            #expect(html(keysInBrowser).contains("href=\"/console\""))
            let owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let ownerKeys = html(
                try await gateway.send(.GET, "console/keys", headers: ["Cookie": owner.cookie], authenticated: false))
            #expect(ownerKeys.contains(String(shop.secretKey.prefix(12))) && !ownerKeys.contains(shop.secretKey))
        }
    }

    @Test("Payment links from the console, with the SMS that would be sent shown beside them")
    func linksPage() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let session = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            var headers = Self.form
            headers.add(name: "Cookie", value: session.cookie)
            let created = try await gateway.send(
                .POST, "console/links",
                rawBody: Self.formBody([
                    "_csrf": session.csrf, "amount": "45,000", "orderName": "꽃다발",
                    "customerMobilePhone": "010-2222-3333",
                    "sendSMS": "1",
                ]),
                headers: headers, authenticated: false)
            #expect(created.headers.first(name: .location) == "/console/links")
            let page = html(try await gateway.send(.GET, "console/links", headers: headers, authenticated: false))
            #expect(page.contains("꽃다발") && page.contains("45,000원") && page.contains("010-2222-3333"))
            #expect(page.contains("/pay/"))
            let linkURL = String(try #require(page.firstMatch(of: /href="(http[^"]+\/pay\/[^"]+)"/)?.1))
            let linkKey = String(try #require(linkURL.split(separator: "/").last))
            func sentTexts() async throws -> Int {
                let table = html(try await gateway.send(.GET, "console/links", headers: headers, authenticated: false))
                return table.components(separatedBy: "<strong>SMS</strong>").count - 1
            }
            #expect(try await sentTexts() == 1)

            // Sent again to another number; a number that is not one is refused with the catalog's reason.
            let sendPath = String(try #require(page.firstMatch(of: /action="\/(console\/links\/[^"]+\/send)"/)?.1))
            let resent = try await gateway.send(
                .POST, sendPath,
                rawBody: Self.formBody(["_csrf": session.csrf, "customerMobilePhone": "010-4444-5555"]),
                headers: headers, authenticated: false)
            #expect(resent.headers.first(name: .location) == "/console/links?sent=1")
            let bad = try await gateway.send(
                .POST, sendPath, rawBody: Self.formBody(["_csrf": session.csrf, "customerMobilePhone": "12"]),
                headers: headers, authenticated: false)
            #expect(bad.headers.first(name: .location)?.hasPrefix("/console/links?error=") == true)
            let afterResend = html(
                try await gateway.send(.GET, "console/links", headers: headers, authenticated: false))
            #expect(afterResend.contains("010-4444-5555"))
            #expect(try await sentTexts() == 2)

            // Withdrawn: the customer's page says so, and it can no longer be sent.
            let cancelPath = String(
                try #require(afterResend.firstMatch(of: /action="\/(console\/links\/[^"]+\/cancel)"/)?.1))
            let withdrawn = try await gateway.send(
                .POST, cancelPath, rawBody: Self.formBody(["_csrf": session.csrf]), headers: headers,
                authenticated: false)
            #expect(withdrawn.headers.first(name: .location) == "/console/links")
            let customerPage = try await gateway.send(.GET, "pay/\(linkKey)", authenticated: false)
            #expect(customerPage.status == .gone)
            #expect(html(customerPage).contains("결제할 수 없는 링크입니다"))
            let late = try await gateway.send(
                .POST, sendPath, rawBody: Self.formBody(["_csrf": session.csrf]), headers: headers,
                authenticated: false)
            #expect(late.headers.first(name: .location) == "/console/links?error=EXPIRED_PAYMENT_LINK")
            let final = html(try await gateway.send(.GET, "console/links", headers: headers, authenticated: false))
            #expect(final.contains("<td>중지</td>") && !final.contains(sendPath))
        }
    }

    @Test("Owners add and remove staff; a removed member's session ends at once; staff cannot manage staff")
    func staffManagement() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            var headers = Self.form
            headers.add(name: "Cookie", value: owner.cookie)
            let added = try await gateway.send(
                .POST, "console/staff",
                rawBody: Self.formBody([
                    "_csrf": owner.csrf, "email": "new@shop.example", "password": "new member pw", "role": "staff",
                ]),
                headers: headers, authenticated: false)
            #expect(added.headers.first(name: .location) == "/console/staff")
            let short = try await gateway.send(
                .POST, "console/staff",
                rawBody: Self.formBody(["_csrf": owner.csrf, "email": "x@shop.example", "password": "short"]),
                headers: headers, authenticated: false)
            #expect(short.headers.first(name: .location) == "/console/staff?error=INVALID_REQUEST")
            let member = try await signIn(gateway, email: "new@shop.example", password: "new member pw")
            #expect(
                try await gateway.send(.GET, "console/staff", headers: ["Cookie": member.cookie], authenticated: false)
                    .status == .forbidden)

            let page = html(try await gateway.send(.GET, "console/staff", headers: headers, authenticated: false))
            #expect(page.contains("new@shop.example") && page.contains("본인"))
            let removals = page.matches(of: /\/console\/staff\/([0-9A-F-]{36})\/remove/).map { String($0.1) }
            #expect(removals.count == 2)  // the clerk and the new member; never the owner's own
            for id in removals {
                _ = try await gateway.send(
                    .POST, "console/staff/\(id)/remove", rawBody: Self.formBody(["_csrf": owner.csrf]),
                    headers: headers,
                    authenticated: false)
            }
            #expect(
                try await gateway.send(.GET, "console", headers: ["Cookie": member.cookie], authenticated: false).status
                    == .seeOther)
            let again = try await gateway.send(
                .POST, "console/login",
                rawBody: Self.formBody(["email": "new@shop.example", "password": "new member pw"]),
                headers: Self.form, authenticated: false)
            #expect(again.status == .unauthorized)
        }
    }
}
