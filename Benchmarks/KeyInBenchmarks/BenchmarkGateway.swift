import CardNetworkLink
import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Logging
import NIOCore
import Synchronization
import Vapor

/// A gateway on the embedded defaults, as `keyin serve --data-dir <temporary>` starts it (SQLite on disk with its
/// durability settings, the demo merchant, the simulator in this process), driven without sockets: requests go
/// straight to the application's responder, so a figure is the handler stack's, not the HTTP client's.
final class BenchmarkGateway: Sendable {
    let runtime: GatewayRuntime
    let authorization: String
    let keyDigest: String
    private let merchantID: MerchantID
    private let issued = Atomic<Int>(0)

    private init(runtime: GatewayRuntime, secretKey: String, merchantID: MerchantID) {
        self.runtime = runtime
        self.authorization = "Basic " + Data("\(secretKey):".utf8).base64EncodedString()
        self.keyDigest = SecretToken.digest(secretKey)
        self.merchantID = merchantID
    }

    private static let started = Mutex<Task<BenchmarkGateway, any Error>?>(nil)

    /// The one gateway of this benchmark process, started on first use.
    static func shared() async throws -> BenchmarkGateway {
        let task = started.withLock { task in
            if let task { return task }
            let new = Task { try await start() }
            task = new
            return new
        }
        return try await task.value
    }

    private static func start() async throws -> BenchmarkGateway {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-bench-\(UUID())")
        let configuration = try ServerConfiguration.load(
            arguments: ["--data-dir", directory.path], environment: [:])
        let quiet = Logger(label: "keyin.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let issuer = IssuerServer(engine: IssuerEngine(), logger: quiet)
        let port = try await issuer.start(host: "127.0.0.1", port: 0)
        let runtime = try await GatewayRuntime.start(
            configuration, embeddedIssuer: .init(host: "127.0.0.1", port: port))
        runtime.app.logger.logLevel = .warning
        try await runtime.app.asyncBoot()
        guard let secretKey = runtime.demoSecretKey,
            let holder = try await runtime.services.stores.merchants.key(
                digest: SecretToken.digest(secretKey), at: Date())
        else { throw BenchmarkSetupError(reason: "the embedded start made no demo key") }
        let gateway = BenchmarkGateway(runtime: runtime, secretKey: secretKey, merchantID: holder.merchantID)
        // Warm: the link's connection and sign-on, the pools, the statements' first runs.
        for _ in 0..<20 { try await gateway.pay() }
        return gateway
    }

    /// One key-in payment with a card and order id of its own; throws unless it is approved.
    func pay() async throws {
        let number = issued.add(1, ordering: .relaxed).newValue
        let card = Self.testCard(number)
        let order = "bench-\(ProcessInfo.processInfo.processIdentifier)-\(number)"
        let body = """
            {"amount":15000,"orderId":"\(order)","orderName":"벤치마크","cardNumber":"\(card)",\
            "cardExpirationYear":"30","cardExpirationMonth":"12","customerIdentityNumber":"900101","cardPassword":"12"}
            """
        let app = runtime.app
        let request = Request(
            application: app, method: .POST, url: URI(path: "/v1/payments/key-in"),
            headers: [
                "Authorization": authorization, "Content-Type": "application/json", "Idempotency-Key": order,
            ],
            collectedBody: ByteBuffer(string: body), remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 1),
            logger: app.logger, on: app.eventLoopGroup.next())
        let response = try await app.responder.respond(to: request).get()
        guard response.status == .ok else {
            throw BenchmarkSetupError(reason: "payment answered \(response.status.code), not 200")
        }
    }

    /// A payment as the decision point sees one, of the demo merchant.
    func samplePayment() -> PaymentRecord {
        PaymentRecord(
            merchantID: merchantID, mode: .test, paymentKey: PaymentKey("pay_bench"),
            orderID: OrderID("bench-decision"),
            orderName: "벤치마크", status: .inProgress, totalAmount: 15_000, currency: "KRW", capture: true,
            installmentMonths: 0, cardBrand: "VISA", cardCompanyCode: "41", cardMasked: "424242******4242",
            cardFingerprint: String(repeating: "ab", count: 32), trace: nil, customerName: nil, customerEmail: nil,
            customerMobilePhone: nil, metadata: nil, requestedAt: Date())
    }

    /// A Luhn-valid card on the 424242 BIN (Shinhan in the bundled table), distinct for each `number`.
    static func testCard(_ number: Int) -> String {
        let body = "424242" + String(format: "%09d", number % 1_000_000_000)
        let sum = body.reversed().enumerated().reduce(0) { sum, pair in
            let digit = Int(String(pair.element))!
            let doubled = pair.offset.isMultiple(of: 2) ? digit * 2 : digit
            return sum + (doubled > 9 ? doubled - 9 : doubled)
        }
        return body + String((10 - sum % 10) % 10)
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    let reason: String
    var description: String { "benchmark setup: \(reason)" }
}
