import CardNetworkLink
import CardNetworkLinkTesting
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("Echo, reconnection, and what the link logs", .timeLimit(.minutes(1)))
struct EchoAndLoggingTests {
    @Test("An idle connection is checked with an echo (0800/301) and stays usable")
    func echoOnIdle() async throws {
        let harness = try await LinkHarness.make(tweak: { $0.echoInterval = .seconds(30) })
        defer { Task { await harness.shutdown() } }
        await harness.link.start()
        _ = try await harness.authorize(LinkHarness.sale("4242424242424242")).get()

        harness.clock.advance(by: .seconds(30))
        for await message in harness.engine.received where message.mti == .networkManagementRequest {
            if message[.networkManagementCode] == "301" { break }
        }

        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
    }

    @Test(
        "Logs never show a card number, CVC, birth date, business number, card password or 3-D Secure value")
    func noCardDataInLogs() async throws {
        let capture = LogCapture()
        let engine = IssuerEngine()
        let server = IssuerServer(engine: engine, logger: capture.logger(label: "issuer"))
        let port = try await server.start(port: 0)
        var configuration = LinkConfiguration(hosts: ["default": .init(host: "127.0.0.1", port: port)])
        configuration.responseTimeout = .seconds(10)
        let clock = ManualClock()
        let link = CardNetworkLink(configuration: configuration, clock: clock, logger: capture.logger(label: "link"))

        let authenticationValue = "Q0FWVlNFQ1JFVFZBTFVFMTIzNDU2"
        func pay(
            _ number: String, identity: String, password: String = "12", authenticated: Bool = false
        ) async -> Result<CardApproval, KeyInError> {
            var request = LinkHarness.sale(number)
            request.cvc = "737"
            if authenticated {
                request.authenticationValue = authenticationValue
                request.eci = "05"
            }
            request.customerIdentity = CustomerIdentityNumber(parsing: identity)
            request.cardPasswordDigits = password
            do {
                return .success(
                    try await link.authorize(request, trace: link.newTrace(terminalID: "LOGTEST1", merchantID: "M1")))
            } catch {
                return .failure(error)
            }
        }
        _ = await pay("5555555555554444", identity: "1248100998", password: "58")
        _ = await pay("4242424242424242", identity: "900101", authenticated: true)
        _ = await pay("4000000000000564", identity: "870312")
        _ = await pay("4000000000009920", identity: "900101")
        let stalled = Task { await pay("4000000000009904", identity: "900101") }
        for await message in engine.received where message[.primaryAccountNumber] == "4000000000009904" { break }
        clock.advance(by: .seconds(10))
        _ = await stalled.value
        for await event in link.events {
            if case .reversalSettled = event { break }
        }
        await link.shutdown()
        try await server.stop()

        // Ports are random and could contain any digits; they are not card data.
        let logged = capture.text.replacing(/port": \d+/, with: "port").replacing(/127\.0\.0\.1:\d+/, with: "host")
        #expect(logged.contains("reversal"), "the test must have logged something to search")
        for secret in [
            "5555555555554444", "4000000000000564", "4000000000009920", "4000000000009904", "1248100998", "870312",
            "900101", "4242424242424242", authenticationValue,
        ] {
            #expect(!logged.contains(secret), "log shows \(secret)")
        }
        // Short secrets are looked for where a leak would put them (element 48 raw or as sub-elements), since
        // three digits also turn up by chance in trace numbers and ids.
        for leak in ["0103737", "01:737", "030258", "03:58", "030212", "03:12", "cvc", "password"] {
            #expect(!logged.lowercased().contains(leak), "log shows \(leak)")
        }
    }
}
