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

            let signedIn = try await ConsoleSession.signIn(
                gateway, email: "owner@survey.example", password: "survey password")
            let page = try await signedIn.page("console/feedback")
            #expect(try page.first("#average-rating")?.text == "3.5")
            #expect(try page.all("section.figure p.big").map(\.text) == ["3.5", "5.0", "2.0"])
            // Score, outcome with its code, and the comment as typed (shown as text, never markup).
            let answers = try #require(try page.first("table.list")).rows.map { Array($0[1...3]) }
            #expect(Set(answers) == [["5", "승인", "<b>빨라요</b>"], ["2", "실패 · REJECT_CARD_COMPANY", "<b>빨라요</b>"]])
            #expect(try page.all("table.list b").isEmpty)
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

            let session = try await ConsoleSession.signIn(
                gateway, email: "staff@ask.example", password: "staff password")
            let inbox = try #require(try await session.page("console/inquiries").first("table#inquiries"))
            let orderName = try #require(paid.body["orderName"] as? String)
            #expect(
                inbox.rows.map { Array($0[1...]) } == [
                    ["문의", orderName, "배송은 언제 되나요?", "김고객", "010-5555-6666", "답변 대기"]
                ])
            let threadPath = try #require(try inbox.first("a[href^='/console/inquiries/']")?["href"])
            let replied = try await session.submit("\(threadPath.dropFirst())/reply", ["body": "내일 출고됩니다."])
            #expect(replied.status == .seeOther)
            let thread = try await session.page(String(threadPath.dropFirst()))
            let lines = try thread.all("ol#thread li").map { line in
                [try line.first("strong")?.text ?? "", try line.first("p")?.text ?? ""]
            }
            #expect(lines == [["고객", "배송은 언제 되나요?"], ["직원 staff@ask.example", "내일 출고됩니다."]])
            #expect(try await session.page("console/inquiries").first("table#inquiries")?.rows.first?.last == "답변함")
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 1)
            // Other shops' staff cannot open it.
            let other = try await gateway.services.createMerchant(name: "남의 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: other.id, email: "x@other.example", password: "other password", owner: true)
            let stranger = try await ConsoleSession.signIn(
                gateway, email: "x@other.example", password: "other password")
            #expect(try await stranger.get(String(threadPath.dropFirst())).status == .notFound)
            #expect(try await stranger.page("console/inquiries").first("table#inquiries")?.rows.isEmpty == true)
        }
    }

    @Test("A card number typed into an inquiry, a survey comment or a cancel reason is kept masked")
    func cardNumbersInFreeText() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await gateway.services.createMerchant(name: "조심 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: shop.id, email: "owner@careful.example", password: "owner password", owner: true)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            let key = try #require(paid.body["paymentKey"] as? String)
            let typed = "카드 4242 4242 4242 4242 로 했어요"
            let masked = "카드 424242******4242 로 했어요"
            _ = try await gateway.send(
                .POST, "inquiries", json: ["paymentKey": key, "contact": "010-5555-6666", "message": typed],
                authenticated: false)
            _ = try await gateway.send(
                .POST, "feedback", json: ["paymentKey": key, "rating": 4, "comment": typed], authenticated: false)
            let canceled = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": typed, "cancelAmount": 1_000],
                secret: shop.secretKey)
            #expect((canceled.body["cancels"] as? [[String: Any]])?.first?["cancelReason"] as? String == masked)
            let session = try await ConsoleSession.signIn(
                gateway, email: "owner@careful.example", password: "owner password")
            let inbox = try #require(try await session.page("console/inquiries").first("table#inquiries"))
            #expect(inbox.rows.map { $0[3] } == [masked])
            let feedback = try #require(try await session.page("console/feedback").first("table.list"))
            #expect(feedback.rows.map { $0[3] } == [masked])
            for page in ["console/inquiries", "console/feedback", "console/payments/\(key)"] {
                #expect(!(try await session.page(page).markup.contains("4242 4242 4242 4242")), "\(page)")
            }
        }
    }

    @Test("Inquiries are limited: five an hour about one payment, twenty an hour from one address")
    func inquiryLimits() async throws {
        try await GatewayHarness.with { gateway in
            var keys: [String] = []
            for _ in 1...5 {
                let paid = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
                keys.append(try #require(paid.body["paymentKey"] as? String))
            }
            func ask(_ key: String) async throws -> APIResponse {
                try await gateway.send(
                    .POST, "inquiries", json: ["paymentKey": key, "contact": "010-5555-6666", "message": "문의드립니다"],
                    authenticated: false)
            }
            for _ in 1...5 { #expect(try await ask(keys[0]).status == .ok) }
            let sixth = try await ask(keys[0])
            #expect(sixth.status == .tooManyRequests && sixth.body["code"] as? String == "TOO_MANY_REQUESTS")
            // Other payments still can, until the address has sent twenty (the refused sixth counts for it).
            for key in keys[1...2] {
                for _ in 1...5 { #expect(try await ask(key).status == .ok) }
            }
            for _ in 1...4 { #expect(try await ask(keys[3]).status == .ok) }
            #expect(try await ask(keys[4]).status == .tooManyRequests)
            gateway.wallClock.advance(seconds: 3600 + 60)
            #expect(try await ask(keys[4]).status == .ok)
        }
    }

    @Test("The owner sets the support phone and hours; the payment page and receipt show them")
    func supportContact() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await gateway.services.createMerchant(name: "연락처 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: shop.id, email: "owner@contact.example", password: "owner password", owner: true)
            let session = try await ConsoleSession.signIn(
                gateway, email: "owner@contact.example", password: "owner password")
            let saved = try await session.submit(
                "console/settings", ["supportPhone": "02-1234-5678", "supportHours": "평일 10:00–18:00"])
            #expect(saved.headers.first(name: .location) == "/console/settings?saved=1")
            let settings = try await session.page("console/settings?saved=1")
            #expect(try settings.first("input#supportPhone")?["value"] == "02-1234-5678")
            #expect(try settings.first("input#supportHours")?["value"] == "평일 10:00–18:00")
            let link = try await gateway.send(
                .POST, "v1/payment-links", json: ["amount": 10_000, "orderName": "연락처 확인"], secret: shop.secretKey)
            let linkKey = String(try #require((link.body["url"] as? String)?.split(separator: "/").last))
            let page = try HTMLPage(try await gateway.send(.GET, "pay/\(linkKey)", authenticated: false))
            #expect(try page.first("p.support")?.text == "고객센터 02-1234-5678 (평일 10:00–18:00)")
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: shop.secretKey)
            let paymentKey = try #require(paid.body["paymentKey"] as? String)
            let receipt = try HTMLPage(try await gateway.send(.GET, "receipts/\(paymentKey)", authenticated: false))
            #expect(try receipt.first("p.support")?.text == "고객센터 02-1234-5678 (평일 10:00–18:00)")
            #expect(try receipt.first("form#inquiry-form")?["data-payment-key"] == paymentKey)
        }
    }
}
