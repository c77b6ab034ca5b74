import Foundation
import KeyInCore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension ServeCrashTests {
    /// The forms a secret could take in a log line: as typed, as the hex of its bytes (how a byte buffer prints),
    /// and in base64 (how an `Authorization` header carries it).
    static func forms(of secret: String) -> [String] {
        let bytes = Array(secret.utf8)
        return [
            secret, bytes.hexEncoded, bytes.hexEncoded.uppercased(),
            bytes.map { String($0, radix: 16) }.joined(separator: " "), Data(bytes).base64EncodedString(),
        ]
    }

    @Test("At trace level the log shows no card number, card detail, secret key or session token in any form")
    func nothingSecretInTraceLogs() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-logs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let gateway = try await serveWithDemo(dataDirectory, environment: ["KEYIN_LOG_LEVEL": "trace"])
        let base = "http://127.0.0.1:\(gateway.port)"
        let cards = ["4242424242424242", "5555555555554444", "378282246310005", "4000000000003006"]

        // Through the API: a short body with the card number first, a long one with it last.
        _ = try await Self.request(
            "POST", "\(base)/v1/payments/key-in", key: gateway.key,
            body:
                #"{"cardNumber":"\#(cards[0])","amount":15000,"orderId":"log-order-1","orderName":"짧은 주문","cardExpirationYear":"30","cardExpirationMonth":"12"}"#
        )
        _ = try await Self.request(
            "POST", "\(base)/v1/payments/key-in", key: gateway.key,
            body:
                #"{"amount":25000,"orderId":"log-order-2","orderName":"\#(String(repeating: "긴 주문 ", count: 40))","cardExpirationYear":"30","cardExpirationMonth":"12","customerIdentityNumber":"870312","cardPassword":"58","cardCvc":"737","cardNumber":"\#(cards[1])"}"#
        )
        // With 3-D Secure: the card's details go to the card company's ACS, the challenge is answered, and the
        // payment completes on the way back.
        let waiting = try await Self.request(
            "POST", "\(base)/v1/payments/key-in", key: gateway.key,
            body:
                #"{"amount":31000,"orderId":"log-order-3ds","orderName":"인증 주문","cardExpirationYear":"30","cardExpirationMonth":"12","customerIdentityNumber":"900101","cardPassword":"12","cardCvc":"737","cardNumber":"\#(cards[3])","threeDSecure":"CHALLENGE"}"#
        )
        let challenge = try #require((waiting["nextAction"] as? [String: Any])?["url"] as? String, "\(waiting)")
        let acsID = String(try #require(challenge.split(separator: "/").last))
        try await answerSimulatorChallenge(at: base, acsID: acsID)
        _ = try await URLSession.shared.data(
            from: URL(string: "\(base)/3ds/return/\(try #require(waiting["paymentKey"] as? String))")!)
        let authenticated = try await Self.request(
            "GET", "\(base)/v1/payments/orders/log-order-3ds", key: gateway.key)
        #expect(authenticated["status"] as? String == "DONE", "\(authenticated)")

        // Through a payment link's page, as the customer's browser sends it.
        let link = try await Self.request(
            "POST", "\(base)/v1/payment-links", key: gateway.key, body: #"{"amount":30000,"orderName":"링크 주문"}"#)
        let linkKey = String(try #require((link["url"] as? String)?.split(separator: "/").last))
        var page = URLRequest(url: URL(string: "\(base)/pay/\(linkKey)")!)
        page.httpMethod = "POST"
        page.setValue("application/json", forHTTPHeaderField: "Content-Type")
        page.setValue("page-attempt-1", forHTTPHeaderField: "Idempotency-Key")
        page.httpBody = Data(
            #"{"cardNumber":"\#(cards[2])","cardExpirationYear":"30","cardExpirationMonth":"12","cardCvc":"1234","customerIdentityNumber":"900101","cardPassword":"12"}"#
                .utf8)
        _ = try await URLSession.shared.data(for: page)
        // The console: a session cookie on a page load.
        let cookie = try await Self.consoleCookie(
            base, email: gateway.login.email, password: gateway.login.password)
        var console = URLRequest(url: URL(string: "\(base)/console/payments")!)
        console.setValue(cookie, forHTTPHeaderField: "Cookie")
        _ = try await URLSession.shared.data(for: console)

        gateway.server.interrupt()
        try await gateway.server.waitUntilExit()
        let log = try String(contentsOf: gateway.errorLog, encoding: .utf8)
        #expect(log.contains(" trace "), "the test must have logged at trace level")
        #expect(log.contains(#"INSERT INTO "payments""#), "the payments' SQL must be in the log")
        let token = String(try #require(cookie.split(separator: "=", maxSplits: 1).last))
        var secrets = cards + [gateway.key, gateway.key + ":", token, gateway.login.password]
        secrets += [#""cardCvc":"737""#, #""cardPassword":"58""#, #""customerIdentityNumber":"870312""#]
        secrets += [#""cvc":"737""#, #""cardPasswordDigits":"12""#, #""customerIdentity":"900101""#]
        for secret in secrets {
            for form in Self.forms(of: secret) {
                #expect(!log.contains(form), "the log shows \(secret) as \(form)")
            }
        }
    }
}
