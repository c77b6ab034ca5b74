import CardNetworkLink
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("Echo, reconnection, and what the link logs", .timeLimit(.minutes(1)))
struct EchoAndLoggingTests {
    @Test("An idle connection is checked with an echo (0800/301); a lost host is reconnected when it returns")
    func echoAndReconnect() async throws {
        let harness = try await LinkHarness.make(tweak: { $0.echoInterval = .seconds(30) })
        defer { Task { await harness.shutdown() } }
        await harness.link.start()
        _ = try await harness.authorize(LinkHarness.sale("4242424242424242")).get()

        harness.clock.advance(by: .seconds(30))
        for await message in harness.engine.received where message.mti == .networkManagementRequest {
            if message[.networkManagementCode] == "301" { break }
        }

        // The host goes away and comes back: the next probe reconnects (and signs on) without any payment.
        try await harness.stopHost()
        try await harness.restartHost()
        harness.clock.advance(by: .seconds(30))
        for await message in harness.engine.received where message.mti == .networkManagementRequest {
            if message[.networkManagementCode] == "001" { break }
        }
        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
    }

    @Test("Logs never show a card number, CVC, birth date, business number or card password")
    func noCardDataInLogs() async throws {
        let capture = LogCapture()
        let engine = IssuerEngine()
        let server = IssuerServer(engine: engine, logger: capture.logger(label: "issuer"))
        let port = try await server.start(port: 0)
        var configuration = LinkConfiguration(hosts: ["default": .init(host: "127.0.0.1", port: port)])
        configuration.responseTimeout = .seconds(10)
        let clock = ManualClock()
        let link = CardNetworkLink(configuration: configuration, clock: clock, logger: capture.logger(label: "link"))

        func pay(_ number: String, identity: String) async -> Result<CardApproval, KeyInError> {
            var request = LinkHarness.sale(number)
            request.cvc = "737"
            request.customerIdentity = CustomerIdentityNumber(parsing: identity)
            request.cardPasswordDigits = "58"
            do {
                return .success(
                    try await link.authorize(request, trace: link.newTrace(terminalID: "LOGTEST1", merchantID: "M1")))
            } catch {
                return .failure(error)
            }
        }
        _ = await pay("5555555555554444", identity: "1248100998")
        _ = await pay("4000000000009920", identity: "870312")
        let stalled = Task { await pay("4000000000009904", identity: "870312") }
        for await message in engine.received where message[.primaryAccountNumber] == "4000000000009904" { break }
        clock.advance(by: .seconds(10))
        _ = await stalled.value
        for await event in link.events {
            if case .reversalSettled = event { break }
        }
        await link.shutdown()
        try await server.stop()

        let logged = capture.text
        #expect(logged.contains("reversal"), "the test must have logged something to search")
        for secret in ["5555555555554444", "4000000000009920", "4000000000009904", "737", "1248100998", "870312"] {
            #expect(!logged.contains(secret), "log shows \(secret)")
        }
        #expect(!logged.contains("=58"))
    }
}
