import CardNetworkLink
import CardVault
import Foundation
import IssuerSimulator
import Logging
import Synchronization
import Vapor

/// A running gateway: the Vapor application, the link, the embedded simulator when no hosts are configured, and
/// the background work (webhook outbox, recovery, card-data retention).
public final class GatewayRuntime: Sendable {
    let app: Application
    public let link: CardNetworkLink
    public let services: GatewayServices
    let simulator: IssuerServer?
    let configuration: ServerConfiguration
    /// The demo merchant's test secret key, when this start created it.
    public let demoSecretKey: String?
    /// The demo merchant's console sign-in (e-mail, password), when this start created it.
    public let demoConsoleLogin: (email: String, password: String)?
    private let background = RepeatingWork("background work", every: .seconds(1))
    private let chatRelay = RepeatingWork("chat relay", every: .milliseconds(500))

    /// What the process is for: `serve` takes payments; `administer` (migrate, merchant, keys) only needs the
    /// database, so it connects to no card company and starts no simulator.
    public enum Purpose: Sendable {
        case serve
        case administer
    }

    init(
        app: Application, link: CardNetworkLink, services: GatewayServices, simulator: IssuerServer?,
        configuration: ServerConfiguration, demoSecretKey: String?, demoConsoleLogin: (email: String, password: String)?
    ) {
        self.app = app
        self.link = link
        self.services = services
        self.simulator = simulator
        self.configuration = configuration
        self.demoSecretKey = demoSecretKey
        self.demoConsoleLogin = demoConsoleLogin
    }

    /// Opens the database (migrating it); to serve, also starts the link (and the simulator when no hosts are
    /// configured), settles payments a crash left behind, and creates the demo merchant on first start.
    public static func start(_ configuration: ServerConfiguration, purpose: Purpose = .serve) async throws
        -> GatewayRuntime
    {
        let app = try await Application.make(Environment(name: "production", arguments: ["keyin"]))
        var simulator: IssuerServer?
        var hosts = configuration.issuerHosts ?? [:]
        if configuration.issuerHosts == nil && purpose == .serve {
            let server = IssuerServer(engine: IssuerEngine(), logger: app.logger)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            hosts = [LinkConfiguration.defaultHostKey: .init(host: "127.0.0.1", port: port)]
            simulator = server
        }
        var linkConfiguration = LinkConfiguration(hosts: hosts)
        linkConfiguration.responseTimeout = configuration.linkResponseTimeout
        let link = CardNetworkLink(
            configuration: linkConfiguration, store: GatewayServices.reversalStore(app), logger: app.logger)
        let services: GatewayServices
        do {
            services = try await configure(
                app, storage: configuration.storage, link: link,
                vault: CardVault(current: configuration.masterKey, previous: configuration.previousMasterKeys),
                publicBaseURL: configuration.publicBaseURL,
                allowInternalWebhookTargets: configuration.allowInternalWebhookTargets)
        } catch {
            try? await simulator?.stop()
            try? await app.asyncShutdown()
            throw GatewayStartError(reason: "cannot open the database (\(String(describing: type(of: error))))")
        }
        var demoKey: String?
        var demoLogin: (email: String, password: String)?
        if purpose == .serve {
            await link.start()
            if try await services.recoverStalePayments(
                logger: app.logger, staleAfter: configuration.recoverAfterSeconds) > 0
            {
                // Send the reversals now, before taking new payments.
                await link.retryPendingReversals()
            }
            if try await services.merchantCount() == 0 {
                let demo = try await services.createMerchant(name: "데모 상점", live: false)
                demoKey = demo.secretKey
                let login = (email: "owner@demo.keyin.local", password: SecretToken.random(bytes: 8))
                try await services.createStaff(
                    merchantID: demo.id, email: login.email, password: login.password, owner: true)
                demoLogin = login
            }
        }
        return GatewayRuntime(
            app: app, link: link, services: services, simulator: simulator, configuration: configuration,
            demoSecretKey: demoKey, demoConsoleLogin: demoLogin)
    }

    /// Starts answering HTTP on the configured address, and the background work.
    public func startHTTP() async throws {
        app.http.server.configuration.hostname = configuration.hostname
        app.http.server.configuration.port = configuration.port
        try await app.server.start(address: .hostname(configuration.hostname, port: configuration.port))
        let (services, configuration, logger) = (services, configuration, app.logger)
        background.start(logger: logger) { pass in
            try await Self.backgroundPass(pass, services: services, configuration: configuration, logger: logger)
        }
        chatRelay.start(logger: logger) { pass in try await Self.chatPass(pass, services: services) }
    }

    /// Stops taking requests first, then lets in-flight work finish (the HTTP server drains its requests, the
    /// background loop ends its pass), then closes the link and the database.
    public func shutdown() async {
        await app.server.shutdown()
        await chatRelay.stop()
        try? await services.leaveChat()
        await background.stop()
        await link.shutdown()
        try? await simulator?.stop()
        try? await app.asyncShutdown()
    }
}

/// A loop run until stopped: a pass, a pause, again. A failed pass is logged and the loop goes on; `stop` waits
/// for the pass under way to finish.
final class RepeatingWork: Sendable {
    private let name: String
    private let pause: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ name: String, every pause: Duration) {
        self.name = name
        self.pause = pause
    }

    /// `pass` gets the pass number (0, 1, 2, …) for work done only every so many passes.
    func start(logger: Logger, _ pass: @escaping @Sendable (Int) async throws -> Void) {
        let name = self.name
        let pause = self.pause
        let loop = Task {
            var count = 0
            while !Task.isCancelled {
                do {
                    try await pass(count)
                } catch {
                    logger.error("\(name) failed", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                count += 1
                try? await Task.sleep(for: pause)
            }
        }
        task.withLock { $0 = loop }
    }

    func stop() async {
        let loop = task.withLock { current -> Task<Void, Never>? in
            defer { current = nil }
            return current
        }
        loop?.cancel()
        await loop?.value
    }
}

extension GatewayRuntime {
    /// Every second the due webhooks and waiting customer messages; every minute, payments a crash left in
    /// progress (another process's crash, on a shared database), card numbers past retention, expired idempotency
    /// records.
    static func backgroundPass(
        _ pass: Int, services: GatewayServices, configuration: ServerConfiguration, logger: Logger
    ) async throws {
        try await services.deliverDueWebhooks(logger: logger)
        try await services.sendPendingMessages(logger: logger)
        guard pass % 60 == 0 else { return }
        if try await services.recoverStalePayments(logger: logger, staleAfter: configuration.recoverAfterSeconds) > 0 {
            await services.link.retryPendingReversals()
        }
        try await services.shredExpiredCardRecords(retentionDays: configuration.cardRetentionDays)
        try await services.purgeExpiredIdempotencyRecords()
    }

    /// Twice a second, messages other processes stored go to this process's chat sockets; every ten seconds, this
    /// process's sockets are marked as still open. A loop of its own, so a slow webhook endpoint never holds up a
    /// chat.
    static func chatPass(_ pass: Int, services: GatewayServices) async throws {
        try await services.relayChat()
        if pass % Int(ChatPresence.refreshSeconds * 2) == 0 { try await services.refreshChatPresence() }
    }
}

public struct GatewayStartError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
