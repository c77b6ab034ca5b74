import Foundation
import ISO8583
import KeyInApp
import KeyInCore
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

@Suite("Payment links, the hosted page, receipts and help", .timeLimit(.minutes(2)))
struct PaymentLinkTests {
    let logger = Logger(label: "payment-link-tests")

    func createLink(
        _ gateway: GatewayHarness, amount: Int = 55_000, orderName: String = "맞춤 셔츠 1벌",
        extra: [String: any Sendable] = [:]
    ) async throws -> (id: String, key: String, body: [String: Any]) {
        var json: [String: any Sendable] = ["amount": amount, "orderName": orderName]
        for (name, value) in extra { json[name] = value }
        let created = try await gateway.send(.POST, "v1/payment-links", json: json)
        #expect(created.status == .ok, "\(created.body)")
        let url = try #require(created.body["url"] as? String)
        return (
            try #require(created.body["paymentLinkId"] as? String),
            String(try #require(url.split(separator: "/").last)),
            created.body
        )
    }

    func page(_ gateway: GatewayHarness, _ path: String) async throws -> (status: HTTPStatus, html: String) {
        let response = try await gateway.send(.GET, path, authenticated: false)
        return (response.status, String(decoding: response.raw, as: UTF8.self))
    }

    static let card: [String: any Sendable] = [
        "cardNumber": "4242424242424242", "cardExpirationYear": "30", "cardExpirationMonth": "12",
        "customerIdentityNumber": "900101", "cardPassword": "12", "cardCvc": "123",
    ]

    @Test("A link is made, sent by SMS through the outbox (recorded, not sent), and says what the customer pays")
    func createAndSend() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(
                gateway, extra: ["customerMobilePhone": "010-1234-5678", "send": ["SMS"], "validHours": 24])
            #expect(link.body["status"] as? String == "ACTIVE")
            #expect((link.body["url"] as? String)?.hasPrefix("http://127.0.0.1:8080/pay/") == true)
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 1)
            let shown = try await gateway.send(.GET, "v1/payment-links/\(link.id)")
            let message = try #require((shown.body["messages"] as? [[String: Any]])?.first)
            #expect(message["channel"] as? String == "SMS" && message["recipient"] as? String == "010-1234-5678")
            #expect(message["status"] as? String == "RECORDED")
            let text = try #require(message["body"] as? String)
            #expect(text.contains("55,000원") && text.contains("맞춤 셔츠 1벌") && text.contains("/pay/\(link.key)"))
            // No phone number to send to: said plainly.
            let other = try await createLink(gateway, amount: 10_000)
            let noPhone = try await gateway.send(
                .POST, "v1/payment-links/\(other.id)/send", json: ["channel": "KAKAOTALK"])
            #expect(
                noPhone.body["code"] as? String == "INVALID_REQUEST" && noPhone.body["param"] as? String == "recipient")
            let bad = try await gateway.send(.POST, "v1/payment-links", json: ["amount": 50, "orderName": "x"])
            #expect(bad.body["code"] as? String == "BELOW_MINIMUM_AMOUNT")
        }
    }

    @Test("A refusal names the field at fault; a link is never made only for its sending to fail")
    func sendingRefusals() async throws {
        try await GatewayHarness.with { gateway in
            let noPhone = try await gateway.send(
                .POST, "v1/payment-links", json: ["amount": 20_000, "orderName": "주문", "send": ["SMS"]])
            #expect(noPhone.body["param"] as? String == "customerMobilePhone")
            let noEmail = try await gateway.send(
                .POST, "v1/payment-links",
                json: ["amount": 20_000, "orderName": "주문", "customerMobilePhone": "010-1234-5678", "send": ["EMAIL"]])
            #expect(noEmail.body["param"] as? String == "customerEmail")
            let listed = try await gateway.send(.GET, "v1/payment-links")
            #expect((listed.body["paymentLinks"] as? [Any])?.isEmpty == true, "\(listed.body)")

            let link = try await createLink(gateway, extra: ["customerMobilePhone": "010-1234-5678"])
            let phoneAsEmail = try await gateway.send(
                .POST, "v1/payment-links/\(link.id)/send", json: ["channel": "EMAIL", "recipient": "010-1234-5678"])
            #expect(phoneAsEmail.body["param"] as? String == "recipient")
            // A bad request is refused as such, whatever the link's state.
            _ = try await gateway.send(.POST, "v1/payment-links/\(link.id)/cancel")
            let badChannel = try await gateway.send(
                .POST, "v1/payment-links/\(link.id)/send", json: ["channel": "FAX"])
            #expect(badChannel.status == .badRequest)
        }
    }

    @Test("The hosted page: numeric keypad, amount, instalments only from 50,000 KRW, English on request, under 60 KB")
    func hostedPage() async throws {
        try await GatewayHarness.with { gateway in
            let big = try await createLink(gateway, amount: 55_000)
            let (status, html) = try await page(gateway, "pay/\(big.key)")
            #expect(status == .ok)
            #expect(html.contains(#"id="cardNumber" name="cardNumber" inputmode="numeric""#))
            #expect(html.contains("55,000원") && html.contains("카드 번호") && html.contains("cardInstallmentPlan"))
            #expect(html.contains(#"type="password" inputmode="numeric" maxlength="2""#))
            #expect(html.contains(#"aria-live="polite""#))
            let small = try await createLink(gateway, amount: 49_000)
            #expect(!(try await page(gateway, "pay/\(small.key)")).html.contains("cardInstallmentPlan"))
            let english = try await page(gateway, "pay/\(big.key)?lang=en")
            #expect(english.html.contains("Card number") && english.html.contains("KRW 55,000"))
            // The page, its script and its stylesheet together.
            let script = try await gateway.send(.GET, "assets/pay.js", authenticated: false)
            let styles = try await gateway.send(.GET, "assets/keyin.css", authenticated: false)
            #expect(script.status == .ok && styles.status == .ok)
            #expect(html.utf8.count + script.raw.count + styles.raw.count < 60_000)
        }
    }

    @Test("Text a merchant typed is shown as text, never run as markup")
    func escaping() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway, orderName: #"<script>alert("x")</script> 셔츠"#)
            let html = try await page(gateway, "pay/\(link.key)").html
            let page = try HTMLPage(html)
            #expect(try page.all("script").allSatisfy { !$0.text.contains("alert") })
            // Shown as typed, as text.
            #expect(page.text.contains(#"<script>alert("x")</script> 셔츠"#))
        }
    }

    @Test("A link a customer is paying with cannot be stopped until the payment has a result")
    func withdrawDuringPayment() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway)
            var silent = Self.card
            silent["cardNumber"] = GatewayHarness.silentCard
            let paying = Task {
                try await gateway.send(
                    .POST, "pay/\(link.key)", json: silent, headers: ["Idempotency-Key": "slow-1"], authenticated: false
                )
            }
            for await message in gateway.engine.received
            where message[.primaryAccountNumber] == GatewayHarness.silentCard {
                break
            }
            let refused = try await gateway.send(.POST, "v1/payment-links/\(link.id)/cancel", json: [:])
            #expect(refused.status == .conflict && refused.body["code"] as? String == "PAYMENT_LINK_BEING_PAID")
            #expect(refused.headers.first(name: .retryAfter) == "30")
            // The card company never answers: the payment is aborted (and reversed); now the link can be stopped.
            gateway.clock.advance(by: GatewayHarness.responseTimeout)
            #expect(try await paying.value.body["code"] as? String == "CARD_COMPANY_RESPONSE_TIMEOUT")
            let stopped = try await gateway.send(.POST, "v1/payment-links/\(link.id)/cancel", json: [:])
            #expect(stopped.status == .ok && stopped.body["status"] as? String == "CANCELED")
        }
    }

    @Test(
        "On the payment page a card company's verdict on a card detail is a plain decline; the merchant sees which",
        arguments: [
            ("4000000000000564", "INVALID_CARD_IDENTITY"), ("4000000000000556", "INVALID_CARD_PASSWORD"),
            ("4000000000000127", "INVALID_CARD_CVC"), ("4000000000009987", "INVALID_CARD_LOST_OR_STOLEN"),
            ("4000000000009995", "REJECT_CARD_PAYMENT"),
        ])
    func anonymousDeclinesTeachNothing(card: String, precise: String) async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway)
            var body = Self.card
            body["cardNumber"] = card
            let answered = try await gateway.send(
                .POST, "pay/\(link.key)", json: body, headers: ["Idempotency-Key": "try-\(card)"], authenticated: false)
            #expect(answered.body["code"] as? String == "REJECT_CARD_COMPANY")
            let generic = KeyInError(.rejectCardCompany).customerMessage.text(in: .korean)
            #expect((answered.body["customerMessage"] as? [String: String])?["ko"] == generic)
            // A repeat of the attempt is answered the same.
            let repeated = try await gateway.send(
                .POST, "pay/\(link.key)", json: body, headers: ["Idempotency-Key": "try-\(card)"], authenticated: false)
            #expect(repeated.body["code"] as? String == "REJECT_CARD_COMPANY")
            // The merchant's API still tells exactly what the card company said.
            let key = try #require(answered.body["paymentKey"] as? String)
            let payment = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect((payment.body["failure"] as? [String: Any])?["code"] as? String == precise)
        }
    }

    @Test(
        "A customer on the page cannot choose what only the merchant decides: 무이자, a tax-free part, a 3-D Secure result"
    )
    func merchantOnlyFields() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway)
            var body = Self.card
            body["cardInstallmentPlan"] = 3
            body["useFreeInstallmentPlan"] = true
            body["taxFreeAmount"] = 55_000
            body["vbv"] = ["cavv": "AAABBBCCC", "eci": "05"]
            let paid = try await gateway.send(.POST, "pay/\(link.key)", json: body, authenticated: false)
            #expect(paid.status == .ok, "\(paid.body)")
            let key = try #require(paid.body["paymentKey"] as? String)
            let payment = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect(payment.body["taxFreeAmount"] as? Int == 0)
            let sale = try #require(await gateway.engine.entries().first)
            #expect(sale.installmentMonths == 3 && sale.merchantPaysInterest == false)
        }
    }

    @Test("A mistake KeyIn finds itself keeps its precise code on the payment page")
    func ownChecksStayPrecise() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway)
            var body = Self.card
            body["cardNumber"] = "4242424242424241"
            let answered = try await gateway.send(.POST, "pay/\(link.key)", json: body, authenticated: false)
            #expect(answered.body["code"] as? String == "INVALID_CARD_NUMBER")
            #expect(await gateway.engine.entries().isEmpty)
        }
    }

    @Test("A key a customer sends on the payment page never blocks the merchant's own call with the same key")
    func pageKeysAreTheCustomers() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway)
            let paid = try await gateway.send(
                .POST, "pay/\(link.key)", json: Self.card, headers: ["Idempotency-Key": "shared-key-1"],
                authenticated: false)
            #expect(paid.status == .ok)
            let key = try #require(paid.body["paymentKey"] as? String)
            // The merchant happens to use the same key for its cancel: it is the merchant's, and it works.
            let canceled = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "고객 요청"],
                headers: ["Idempotency-Key": "shared-key-1"])
            #expect(canceled.status == .ok && canceled.body["status"] as? String == "CANCELED")
        }
    }

    @Test("Paid once: a decline leaves the link payable, an approval closes it, and its page then says so")
    func paidOnce() async throws {
        try await GatewayHarness.with { gateway in
            let link = try await createLink(gateway)
            var declinedCard = Self.card
            declinedCard["cardNumber"] = "4000000000000002"
            let declined = try await gateway.send(
                .POST, "pay/\(link.key)", json: declinedCard, headers: ["Idempotency-Key": "try-1"],
                authenticated: false)
            #expect(declined.body["code"] as? String == "REJECT_CARD_COMPANY")
            #expect((declined.body["customerMessage"] as? [String: String])?["ko"]?.isEmpty == false)
            #expect(try await gateway.send(.GET, "v1/payment-links/\(link.id)").body["status"] as? String == "ACTIVE")

            let paid = try await gateway.send(
                .POST, "pay/\(link.key)", json: Self.card, headers: ["Idempotency-Key": "try-2"], authenticated: false)
            #expect(paid.status == .ok && paid.body["status"] as? String == "DONE")
            #expect(paid.body["totalAmount"] as? Int == 55_000)
            // The Payment names the page it was paid on (Toss's checkout.url).
            #expect((paid.body["checkout"] as? [String: Any])?["url"] as? String == link.body["url"] as? String)
            let shown = try await gateway.send(.GET, "v1/payment-links/\(link.id)")
            #expect(shown.body["status"] as? String == "PAID")
            #expect(shown.body["paymentKey"] as? String == paid.body["paymentKey"] as? String)

            let again = try await gateway.send(
                .POST, "pay/\(link.key)", json: Self.card, headers: ["Idempotency-Key": "try-3"], authenticated: false)
            #expect(again.status == .conflict && again.body["code"] as? String == "ALREADY_PAID_PAYMENT_LINK")
            let closed = try await page(gateway, "pay/\(link.key)")
            #expect(closed.status == .conflict && closed.html.contains("이미 결제가 완료된 링크입니다"))
            #expect(await gateway.engine.entries().filter { $0.isApproved }.count == 1)
        }
    }

    @Test("A double tap sends one Idempotency-Key twice: one payment, one authorization")
    func doubleTap() async throws {
        try await GatewayHarness.with { gateway in
            let path = "pay/\(try await createLink(gateway).key)"
            async let first = gateway.send(
                .POST, path, json: Self.card, headers: ["Idempotency-Key": "tap"], authenticated: false)
            async let second = gateway.send(
                .POST, path, json: Self.card, headers: ["Idempotency-Key": "tap"], authenticated: false)
            let answers = try await [first, second]
            #expect(answers.contains { $0.body["status"] as? String == "DONE" })
            #expect(await gateway.engine.entries().filter { $0.isApproved }.count == 1)
        }
    }

    @Test("Expired and withdrawn links say so plainly; an unknown link too")
    func expiredAndWithdrawn() async throws {
        try await GatewayHarness.with { gateway in
            let expiring = try await createLink(gateway, extra: ["validHours": 1])
            gateway.wallClock.advance(seconds: 3601)
            let expired = try await page(gateway, "pay/\(expiring.key)")
            #expect(expired.status == .gone && expired.html.contains("유효기간이 지났습니다"))
            let paying = try await gateway.send(.POST, "pay/\(expiring.key)", json: Self.card, authenticated: false)
            #expect(paying.body["code"] as? String == "EXPIRED_PAYMENT_LINK")

            let withdrawn = try await createLink(gateway)
            let canceled = try await gateway.send(.POST, "v1/payment-links/\(withdrawn.id)/cancel")
            #expect(canceled.body["status"] as? String == "CANCELED")
            #expect(try await page(gateway, "pay/\(withdrawn.key)").status == .gone)
            let unknown = try await page(gateway, "pay/nothing-here")
            #expect(unknown.status == .notFound && unknown.html.contains("결제 링크를 찾을 수 없습니다"))
        }
    }

    @Test("The receipt shows merchant, card, approval number and the VAT split; cancels and balance follow")
    func receipt() async throws {
        try await GatewayHarness.with { gateway in
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 55_000))
            let key = try #require(paid.body["paymentKey"] as? String)
            let approveNo = try #require((paid.body["card"] as? [String: Any])?["approveNo"] as? String)
            _ = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "부분 반품", "cancelAmount": 11_000])
            let (status, html) = try await page(gateway, "receipts/\(key)")
            #expect(status == .ok)
            for expected in [
                "카드 매출전표", "테스트 상점", "424242******4242", approveNo, "50,000원", "5,000원", "55,000원", "부분 반품",
                "44,000원", "부분 취소",
            ] {
                #expect(html.contains(expected), "the receipt lacks \(expected)")
            }
            #expect(try await page(gateway, "receipts/pay_unknown").status == .notFound)
            let lines = try HTMLPage(html)
            #expect(
                try lines.first("#receipt-supplied")?.text == "50,000원" && lines.first("#receipt-vat")?.text == "5,000원"
            )
            #expect(try lines.first("#receipt-tax-free") == nil)

            // With a tax-free part the receipt splits as the Payment does, and shows the tax-free line.
            let mixed = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(amount: 60_000, extra: ["taxFreeAmount": 10_000]))
            let mixedKey = try #require(mixed.body["paymentKey"] as? String)
            let mixedPage = try HTMLPage(try await page(gateway, "receipts/\(mixedKey)").html)
            #expect(try mixedPage.first("#receipt-vat")?.text == "4,545원")
            #expect(try mixedPage.first("#receipt-supplied")?.text == "45,455원")
            #expect(try mixedPage.first("#receipt-tax-free")?.text == "10,000원")
            #expect(mixed.body["vat"] as? Int == 4_545 && mixed.body["suppliedAmount"] as? Int == 45_455)
        }
    }

    @Test("Help: every catalog code has an entry, searchable, and the API's helpUrl leads to it")
    func help() async throws {
        try await GatewayHarness.with { gateway in
            let declined = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4242424242424241"))
            let helpURL = try #require(declined.body["helpUrl"] as? String)
            let entry = try await page(gateway, String(helpURL.dropFirst()))
            #expect(entry.status == .ok && entry.html.contains("INVALID_CARD_NUMBER"))
            #expect(entry.html.contains("카드번호를 다시 확인해 주세요"))
            let index = try await page(gateway, "help")
            #expect(index.html.components(separatedBy: "<li><a href=\"/help/").count - 1 == ErrorCode.allCases.count)
            let search = try await page(gateway, "help?q=%ED%95%A0%EB%B6%80")  // 할부
            #expect(search.html.contains("NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT"))
            #expect(!search.html.contains("INVALID_CARD_PASSWORD_FORMAT"))
            #expect(try await page(gateway, "help/no-such-entry").status == .notFound)
        }
    }

    @Test("A wrong address typed into a browser gets a page in its language; API clients still get the JSON")
    func browserErrors() async throws {
        try await GatewayHarness.with { gateway in
            let browser: HTTPHeaders = ["Accept": "text/html,*/*;q=0.8", "Accept-Language": "en-US,en;q=0.9"]
            let english = try await gateway.send(.GET, "pay/abc/def/ghi", headers: browser, authenticated: false)
            #expect(english.status == .notFound && english.headers.contentType == .html)
            let page = try HTMLPage(english)
            #expect(try page.first("html")?["lang"] == "en")
            #expect(try page.first("h1")?.text == "That could not be done")
            #expect(try page.first("a[href='/help/not-found-route?lang=en']") != nil)
            let korean = try await gateway.send(
                .GET, "pay/abc/def/ghi", headers: ["Accept": "text/html"], authenticated: false)
            #expect(try HTMLPage(korean).first("html")?["lang"] == "ko")
            #expect(try HTMLPage(korean).first("h1")?.text == "요청을 처리하지 못했습니다")
            // The API never answers with a page, even to a browser.
            let api = try await gateway.send(.GET, "v1/nothing", headers: browser)
            #expect(api.status == .notFound && api.body["code"] as? String == "NOT_FOUND_ROUTE")
        }
    }
}
