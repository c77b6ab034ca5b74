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

    func signIn(_ gateway: GatewayHarness, email: String, password: String) async throws -> ConsoleSession {
        try await ConsoleSession.signIn(gateway, email: email, password: password)
    }

    /// A form posted without a session (sign-in, a forgotten password, a reset link).
    func post(_ gateway: GatewayHarness, _ path: String, _ fields: [String: String]) async throws -> APIResponse {
        if path == "console/login" { return try await ConsoleSession.postLogin(gateway, fields) }
        return try await gateway.send(
            .POST, path, rawBody: ConsoleSession.formBody(fields), headers: ConsoleSession.form, authenticated: false)
    }

    @Test("A sign-in posted without the form's token, or with another page's, is refused and opens no session")
    func signInNeedsItsFormToken() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let fields = ["email": shop.owner.email, "password": shop.owner.password]
            let bare = try await gateway.send(
                .POST, "console/login", rawBody: ConsoleSession.formBody(fields), headers: ConsoleSession.form,
                authenticated: false)
            #expect(bare.status == .forbidden)
            #expect(try HTMLPage(bare).first("#login-error") != nil)
            #expect(bare.headers[.setCookie].allSatisfy { !$0.hasPrefix("keyin_console=") })

            // A token from one page does not sign in with another page's cookie (a forged cross-site form).
            let mine = try await ConsoleSession.loginForm(gateway)
            let theirs = try await ConsoleSession.loginForm(gateway)
            var headers = ConsoleSession.form
            headers.add(name: "Cookie", value: mine.cookie)
            let crossed = try await gateway.send(
                .POST, "console/login",
                rawBody: ConsoleSession.formBody(fields.merging(["_csrf": theirs.token]) { $1 }), headers: headers,
                authenticated: false)
            #expect(crossed.status == .forbidden)

            let signedIn = try await ConsoleSession.postLogin(gateway, fields)
            #expect(signedIn.status == .seeOther)
        }
    }

    @Test("A form with fields it does not know (odd names, empty, repeated) still reads the ones it does")
    func lenientForms() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            var headers = ConsoleSession.form
            headers.add(name: "Cookie", value: owner.cookie)
            let body = "%0D%C2%B0A5=%5C&%0D%C2%B0A5=&=%C3%97&=true&mode=live&mode=test&_csrf=\(owner.csrf)"
            let switched = try await gateway.send(
                .POST, "console/mode", rawBody: body, headers: headers, authenticated: false)
            #expect(switched.status == .seeOther)
            #expect(
                switched.headers[.setCookie].contains { $0.hasPrefix("keyin_console_mode=live") })
        }
    }

    @Test("Every page of the console menu is well-formed markup with its title and its menu entry marked")
    func everyPageReads() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            _ = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            let owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let menu = try await owner.page("console").all("nav.side ul a").map { ($0["href"] ?? "", $0.text) }
            #expect(menu.count == 12)
            for (path, title) in menu {
                let page = try await owner.page(String(path.dropFirst()))
                #expect(try page.all("main h1").map(\.text) == [title], "\(path)")
                #expect(try page.all("nav [aria-current=page]").map { $0["href"] } == [path], "\(path)")
                // Every form that posts carries the session's CSRF token.
                for form in try page.all("form[method=post]") {
                    #expect(
                        try form.first("input[name=_csrf]")?["value"] == owner.csrf, "\(path) \(form["action"] ?? "")")
                }
            }
        }
    }

    @Test("Wrong passwords fail alike; the fifth locks the account for 15 minutes, even for the right password")
    func lockout() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let unknown = try await post(gateway, "console/login", ["email": "nobody@shop.example", "password": "x"])
            #expect(unknown.status == .unauthorized)
            let refusal = try #require(try HTMLPage(unknown).first("#login-error")?.text)
            #expect(refusal.contains("이메일 또는 비밀번호가 맞지 않습니다"))
            for attempt in 1...5 {
                let wrong = try await post(
                    gateway, "console/login", ["email": shop.owner.email, "password": "wrong \(attempt)"])
                #expect(wrong.status == .unauthorized)
            }
            // Locked: even the right password is refused, and the answer is a wrong password's, so whoever is
            // guessing learns nothing (not even that the account exists).
            let locked = try await post(
                gateway, "console/login", ["email": shop.owner.email, "password": shop.owner.password])
            #expect(locked.status == .unauthorized)
            #expect(try HTMLPage(locked).first("#login-error")?.text == refusal)
            // The form keeps the address typed, and never the password.
            #expect(try HTMLPage(locked).first("input#email")?["value"] == shop.owner.email)
            #expect(try HTMLPage(locked).first("input#password")?["value"] == nil)
            gateway.wallClock.advance(seconds: 15 * 60 + 1)
            _ = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
        }
    }

    @Test("Fifty wrong passwords sent at once lock the account: the count cannot be raced", arguments: databases)
    func concurrentGuessesLock(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let shop = try await shop(gateway)
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for attempt in 1...50 {
                    group.addTask {
                        try await post(
                            gateway, "console/login", ["email": shop.owner.email, "password": "guess \(attempt)"]
                        ).status
                    }
                }
                // Past the address's budget the answer is TOO_MANY_REQUESTS; before it, a wrong password's.
                var refused = 0
                for try await status in group {
                    #expect(status == .unauthorized || status == .tooManyRequests)
                    if status == .unauthorized { refused += 1 }
                }
                #expect(refused == AttemptLimits.signInPerAddress.limit)
            }
            // Once the address may try again (10 minutes), the account is still locked (15): the right password is
            // refused as a wrong one.
            gateway.wallClock.advance(seconds: 11 * 60)
            let right = try await post(
                gateway, "console/login", ["email": shop.owner.email, "password": shop.owner.password])
            #expect(right.status == .unauthorized)
            gateway.wallClock.advance(seconds: 5 * 60)
            _ = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
        }
    }

    @Test("One address may try 30 sign-ins in 10 minutes, whatever accounts it names; then it waits")
    func signInsPerAddress() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            for attempt in 1...30 {
                let guess = try await post(
                    gateway, "console/login",
                    ["email": "guess\(attempt)@shop.example", "password": "password \(attempt)"])
                #expect(guess.status == .unauthorized)
            }
            let over = try await post(
                gateway, "console/login", ["email": shop.owner.email, "password": shop.owner.password])
            #expect(over.status == .tooManyRequests)
            #expect(try HTMLPage(over).first("#login-error") != nil)
            gateway.wallClock.advance(seconds: 10 * 60 + 60)
            _ = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            // Reset links: ten requests an hour from one address, then none are mailed.
            for _ in 1...10 {
                #expect(try await post(gateway, "console/forgot", ["email": shop.clerk.email]).status == .ok)
            }
            #expect(try await post(gateway, "console/forgot", ["email": shop.clerk.email]).status == .tooManyRequests)
        }
    }

    /// SQLite always; PostgreSQL too when `KEYIN_TEST_POSTGRES_URL` names a server.
    static let databases = GatewayHarness.postgresURL == nil ? [false] : [false, true]

    @Test(
        "Without a session the console sends you to sign in; a form without the CSRF token is refused; sign-out ends it"
    )
    func sessionsAndCSRF() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let anonymous = try await gateway.send(.GET, "console", authenticated: false)
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location) == "/console/login")
            let session = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let dashboard = try await session.page("console")
            #expect(try dashboard.first("main h1")?.text == "대시보드")
            #expect(try dashboard.first("nav [aria-current=page]")?["href"] == "/console")
            // The sign-out form carries the session's token, as every form does.
            let logoutForm = try #require(try dashboard.first("form[action='/console/logout']"))
            #expect(try logoutForm.first("input[name=_csrf]")?["value"] == session.csrf)
            let noToken = try await session.submit("console/logout", withCSRF: false)
            #expect(noToken.status == .forbidden && noToken.body["code"] as? String == "INVALID_CSRF_TOKEN")
            let out = try await session.submit("console/logout")
            #expect(out.status == .seeOther)
            #expect(try await session.get("console").status == .seeOther)
            // Sessions end on their own too.
            let again = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            gateway.wallClock.advance(seconds: 8 * 3600 + 1)
            #expect(try await again.get("console").status == .seeOther)
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
            let page = try await session.page("console")
            let figures = try page.all("section.figure").map(\.text)
            #expect(figures == ["오늘 20,000원 승인 1건 · 실패 2건 · 승인율 33.3%", "이번 주 20,000원 승인 1건 · 실패 2건 · 승인율 33.3%"])
            // Each failure kind is a bar that links to the payments it counts.
            let bars = try page.all("figure.chart svg[role=img] a").map { bar in
                (link: bar["href"] ?? "", label: try bar.first("title")?.text ?? "")
            }
            let categoryBar = try #require(bars.first { $0.link.hasSuffix("category=card_info") })
            #expect(categoryBar.link == "/console/payments?status=ABORTED&category=card_info")
            #expect(categoryBar.label == "카드 정보: 1")
            #expect(bars.contains { $0.label == "네트워크: 1" })
            #expect(bars.contains { $0.link.hasPrefix("/console/payments?status=ABORTED&company=") })
            let cardInfo = try await session.page(categoryBar.link)
            let failures = try #require(try cardInfo.first("table#payments")).rows.map { $0[4] }
            #expect(failures == ["카드 정보 · INVALID_CARD_IDENTITY"])
        }
    }

    /// The rows of a payment's card-network table: time, direction, MTI, STAN, answer, note.
    func networkRows(_ page: HTMLPage) throws -> [[String]] {
        try #require(try page.first("table#network-messages")).rows
    }

    @Test("A payment the card company never answered shows the silence, the reversal sent, and the reversal's answer")
    func reversalInNetworkTimeline() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let response = try await gateway.timedOutPayment(secret: shop.secretKey)
            let key = try #require(response.body["paymentKey"] as? String)
            let session = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
            let rows = try networkRows(try await session.page("console/payments/\(key)"))
            // The answer that never came is shown as the 0210 it was waiting for.
            #expect(
                rows.map { [$0[1], $0[2]] } == [
                    ["보냄", "0200"], ["응답 없음", "0210"], ["망취소", "0400"], ["망취소 응답", "0410"],
                ])
            guard rows.count == 4 else { return }
            #expect(rows[1][4] == "CARD_COMPANY_RESPONSE_TIMEOUT")
            #expect(rows[3][4] == "00" && rows[3][5].hasPrefix("망취소 완료"))
            // Every row is about the same message: the sale's STAN.
            #expect(Set(rows.map { $0[3] }).count == 1 && rows[0][3].count == 6)
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
            let found = try #require(try await session.page("console/payments?q=4242").first("table#payments"))
            let link = try #require(try found.first("a[href='/console/payments/\(key)']"))
            #expect(link.text == orderID)
            let cancel = try await session.submit(
                "console/payments/\(key)/cancel", ["cancelAmount": "10,000", "cancelReason": "부분 반품"])
            #expect(cancel.headers.first(name: .location) == "/console/payments/\(key)?canceled=1")
            let detail = try await session.page("console/payments/\(key)")
            #expect(try detail.first("#payment-status")?.text == "부분 취소")
            #expect(try detail.first("#balance")?.text == "20,000원")
            #expect(try detail.all("ol.timeline li").contains { $0.text.hasSuffix("처리 중 → 승인") })
            // The card-network conversation: the sale and its answer, the refund and its answer.
            let rows = try networkRows(detail)
            #expect(rows.map { $0[2] } == ["0200", "0210", "0200", "0210"])
            #expect(rows.map { $0[5] }.contains("승인 요청") && rows.map { $0[5] }.contains("환불 요청 (처리코드 200000)"))
            gateway.wallClock.advance(seconds: 2)
            let tooMuch = try await session.submit(
                "console/payments/\(key)/cancel", ["cancelAmount": "25000", "cancelReason": "반품"])
            #expect(tooMuch.headers.first(name: .location) == "/console/payments/\(key)?error=NOT_CANCELABLE_AMOUNT")
            let explained = try await session.page("console/payments/\(key)?error=NOT_CANCELABLE_AMOUNT")
            #expect(try explained.first("#console-error")?.text.hasPrefix("NOT_CANCELABLE_AMOUNT: ") == true)
            // Another merchant's staff never see it.
            let other = try await gateway.services.createMerchant(name: "남의 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: other.id, email: "x@other.example", password: "other password", owner: true)
            let stranger = try await signIn(gateway, email: "x@other.example", password: "other password")
            #expect(try await stranger.get("console/payments/\(key)").status == .notFound)
            #expect(try await stranger.page("console/payments?q=4242").first("table#payments")?.rows.isEmpty == true)
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
            let keys = try await clerk.get("console/keys")
            #expect(keys.status == .forbidden && keys.body["code"] as? String == "FORBIDDEN_REQUEST")
            // In a browser the same refusal is a page that says why, with a way back.
            let keysInBrowser = try await clerk.get("console/keys", headers: ["Accept": Self.browserAccept])
            #expect(keysInBrowser.status == .forbidden)
            #expect(keysInBrowser.headers.contentType == .html)
            let refusal = try HTMLPage(keysInBrowser)
            #expect(
                try refusal.first("p.notice[role=alert]")?.text.hasPrefix("FORBIDDEN_REQUEST: 이 키나 계정으로는 허용되지 않은 요청입니다")
                    == true)
            #expect(try refusal.first("a[href='/console']") != nil)
            let owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let ownerKeys = try await owner.page("console/keys")
            #expect(
                ownerKeys.text.contains(String(shop.secretKey.prefix(12))) && !ownerKeys.markup.contains(shop.secretKey)
            )
        }
    }

    @Test("Payment links from the console, with the SMS that would be sent shown beside them")
    func linksPage() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let session = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let created = try await session.submit(
                "console/links",
                ["amount": "45,000", "orderName": "꽃다발", "customerMobilePhone": "010-2222-3333", "sendSMS": "1"])
            #expect(created.headers.first(name: .location) == "/console/links")
            let page = try await session.page("console/links")
            let table = try #require(try page.first("table#links"))
            #expect(table.rows.count == 1)
            #expect(table.rows.first.map { Array($0.prefix(3)) } == ["꽃다발", "45,000원", "결제 대기"])
            let linkURL = try #require(try table.first("a[href*='/pay/']")?["href"])
            #expect(linkURL.hasPrefix("http"))
            let linkKey = String(try #require(linkURL.split(separator: "/").last))
            #expect(try table.first("input[name=customerMobilePhone]")?["value"] == "010-2222-3333")
            /// The messages the page lists: channel and recipient.
            func sentTexts() async throws -> [String] {
                try await session.page("console/links").all("ul.messages li").map { message in
                    "\(try message.first("strong")?.text ?? "") \(message.text.split(separator: " ").dropFirst().first ?? "")"
                }
            }
            #expect(try await sentTexts() == ["SMS 010-2222-3333"])
            #expect(try page.first("ul.messages li pre")?.text.contains(linkURL) == true)

            // Sent again to another number; a number that is not one is refused with the catalog's reason.
            let sendPath = String(try #require(try table.first("form[action$=/send]")?["action"]).dropFirst())
            let resent = try await session.submit(sendPath, ["customerMobilePhone": "010-4444-5555"])
            #expect(resent.headers.first(name: .location) == "/console/links?sent=1")
            let bad = try await session.submit(sendPath, ["customerMobilePhone": "12"])
            #expect(bad.headers.first(name: .location)?.hasPrefix("/console/links?error=") == true)
            #expect(Set(try await sentTexts()) == ["SMS 010-2222-3333", "SMS 010-4444-5555"])

            // Withdrawn: the customer's page says so, and it can no longer be sent.
            let afterResend = try #require(try await session.page("console/links").first("table#links"))
            let cancelPath = String(try #require(try afterResend.first("form[action$=/cancel]")?["action"]).dropFirst())
            let withdrawn = try await session.submit(cancelPath)
            #expect(withdrawn.headers.first(name: .location) == "/console/links")
            let customerPage = try await gateway.send(.GET, "pay/\(linkKey)", authenticated: false)
            #expect(customerPage.status == .gone)
            #expect(try HTMLPage(customerPage).first("h1")?.text == "결제할 수 없는 링크입니다")
            let late = try await session.submit(sendPath)
            #expect(late.headers.first(name: .location) == "/console/links?error=EXPIRED_PAYMENT_LINK")
            let final = try #require(try await session.page("console/links").first("table#links"))
            #expect(final.rows.first?[2] == "중지")
            #expect(try final.all("form").isEmpty)
        }
    }

    @Test("Owners add and remove staff; a removed member's session ends at once; staff cannot manage staff")
    func staffManagement() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let owner = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            let added = try await owner.submit(
                "console/staff", ["email": "new@shop.example", "password": "new member pw", "role": "staff"])
            #expect(added.headers.first(name: .location) == "/console/staff")
            let short = try await owner.submit("console/staff", ["email": "x@shop.example", "password": "short"])
            #expect(short.headers.first(name: .location) == "/console/staff?error=INVALID_REQUEST")
            let member = try await signIn(gateway, email: "new@shop.example", password: "new member pw")
            #expect(try await member.get("console/staff").status == .forbidden)

            let table = try #require(try await owner.page("console/staff").first("table#staff"))
            let members = table.rows.map { [$0[0], $0[1], $0[3]] }
            #expect(
                members == [
                    [shop.owner.email, "소유자", "본인"], [shop.clerk.email, "직원", "삭제"], ["new@shop.example", "직원", "삭제"],
                ])
            // The clerk and the new member can be removed; never the owner's own account.
            let removals = try table.all("form[action^='/console/staff/']").compactMap { $0["action"] }
            #expect(removals.count == 2)
            for path in removals {
                #expect(try await owner.submit(String(path.dropFirst())).status == .seeOther)
            }
            #expect(try await member.get("console").status == .seeOther)
            let again = try await post(
                gateway, "console/login", ["email": "new@shop.example", "password": "new member pw"])
            #expect(again.status == .unauthorized)
            #expect(
                try await owner.page("console/staff").first("table#staff")?.rows.map { $0[0] } == [shop.owner.email])
        }
    }
}
