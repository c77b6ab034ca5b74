import CardNetworkLink
import CardNetworkLinkTesting
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Logging
import Synchronization

/// A card-company simulator on a loopback port and a link to it, with a hand-driven clock.
final class LinkHarness: Sendable {
    let engine: IssuerEngine
    private let server: Mutex<IssuerServer>
    /// Held while the host is down, so the port stays this host's.
    private let reservation = Mutex<PortReservation?>(nil)
    let port: Int
    let clock: ManualClock
    let link: CardNetworkLink
    let store: any PendingReversalStore
    let configuration: LinkConfiguration

    static let responseTimeout: Duration = .seconds(10)

    static func make(
        issuer: IssuerConfiguration = .default,
        now: @escaping @Sendable () -> Date = { Date() },
        store: any PendingReversalStore = InMemoryReversalStore(),
        tweak: (inout LinkConfiguration) -> Void = { _ in }
    ) async throws -> LinkHarness {
        let engine = IssuerEngine(configuration: issuer, now: now)
        let server = IssuerServer(engine: engine)
        let port = try await server.start(port: 0)
        var configuration = LinkConfiguration(hosts: ["default": .init(host: "127.0.0.1", port: port)])
        configuration.responseTimeout = responseTimeout
        tweak(&configuration)
        let clock = ManualClock()
        var logger = Logger(label: "keyin.link")
        // KEYIN_TEST_TRACE=1 prints the link's trace while debugging a test.
        if ProcessInfo.processInfo.environment["KEYIN_TEST_TRACE"] == "1" { logger.logLevel = .trace }
        let link = CardNetworkLink(configuration: configuration, store: store, clock: clock, now: now, logger: logger)
        return LinkHarness(
            engine: engine, server: server, port: port, clock: clock, link: link, store: store,
            configuration: configuration)
    }

    private init(
        engine: IssuerEngine, server: IssuerServer, port: Int, clock: ManualClock, link: CardNetworkLink,
        store: any PendingReversalStore, configuration: LinkConfiguration
    ) {
        self.engine = engine
        self.server = Mutex(server)
        self.port = port
        self.clock = clock
        self.link = link
        self.store = store
        self.configuration = configuration
    }

    func shutdown() async {
        await link.shutdown()
        try? await server.withLock { $0 }.stop()
        reservation.withLock { $0 = nil }
    }

    /// The host goes down: listener and every connection closed; a connection to its port is refused.
    func stopHost() async throws {
        try await server.withLock { $0 }.stop()
        let held = try PortReservation(port: port)
        reservation.withLock { $0 = held }
    }

    /// The host comes back on the same port, with the same accounts and ledger.
    func restartHost() async throws {
        let restarted = IssuerServer(engine: engine)
        try await restarted.start(port: port)
        server.withLock { $0 = restarted }
        reservation.withLock { $0 = nil }
    }

    func trace() -> TransactionTrace {
        link.newTrace(terminalID: "KEYIN001", merchantID: "M00000000000001")
    }

    /// A keyed-in sale with the simulator's cardholder details.
    static func sale(
        _ number: String, amount: Int64 = 15_000, capture: Bool = true, installments: Int = 0
    ) -> CardAuthorizationRequest {
        let card = CardNumber(typed: number)!
        return CardAuthorizationRequest(
            cardNumber: card, expiry: CardExpiry(year: 2030, month: 12)!, amount: .krw(amount), cvc: "123",
            customerIdentity: CustomerIdentityNumber(parsing: "900101"), cardPasswordDigits: "12",
            installmentMonths: installments, capture: capture,
            companyCode: BINTable.bundled.company(for: card)?.code)
    }

    func authorize(_ request: CardAuthorizationRequest) async -> Result<CardApproval, KeyInError> {
        let trace = trace()
        do {
            return .success(try await link.authorize(request, trace: trace))
        } catch {
            return .failure(error)
        }
    }

    /// Waits until the host has handled a request of this type for this card. (Earlier requests are buffered
    /// in the stream, so the card number is what picks out the one a test is waiting for.)
    func hostReceives(_ mti: MessageTypeIndicator, card: String) async {
        for await message in engine.received where message.mti == mti && message[.primaryAccountNumber] == card {
            return
        }
    }

    /// Waits for the first link event that matches.
    func linkEvent(where matches: (LinkEvent) -> Bool) async -> LinkEvent? {
        for await event in link.events where matches(event) { return event }
        return nil
    }

    func isSettled(_ event: LinkEvent) -> Bool {
        if case .reversalSettled = event { return true }
        return false
    }
}
