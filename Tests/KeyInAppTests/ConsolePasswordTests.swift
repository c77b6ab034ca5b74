import Foundation
import KeyInApp
import KeyInCore
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

extension ConsoleTests {
    @Test("A member changes their password: the current one is checked, the new one twice; other sessions end")
    func changePassword() async throws {
        try await GatewayHarness.with { gateway in
            let shop = try await shop(gateway)
            let here = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
            let elsewhere = try await signIn(gateway, email: shop.clerk.email, password: shop.clerk.password)
            let new = "a brand new passphrase"
            func change(_ current: String, _ new: String, _ confirm: String) async throws -> String? {
                try await here.submit(
                    "console/password", ["currentPassword": current, "newPassword": new, "confirmPassword": confirm]
                ).headers.first(name: .location)
            }
            #expect(try await change("wrong password", new, new) == "/console/password?error=INVALID_LOGIN")
            #expect(
                try await change(shop.clerk.password, new, new + "!")
                    == "/console/password?error=INVALID_REQUEST&param=confirmPassword")
            #expect(
                try await change(shop.clerk.password, "short", "short")
                    == "/console/password?error=INVALID_REQUEST&param=password")
            let explained = try await here.page("console/password?error=INVALID_REQUEST&param=confirmPassword")
            #expect(try explained.first("[role=alert]")?.text == "새 비밀번호 두 칸이 서로 다릅니다.")
            // Nothing changed so far: both sessions live, the old password works.
            #expect(try await elsewhere.get("console").status == .ok)

            #expect(try await change(shop.clerk.password, new, new) == "/console/password?changed=1")
            #expect(try await here.page("console/password?changed=1").first("#password-changed") != nil)
            #expect(try await here.get("console").status == .ok)
            #expect(try await elsewhere.get("console").status == .seeOther)
            let old = try await post(
                gateway, "console/login", ["email": shop.clerk.email, "password": shop.clerk.password])
            #expect(old.status == .unauthorized)
            _ = try await signIn(gateway, email: shop.clerk.email, password: new)
        }
    }

    @Test(
        "A forgotten password: the reset link goes by e-mail, works once within 30 minutes, lifts the lock, ends sessions"
    )
    func resetByEmail() async throws {
        let mail = CapturingMessageSender()
        try await GatewayHarness.with(messageSender: mail) { gateway in
            let shop = try await shop(gateway)
            let logger = Logger(label: "password-tests")
            let session = try await signIn(gateway, email: shop.owner.email, password: shop.owner.password)
            // The owner is locked out by someone guessing.
            for attempt in 1...5 {
                _ = try await post(
                    gateway, "console/login", ["email": shop.owner.email, "password": "guess \(attempt)"])
            }

            // Known and unknown e-mails get the same answer; only the known one gets mail.
            let known = try await post(gateway, "console/forgot", ["email": " Owner@Shop.example "])
            let unknown = try await post(gateway, "console/forgot", ["email": "nobody@shop.example"])
            #expect(known.status == .ok)
            #expect(try HTMLPage(known).first("#forgot-sent")?.text.contains("재설정 링크를 보냈습니다") == true)
            #expect(known.raw == unknown.raw)
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 1)
            let message = try #require(mail.sent.first)
            #expect(message.channel == .email && message.recipient == shop.owner.email)
            let link = try #require(message.body.firstMatch(of: /\/console\/reset\/([0-9a-f]{64})/))
            let path = String(link.0.dropFirst())

            // The mail is not shown among the messages any member can read on the links page.
            let linksPage = try await session.page("console/links")
            #expect(!linksPage.markup.contains(String(link.1)))

            let form = try await gateway.send(.GET, path, authenticated: false)
            #expect(form.status == .ok)
            let resetPage = try HTMLPage(form)
            #expect(try resetPage.first("form#reset-form")?["action"] == "/" + path)
            #expect(try resetPage.all("main p").contains { $0.text.hasPrefix("\(shop.owner.email) 계정의 새 비밀번호") })
            let new = "reset passphrase 2026"
            let mismatch = try await post(gateway, path, ["newPassword": new, "confirmPassword": "other one 12345"])
            #expect(mismatch.status == .badRequest)
            #expect(try HTMLPage(mismatch).first("[role=alert]")?.text == "새 비밀번호 두 칸이 서로 다릅니다.")
            let done = try await post(gateway, path, ["newPassword": new, "confirmPassword": new])
            #expect(done.headers.first(name: .location) == "/console/login?reset=1")
            // Used once: the link is spent, the old session is over, the lock is lifted for the new password.
            let again = try await gateway.send(.GET, path, headers: ["Accept": "text/html"], authenticated: false)
            #expect(again.status == .badRequest)
            #expect(
                try HTMLPage(again).first("p.notice[role=alert]")?.text
                    .hasPrefix("INVALID_PASSWORD_RESET_LINK: 비밀번호 재설정 링크가 없거나, 이미 쓰였거나") == true)
            #expect(try await session.get("console").status == .seeOther)
            _ = try await signIn(gateway, email: shop.owner.email, password: new)

            // Two links pending: using one spends the other; so does changing the password.
            for _ in 1...2 { _ = try await post(gateway, "console/forgot", ["email": shop.owner.email]) }
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 2)
            let pending = mail.sent.suffix(2).compactMap { $0.body.firstMatch(of: /\/console\/reset\/[0-9a-f]{64}/) }
                .map { String($0.0.dropFirst()) }
            #expect(pending.count == 2)
            let newer = "second reset passphrase"
            let used = try await post(gateway, pending[0], ["newPassword": newer, "confirmPassword": newer])
            #expect(used.status == .seeOther)
            let spent = try await post(gateway, pending[1], ["newPassword": new, "confirmPassword": new])
            #expect(spent.status == .badRequest && spent.body["code"] as? String == "INVALID_PASSWORD_RESET_LINK")
            let owner = try await signIn(gateway, email: shop.owner.email, password: newer)
            gateway.wallClock.advance(seconds: 31 * 60)  // three links were asked for this half hour already
            _ = try await post(gateway, "console/forgot", ["email": shop.owner.email])
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 1)
            let beforeChange = String(
                try #require(mail.sent.last?.body.firstMatch(of: /\/console\/reset\/[0-9a-f]{64}/)).0.dropFirst())
            let changed = try await owner.submit(
                "console/password", ["currentPassword": newer, "newPassword": new + "!", "confirmPassword": new + "!"])
            #expect(changed.headers.first(name: .location) == "/console/password?changed=1")
            #expect(try await gateway.send(.GET, beforeChange, authenticated: false).status == .badRequest)

            // A link left unused for 30 minutes expires.
            _ = try await post(gateway, "console/forgot", ["email": shop.clerk.email])
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 1)
            let late = try #require(mail.sent.last?.body.firstMatch(of: /\/console\/reset\/[0-9a-f]{64}/))
            gateway.wallClock.advance(seconds: 30 * 60 + 1)
            let expired = try await post(
                gateway, String(late.0.dropFirst()), ["newPassword": new, "confirmPassword": new])
            #expect(expired.status == .badRequest && expired.body["code"] as? String == "INVALID_PASSWORD_RESET_LINK")

            // At most three links in half an hour: a fourth request sends nothing.
            for _ in 1...4 { _ = try await post(gateway, "console/forgot", ["email": shop.clerk.email]) }
            #expect(try await gateway.services.sendPendingMessages(logger: logger) == 3)
        }
    }
}
