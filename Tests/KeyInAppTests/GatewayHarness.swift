import CardNetworkLink
import CardNetworkLinkTesting
import CardVault
import CardholderAuthentication
import Foundation
import ISO8583
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Synchronization
import Testing
import Vapor
import VaporTesting

/// The gateway as tests drive it: the real `configure`, a SQLite database of its own, the simulator on a
/// loopback port, and a link whose clock moves only when the test says so.
struct GatewayHarness {
    let app: Application
    let services: GatewayServices
    let engine: IssuerEngine
    let server: IssuerServer
    /// The test link (test keys' payments), to `engine`.
    let link: CardNetworkLink
    /// With `live`: a second simulator standing in for the configured card companies, its link, and a live key of
    /// the same merchant.
    let live: (engine: IssuerEngine, link: CardNetworkLink, secretKey: String)?
    let clock: ManualClock
    let secretKey: String
    let databasePath: String?
    /// The gateway's wall clock (cancel windows, timestamps), moved by hand.
    let wallClock: WallClock
    /// With `authentication`: the simulator's 3-D Secure server test payments are authenticated by (on the wall
    /// clock), its pages served under /3ds/ as `keyin serve` serves them.
    let accessControl: AccessControlServer?

    static let responseTimeout: Duration = .seconds(10)

    /// Where the payment-flow suite's PostgreSQL run connects (an administrative database); CI sets it.
    static let postgresURL = ProcessInfo.processInfo.environment["KEYIN_TEST_POSTGRES_URL"]

    /// Runs `body` against a fresh gateway, then shuts everything down. With `postgres`, the gateway gets a new
    /// database of its own on the server `KEYIN_TEST_POSTGRES_URL` names.
    static func with<T>(
        onDisk: Bool = false, postgres: Bool = false, live: Bool = false,
        messageSender: any MessageSender = RecordingMessageSender(),
        allowInternalWebhookTargets: Bool = true, webhookPorts: Set<Int>? = nil, logger: Logger? = nil,
        authentication: Bool = false, _ body: (GatewayHarness) async throws -> T
    ) async throws -> T {
        let app = try await Application.make(.testing)
        // Set before the database opens: its connections keep the logger they were made with.
        if let logger { app.logger = logger }
        let engine = IssuerEngine()
        let server = IssuerServer(engine: engine)
        let port = try await server.start(port: 0)
        var configuration = LinkConfiguration(hosts: ["default": .init(host: "127.0.0.1", port: port)])
        configuration.responseTimeout = responseTimeout
        let clock = ManualClock()
        let wallClock = WallClock()
        let stans = STANGenerator()
        let link = CardNetworkLink(
            configuration: configuration,
            store: GatewayServices.reversalStore(app, mode: .test, now: { wallClock.now }), clock: clock,
            stans: stans)
        var liveHost: (engine: IssuerEngine, server: IssuerServer, link: CardNetworkLink)?
        if live {
            let engine = IssuerEngine()
            let server = IssuerServer(engine: engine)
            var configuration = LinkConfiguration(
                hosts: ["default": .init(host: "127.0.0.1", port: try await server.start(port: 0))])
            configuration.responseTimeout = responseTimeout
            let link = CardNetworkLink(
                configuration: configuration,
                store: GatewayServices.reversalStore(app, mode: .live, now: { wallClock.now }), clock: clock,
                stans: stans)
            liveHost = (engine, server, link)
        }
        let path =
            onDisk ? FileManager.default.temporaryDirectory.appendingPathComponent("keyin-\(UUID()).sqlite").path : nil
        let result: Result<T, any Error>
        do {
            var storage: ServerConfiguration.Storage = path.map { .sqliteFile(path: $0) } ?? .sqliteInMemory
            if postgres, let admin = postgresURL {
                storage = .postgres(url: try await PostgresTestDatabase.create(adminURL: admin, app: app))
            }
            var authenticators = CardholderAuthenticators()
            var accessControl: AccessControlServer?
            if authentication {
                let server = AccessControlServer(publicBaseURL: "http://127.0.0.1:8080", now: { wallClock.now })
                let pages = AccessControlHTTP(server: server, now: { wallClock.now }).transport
                authenticators = CardholderAuthenticators(
                    test: AuthenticationClient(
                        sharedKey: AccessControlServer.defaultSigningKey, now: { wallClock.now }, transport: pages),
                    testPages: pages)
                accessControl = server
            }
            let services = try await configure(
                app, storage: storage, links: CardNetworkLinks(test: link, live: liveHost?.link),
                vault: CardVault(current: MasterKey.generate().key), messageSender: messageSender,
                allowInternalWebhookTargets: allowInternalWebhookTargets, webhookPorts: webhookPorts,
                // The harness is the proxy: a test names the client's address with X-Forwarded-For.
                trustedProxies: TrustedProxies(addresses: [], trustsEveryPeer: true), authenticators: authenticators,
                now: { wallClock.now })
            let merchant = try await services.createMerchant(name: "테스트 상점", live: false)
            var liveKey: String?
            if liveHost != nil {
                liveKey = try await services.rotateMerchantKey(merchantID: merchant.id, live: true, graceSeconds: 0)
            }
            let harness = GatewayHarness(
                app: app, services: services, engine: engine, server: server, link: link,
                live: liveHost.map { ($0.engine, $0.link, liveKey ?? "") }, clock: clock,
                secretKey: merchant.secretKey, databasePath: path, wallClock: wallClock, accessControl: accessControl)
            result = .success(try await body(harness))
        } catch {
            result = .failure(error)
        }
        await link.shutdown()
        try? await server.stop()
        await liveHost?.link.shutdown()
        try? await liveHost?.server.stop()
        try? await app.asyncShutdown()
        if let path { try? FileManager.default.removeItem(atPath: path) }
        return try result.get()
    }

    func authorization(_ secret: String? = nil) -> HTTPHeaders {
        let token = Data(((secret ?? secretKey) + ":").utf8).base64EncodedString()
        return ["Authorization": "Basic \(token)", "Content-Type": "application/json"]
    }

    /// Sends a request and returns status, headers and the JSON body.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, json: [String: any Sendable]? = nil, rawBody: String? = nil,
        headers extra: HTTPHeaders = [:], secret: String? = nil, authenticated: Bool = true
    ) async throws -> APIResponse {
        var headers = authenticated ? authorization(secret) : ["Content-Type": "application/json"]
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)) }
        if let rawBody { body = ByteBuffer(string: rawBody) }
        var result: APIResponse?
        try await app.testing().test(method, path, headers: headers, body: body) { response in
            let raw = Data(buffer: response.body)
            let object = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any] ?? [:]
            result = APIResponse(status: response.status, headers: response.headers, body: object, raw: raw)
        }
        return try #require(result)
    }

    /// The test card the simulator takes and never answers.
    static let silentCard = "4000000000009904"

    /// Starts a payment with the silent card and returns once the card company has it: the test decides what comes
    /// next (a timeout, a crash).
    func unansweredPayment(orderId: String? = nil, secret: String? = nil) async -> Task<APIResponse, any Error> {
        var body = Self.keyIn(card: Self.silentCard)
        if let orderId { body["orderId"] = orderId }
        let json = body
        let request = Task { try await send(.POST, "v1/payments/key-in", json: json, secret: secret) }
        for await message in engine.received where message[.primaryAccountNumber] == Self.silentCard { break }
        return request
    }

    /// A payment the card company never answered: timed out, answered to the merchant, and its reversal settled.
    func timedOutPayment(secret: String? = nil) async throws -> APIResponse {
        let request = await unansweredPayment(secret: secret)
        clock.advance(by: Self.responseTimeout)
        let response = try await request.value
        await link.nextSettledReversal()
        return response
    }

    static func keyIn(
        card: String = "4242424242424242", amount: Int = 15_000,
        orderId: String = "order-\(UUID().uuidString.prefix(8))",
        extra: [String: any Sendable] = [:]
    ) -> [String: any Sendable] {
        var body: [String: any Sendable] = [
            "amount": amount, "orderId": orderId, "orderName": "전화 주문 - 텀블러 2개", "cardNumber": card,
            "cardExpirationYear": "30", "cardExpirationMonth": "12", "customerIdentityNumber": "900101",
            "cardPassword": "12", "cardCvc": "123",
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }
}

/// A response as tests read it: status, headers and the decoded JSON object (immutable, so safe to pass on).
struct APIResponse: @unchecked Sendable {
    let status: HTTPStatus
    let headers: HTTPHeaders
    let body: [String: Any]
    /// The bytes as sent, for checks that must tell `1` from `true` (the OpenAPI contract).
    let raw: Data
}

/// Real time plus an offset a test can move forward.
final class WallClock: Sendable {
    private let state = Mutex<(offset: TimeInterval, frozenAt: Date?)>((0, nil))
    var now: Date { state.withLock { ($0.frozenAt ?? Date()).addingTimeInterval($0.offset) } }
    func advance(seconds: TimeInterval) { state.withLock { $0.offset += seconds } }

    /// Stops the clock where it is; from then on it moves only by `advance`. For rules about short spans ("within a
    /// second"), so that a test checks the rule, not how fast the machine runs.
    func freeze() { state.withLock { $0.frozenAt = Date() } }
}

/// A message sender that keeps what it was given, for tests that read the SMS or e-mail a customer or member got.
final class CapturingMessageSender: MessageSender {
    struct Message: Sendable {
        let channel: MessageChannel
        let recipient: String
        let body: String
    }

    private let messages = Mutex<[Message]>([])
    var sent: [Message] { messages.withLock { $0 } }

    func send(channel: MessageChannel, to recipient: String, body: String) async throws -> String {
        messages.withLock { $0.append(Message(channel: channel, recipient: recipient, body: body)) }
        return "SENT"
    }
}

extension CardNetworkLink {
    /// Returns at the next reversal its host answered (events kept since the link started count, newest 1,024).
    func nextSettledReversal() async {
        for await event in events {
            if case .reversalSettled = event { return }
        }
    }
}
