import CardholderAuthentication
import Foundation
import IssuerSimulator
import KeyInGateway
import Synchronization
import Testing
import Vapor

@Suite("3-D Secure over HTTP to an ACS on its own port", .timeLimit(.minutes(1)))
struct AuthenticationTransportTests {
    @Test("the gateway's client speaks to `keyin issuer serve`'s ACS over HTTP: a challenge, its code, its result")
    func overHTTP() async throws {
        let engine = IssuerEngine()
        let acs = AccessControlServer(publicBaseURL: "http://127.0.0.1")
        let admin = IssuerAdminServer(engine: engine, acs: AccessControlHTTP(server: acs, signingKey: "shared-key"))
        let port = try await admin.start(port: 0)
        defer { Task { try? await admin.stop() } }
        let client = AuthenticationClient(
            sharedKey: "shared-key", transport: HTTPAuthenticationTransport.make(baseURL: "http://127.0.0.1:\(port)/"))
        let id = UUID().uuidString
        let request = AuthenticationRequest(
            serverTransactionID: id, cardNumber: AccessControlServer.alwaysChallengedCard, cardExpiry: "3012",
            amount: 1_200_000, currencyCode: "410", merchantName: "데모 상점", acquirerMerchantID: "M00000000000001",
            challengePreference: .noPreference, returnURL: "http://127.0.0.1:8080/3ds/return/\(id)")
        let started = try await client.authenticate(request)
        #expect(started.transStatus == .challengeRequired)

        // The code, as the cardholder's phone would show it: the simulator's sent-codes page.
        let sent = try await HTTPAuthenticationTransport.make(baseURL: "http://127.0.0.1:\(port)")(
            "GET", AuthenticationRoutes.sentCodes, [], Data())
        let codes = try AuthenticationJSON.decode([AccessControlServer.SentCode].self, from: sent.body)
        let code = try #require(codes.first { $0.serverTransactionID == id })
        #expect(code.cardLastFour == "3006")
        _ = await acs.answer(.code(code.code), acsTransactionID: started.acsTransactionID)

        let result = try await client.result(serverTransactionID: id)
        #expect(result.transStatus == .authenticated)
        #expect(result.eci == "05")
    }

    @Test("An ACS that is down is unreachable at once, not after the deadline (a minute here, past the time limit)")
    func refusedConnection() async throws {
        let nowhere = AuthenticationClient(
            sharedKey: "shared-key",
            transport: HTTPAuthenticationTransport.make(baseURL: "http://127.0.0.1:1", timeout: .seconds(120)))
        await #expect(throws: AuthenticationClient.Failure.unreachable) {
            try await nowhere.result(serverTransactionID: UUID().uuidString)
        }
    }

    @Test("A redirect from the ACS is not followed: its answer is the redirect itself")
    func redirectNotFollowed() async throws {
        let app = try await Application.make(.testing)
        let followed = Mutex(false)
        app.get("elsewhere") { _ -> String in
            followed.withLock { $0 = true }
            return "{}"
        }
        app.get("3ds", "results", ":id") { request in request.redirect(to: "/elsewhere") }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        let answer = try await HTTPAuthenticationTransport.make(baseURL: "http://127.0.0.1:\(port)")(
            "GET", "/3ds/results/T1", [], Data())
        await app.server.shutdown()
        try await app.asyncShutdown()
        #expect(answer.status == 303)
        #expect(!followed.withLock { $0 })
    }
}
