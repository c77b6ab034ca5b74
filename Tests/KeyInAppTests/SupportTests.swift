import Foundation
import KeyInApp
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

@Suite("Feedback, inquiries and the shop's support contact", .timeLimit(.minutes(2)))
struct SupportTests {
    let logger = Logger(label: "support-tests")

    func html(_ response: APIResponse) -> String { String(decoding: response.raw, as: UTF8.self) }

    @Test("The survey keeps the rating with the payment's outcome and error code, once per payment")
    func feedback() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await gateway.services.createMerchant(name: "설문 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: shop.id, email: "owner@survey.example", password: "survey password", owner: true)
            let declined = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"),
                secret: shop.secretKey)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            for (key, rating) in [(declined.body["paymentKey"], 2), (paid.body["paymentKey"], 5)] {
                let sent = try await gateway.send(
                    .POST, "feedback",
                    json: ["paymentKey": try #require(key as? String), "rating": rating, "comment": "<b>빨라요</b>"],
                    authenticated: false)
                #expect(sent.status == .ok)
            }
            let twice = try await gateway.send(
                .POST, "feedback", json: ["paymentKey": try #require(paid.body["paymentKey"] as? String), "rating": 1],
                authenticated: false)
            #expect(twice.body["code"] as? String == "INVALID_REQUEST")
            let outOfRange = try await gateway.send(
                .POST, "feedback", json: ["paymentKey": try #require(paid.body["paymentKey"] as? String), "rating": 9],
                authenticated: false)
            #expect(outOfRange.body["param"] as? String == "rating")
            let unknown = try await gateway.send(
                .POST, "feedback", json: ["paymentKey": "pay_nothing", "rating": 3], authenticated: false)
            #expect(unknown.body["code"] as? String == "NOT_FOUND_PAYMENT")

            let signedIn = try await ConsoleTests().signIn(
                gateway, email: "owner@survey.example", password: "survey password")
            let page = html(
                try await gateway.send(
                    .GET, "console/feedback", headers: ["Cookie": signedIn.cookie], authenticated: false))
            #expect(page.contains(#"<p class="big" id="average-rating">3.5</p>"#))
            #expect(page.contains("REJECT_CARD_COMPANY") && page.contains("&lt;b&gt;빨라요&lt;/b&gt;"))
        }
    }

    @Test("An inquiry reaches the inbox; the reply is kept in the thread and sent to the customer by SMS")
    func inquiries() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await gateway.services.createMerchant(name: "문의 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: shop.id, email: "staff@ask.example", password: "staff password", owner: false)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            let key = try #require(paid.body["paymentKey"] as? String)
            let noContact = try await gateway.send(
                .POST, "inquiries", json: ["paymentKey": key, "message": "배송은 언제 되나요?"], authenticated: false)
            #expect(noContact.body["param"] as? String == "contact")
            let asked = try await gateway.send(
                .POST, "inquiries",
                json: ["paymentKey": key, "contact": "010-5555-6666", "customerName": "김고객", "message": "배송은 언제 되나요?"],
                authenticated: false)
            #expect(asked.status == .ok)

            let session = try await ConsoleTests().signIn(
                gateway, email: "staff@ask.example", password: "staff password")
            let inbox = html(
                try await gateway.send(
                    .GET, "console/inquiries", headers: ["Cookie": session.cookie], authenticated: false))
            #expect(inbox.contains("김고객") && inbox.contains("답변 대기"))
            let id = String(try #require(inbox.firstMatch(of: /\/console\/inquiries\/([0-9A-F-]{36})/)?.1))
            var headers = ConsoleTests.form
            headers.add(name: "Cookie", value: session.cookie)
            let replied = try await gateway.send(
                .POST, "console/inquiries/\(id)/reply",
                rawBody: ConsoleTests.formBody(["_csrf": session.csrf, "body": "내일 출고됩니다."]), headers: headers,
                authenticated: false)
            #expect(replied.status == .seeOther)
            let thread = html(
                try await gateway.send(.GET, "console/inquiries/\(id)", headers: headers, authenticated: false))
            #expect(
                thread.contains("배송은 언제 되나요?") && thread.contains("내일 출고됩니다.") && thread.contains("staff@ask.example"))
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 1)
            // Other shops' staff cannot open it.
            let other = try await gateway.services.createMerchant(name: "남의 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: other.id, email: "x@other.example", password: "other password", owner: true)
            let stranger = try await ConsoleTests().signIn(
                gateway, email: "x@other.example", password: "other password")
            #expect(
                try await gateway.send(
                    .GET, "console/inquiries/\(id)", headers: ["Cookie": stranger.cookie], authenticated: false
                ).status == .notFound)
        }
    }

    @Test("The owner sets the support phone and hours; the payment page and receipt show them")
    func supportContact() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await gateway.services.createMerchant(name: "연락처 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: shop.id, email: "owner@contact.example", password: "owner password", owner: true)
            let session = try await ConsoleTests().signIn(
                gateway, email: "owner@contact.example", password: "owner password")
            var headers = ConsoleTests.form
            headers.add(name: "Cookie", value: session.cookie)
            let saved = try await gateway.send(
                .POST, "console/settings",
                rawBody: ConsoleTests.formBody([
                    "_csrf": session.csrf, "supportPhone": "02-1234-5678", "supportHours": "평일 10:00–18:00",
                ]),
                headers: headers, authenticated: false)
            #expect(saved.headers.first(name: .location) == "/console/settings?saved=1")
            let link = try await gateway.send(
                .POST, "v1/payment-links", json: ["amount": 10_000, "orderName": "연락처 확인"], secret: shop.secretKey)
            let linkKey = String(try #require((link.body["url"] as? String)?.split(separator: "/").last))
            let page = html(try await gateway.send(.GET, "pay/\(linkKey)", authenticated: false))
            #expect(page.contains("고객센터 02-1234-5678 (평일 10:00–18:00)"))
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            let receipt = html(
                try await gateway.send(
                    .GET, "receipts/\(try #require(paid.body["paymentKey"] as? String))", authenticated: false))
            #expect(receipt.contains("고객센터 02-1234-5678") && receipt.contains("inquiry-form"))
        }
    }
}
