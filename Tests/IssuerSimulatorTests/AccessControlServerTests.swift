import CardholderAuthentication
import Foundation
import ISO8583
import IssuerSimulator
import Testing

@Suite("The simulated card companies' 3-D Secure access control server")
struct AccessControlServerTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A clock the test moves by hand.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var date = AccessControlServerTests.start
        func now() -> Date { lock.withLock { date } }
        func advance(_ seconds: TimeInterval) { lock.withLock { date += seconds } }
    }

    static func request(
        card: String = "4242424242424242", preference: ChallengePreference = .noPreference,
        identity: String? = nil, id: String = UUID().uuidString
    ) -> AuthenticationRequest {
        AuthenticationRequest(
            serverTransactionID: id, cardNumber: card, cardExpiry: "3012", cvc: "123", customerIdentity: identity,
            amount: 15_000, currencyCode: "410", merchantName: "데모 상점", acquirerMerchantID: "M00000000000001",
            challengePreference: preference, returnURL: "https://gateway.example/3ds/return/\(id)")
    }

    /// A sale authorized with the result's value, as the gateway sends it: element 48 tags 05, 06 and 09.
    static func sale(card: String, result: AuthenticationResult, stan: String) -> ISO8583Message {
        IssuerEngineTests.request(
            card: card, stan: stan,
            additional: AdditionalData([
                .authenticationValue: result.authenticationValue ?? "", .eci: result.eci ?? "",
                .authenticationTransactionID: result.acsTransactionID,
            ]))
    }

    func code(_ acs: AccessControlServer, for result: AuthenticationResult) async throws -> String {
        try #require(await acs.sentCodes().first { $0.acsTransactionID == result.acsTransactionID }).code
    }

    @Test("a low-risk payment is frictionless: Y with ECI 05 and a value the card company accepts once")
    func frictionless() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let engine = IssuerEngine()
        let result = await acs.authenticate(Self.request())
        #expect(result.transStatus == .authenticated)
        #expect(result.eci == "05")
        #expect(result.challengeURL == nil)
        let first = try IssuerEngineTests().answer(
            await engine.handle(Self.sale(card: "4242424242424242", result: result, stan: "000001")))
        #expect(first[.responseCode] == "00")
        // The same value on a second payment is a replay: declined.
        let replay = try IssuerEngineTests().answer(
            await engine.handle(Self.sale(card: "4242424242424242", result: result, stan: "000002")))
        #expect(replay[.responseCode] == "Q2")
    }

    @Test("a forged value, or one for another card, is declined by the card company")
    func forged() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let engine = IssuerEngine()
        var result = await acs.authenticate(Self.request())
        let forHim = try IssuerEngineTests().answer(
            await engine.handle(Self.sale(card: "5555555555554444", result: result, stan: "000003")))
        #expect(forHim[.responseCode] == "Q2")
        result.authenticationValue = String(result.authenticationValue!.reversed())
        let forged = try IssuerEngineTests().answer(
            await engine.handle(Self.sale(card: "4242424242424242", result: result, stan: "000004")))
        #expect(forged[.responseCode] == "Q2")
    }

    @Test("a challenge: the code sent to the cardholder authenticates (Y), and the page sends the browser back")
    func challengePassed() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example/")
        let request = Self.request(preference: .requested)
        let started = await acs.authenticate(request)
        #expect(started.transStatus == .challengeRequired)
        #expect(started.challengeURL == "http://acs.example/3ds/challenge/\(started.acsTransactionID)")
        #expect(await acs.authenticate(request) == started, "a request sent again opens no second challenge")
        let code = try await code(acs, for: started)
        let state = await acs.answer(.code(code), acsTransactionID: started.acsTransactionID)
        #expect(state == .ended(returnURL: request.returnURL, status: .authenticated))
        let result = try #require(await acs.result(serverTransactionID: request.serverTransactionID))
        #expect(result.transStatus == .authenticated)
        #expect(result.eci == "05")
        #expect(await acs.sentCodes().isEmpty, "a used code is gone")
        let sale = try IssuerEngineTests().answer(
            await IssuerEngine().handle(Self.sale(card: "4242424242424242", result: result, stan: "000005")))
        #expect(sale[.responseCode] == "00")
    }

    @Test("three wrong codes end the challenge N; the right one after that changes nothing")
    func challengeFailed() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let started = await acs.authenticate(Self.request(card: AccessControlServer.alwaysChallengedCard))
        #expect(started.transStatus == .challengeRequired, "this card is always challenged")
        let code = try await code(acs, for: started)
        let wrong = code == "000000" ? "000001" : "000000"
        guard
            case .open(_, _, _, "3006", 2) = await acs.answer(.code(wrong), acsTransactionID: started.acsTransactionID)
        else { Issue.record("a first wrong code leaves two tries"); return }
        _ = await acs.answer(.code(wrong), acsTransactionID: started.acsTransactionID)
        guard
            case .ended(_, .notAuthenticated) = await acs.answer(
                .code(wrong), acsTransactionID: started.acsTransactionID)
        else { Issue.record("the third wrong code ends it"); return }
        guard
            case .ended(_, .notAuthenticated) = await acs.answer(
                .code(code), acsTransactionID: started.acsTransactionID)
        else { Issue.record("an ended challenge stays ended"); return }
        let result = try #require(await acs.result(serverTransactionID: started.serverTransactionID))
        #expect(result.statusReason == .authenticationFailed)
        #expect(result.authenticationValue == nil)
    }

    @Test("a cancelled challenge is N (cancelled); an unanswered one is N (timed out) after 10 minutes")
    func cancelledAndTimedOut() async throws {
        let clock = Clock()
        let acs = AccessControlServer(publicBaseURL: "http://acs.example", now: clock.now)
        let cancelled = await acs.authenticate(Self.request(preference: .mandated))
        _ = await acs.answer(.cancel, acsTransactionID: cancelled.acsTransactionID)
        #expect(
            await acs.result(serverTransactionID: cancelled.serverTransactionID)?.statusReason == .cardholderCancelled)

        let abandoned = await acs.authenticate(Self.request(preference: .mandated))
        clock.advance(AccessControlServer.challengeLifetime - 1)
        #expect(await acs.result(serverTransactionID: abandoned.serverTransactionID)?.transStatus == .challengeRequired)
        let code = try await code(acs, for: abandoned)
        clock.advance(1)
        let late = try #require(await acs.result(serverTransactionID: abandoned.serverTransactionID))
        #expect(late.transStatus == .notAuthenticated)
        #expect(late.statusReason == .timedOut)
        guard
            case .ended(_, .notAuthenticated) = await acs.answer(
                .code(code), acsTransactionID: abandoned.acsTransactionID)
        else { Issue.record("a code after the time changes nothing"); return }
    }

    @Test("test cards: 3014 is refused (N), 3022 is attempted (A, ECI 06, a value the card company accepts)")
    func testCards() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let refused = await acs.authenticate(Self.request(card: AccessControlServer.refusedCard, preference: .mandated))
        #expect(refused.transStatus == .notAuthenticated)
        #expect(refused.statusReason == .refusedByIssuer)
        let attempted = await acs.authenticate(Self.request(card: AccessControlServer.attemptedCard))
        #expect(attempted.transStatus == .attempted)
        #expect(attempted.eci == "06")
        let sale = try IssuerEngineTests().answer(
            await IssuerEngine().handle(
                Self.sale(card: AccessControlServer.attemptedCard, result: attempted, stan: "000006")))
        #expect(sale[.responseCode] == "00")
        // Card details that do not match the card company's are N, with no word of which.
        let wrongBirthDate = await acs.authenticate(Self.request(identity: "010101"))
        #expect(wrongBirthDate.transStatus == .notAuthenticated)
        #expect(wrongBirthDate.statusReason == .authenticationFailed)
    }

    @Test("on HTTP: requests and answers are signed, a tampered or unsigned request is refused")
    func signedProtocol() async throws {
        let clock = Clock()
        let http = AccessControlHTTP(
            server: AccessControlServer(publicBaseURL: "http://acs.example", now: clock.now), signingKey: "shared",
            now: clock.now)
        let gateway = MessageSignature(sharedKey: "shared")
        let body = try AuthenticationJSON.encode(Self.request())
        let path = AuthenticationRoutes.authenticate
        let header = gateway.sign(method: "POST", path: path, body: body, at: clock.now())
        let answer = await http.handle(
            method: "POST", path: path, headers: [(MessageSignature.headerName, header)], body: body)
        #expect(answer.status == 200)
        let answerSignature = answer.headers.first { $0.0 == MessageSignature.headerName }?.1
        try gateway.verify(answerSignature, method: "POST", path: path, body: answer.body, at: clock.now())
        let result = try AuthenticationJSON.decode(AuthenticationResult.self, from: answer.body)
        #expect(result.transStatus == .authenticated)
        // An answer altered on the way fails the gateway's check.
        var altered = answer.body
        altered[altered.startIndex] = UInt8(ascii: " ")
        #expect(throws: MessageSignature.Failure.mismatch) {
            try gateway.verify(answerSignature, method: "POST", path: path, body: altered, at: clock.now())
        }
        #expect(throws: MessageSignature.Failure.stale) {
            try gateway.verify(
                answerSignature, method: "POST", path: path, body: answer.body,
                at: clock.now() + MessageSignature.tolerance + 1)
        }
        let unsigned = await http.handle(method: "POST", path: path, headers: [], body: body)
        #expect(unsigned.status == 401)
        let wrongKey = MessageSignature(sharedKey: "other").sign(
            method: "POST", path: path, body: body, at: clock.now())
        #expect(
            await http.handle(
                method: "POST", path: path, headers: [(MessageSignature.headerName, wrongKey)], body: body
            )
            .status == 401)
        // The result route, signed over its own path.
        let resultPath = AuthenticationRoutes.result(result.serverTransactionID)
        let fetched = await http.handle(
            method: "GET", path: resultPath,
            headers: [
                (
                    MessageSignature.headerName,
                    gateway.sign(method: "GET", path: resultPath, body: Data(), at: clock.now())
                )
            ],
            body: Data())
        #expect(fetched.status == 200)
        #expect(try AuthenticationJSON.decode(AuthenticationResult.self, from: fetched.body) == result)
    }

    @Test("the challenge page: a form with a labelled code field, a wrong code told, the end a redirect back")
    func challengePage() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let http = AccessControlHTTP(server: acs)
        let request = Self.request(preference: .requested)
        let started = await acs.authenticate(request)
        let path = AuthenticationRoutes.challenge(started.acsTransactionID)
        let page = await http.handle(method: "GET", path: path, headers: [], body: Data())
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == 200)
        #expect(html.contains("<label for=\"code\">인증번호</label>"))
        #expect(html.contains("15,000원"))
        #expect(!html.contains(try await code(acs, for: started)), "the page never shows the code")
        let wrong = await http.handle(method: "POST", path: path, headers: [], body: Data("code=99999x".utf8))
        #expect(String(decoding: wrong.body, as: UTF8.self).contains("role=\"alert\""))
        let code = try await code(acs, for: started)
        let done = await http.handle(method: "POST", path: path, headers: [], body: Data("code=\(code)".utf8))
        #expect(done.status == 303)
        #expect(done.headers.contains { $0.0 == "Location" && $0.1 == request.returnURL })
    }
}

@Suite("The gateway's 3-D Secure client against the simulator's ACS")
struct AuthenticationClientTests {
    static func client(_ http: AccessControlHTTP, key: String = AccessControlServer.defaultSigningKey)
        -> AuthenticationClient
    {
        AuthenticationClient(sharedKey: key, transport: http.transport)
    }

    @Test("a challenge started, answered on the page, and its result fetched with the signed GET")
    func roundTrip() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let client = Self.client(AccessControlHTTP(server: acs))
        let request = AccessControlServerTests.request(card: AccessControlServer.alwaysChallengedCard)
        let started = try await client.authenticate(request)
        #expect(started.transStatus == .challengeRequired)
        #expect(
            try await client.result(serverTransactionID: request.serverTransactionID).transStatus == .challengeRequired)
        let code = try #require(await acs.sentCodes().first).code
        _ = await acs.answer(.code(code), acsTransactionID: started.acsTransactionID)
        let result = try await client.result(serverTransactionID: request.serverTransactionID)
        #expect(result.transStatus == .authenticated)
        #expect(result.authenticationValue != nil)
    }

    @Test("an answer altered on the way, from another key, for another transaction, or none at all is refused")
    func refusals() async throws {
        let acs = AccessControlServer(publicBaseURL: "http://acs.example")
        let http = AccessControlHTTP(server: acs)
        let request = AccessControlServerTests.request()
        await #expect(throws: AuthenticationClient.Failure.badAnswer(status: 401)) {
            try await Self.client(http, key: "not the ACS's").authenticate(request)
        }
        let tampering = AuthenticationClient(sharedKey: AccessControlServer.defaultSigningKey) {
            method, path, headers, body in
            let answer = await http.handle(method: method, path: path, headers: headers, body: body)
            // Y turned into a forged field on the way.
            let forged = String(decoding: answer.body, as: UTF8.self).replacingOccurrences(
                of: "\"eci\":\"05\"", with: "\"eci\":\"02\"")
            return (answer.status, answer.headers, Data(forged.utf8))
        }
        await #expect(throws: AuthenticationClient.Failure.badSignature) { try await tampering.authenticate(request) }
        let swapped = AuthenticationClient(sharedKey: AccessControlServer.defaultSigningKey) {
            method, path, headers, body in
            // A genuine signed answer, but for another transaction.
            let other = try AuthenticationJSON.encode(AccessControlServerTests.request())
            let signature = MessageSignature(sharedKey: AccessControlServer.defaultSigningKey)
            let answer = await http.handle(
                method: method, path: path,
                headers: [
                    (MessageSignature.headerName, signature.sign(method: method, path: path, body: other, at: Date()))
                ],
                body: other)
            return (answer.status, answer.headers, answer.body)
        }
        await #expect(throws: AuthenticationClient.Failure.wrongTransaction) { try await swapped.authenticate(request) }
        let down = AuthenticationClient(sharedKey: "k") { _, _, _, _ in throw CancellationError() }
        await #expect(throws: AuthenticationClient.Failure.unreachable) { try await down.authenticate(request) }
        await #expect(throws: AuthenticationClient.Failure.badAnswer(status: 404)) {
            try await Self.client(http).result(serverTransactionID: "unknown")
        }
    }
}
