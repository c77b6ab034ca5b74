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
    private let background = BackgroundWork()
    private let chatRelay = ChatRelayWork()

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
                publicBaseURL: configuration.publicBaseURL)
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
        background.start(services: services, configuration: configuration, logger: app.logger)
        chatRelay.start(services: services, logger: app.logger)
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

/// The loop behind a serving gateway: every second the due webhooks and waiting customer messages; every minute, payments a crash left in
/// progress (another process's crash, on a shared database), card numbers past retention, expired idempotency
/// records.
final class BackgroundWork: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(services: GatewayServices, configuration: ServerConfiguration, logger: Logger) {
        let loop = Task {
            var pass = 0
            while !Task.isCancelled {
                do {
                    try await services.deliverDueWebhooks(logger: logger)
                    try await services.sendPendingMessages(logger: logger)
                    if pass % 60 == 0 {
                        if try await services.recoverStalePayments(
                            logger: logger, staleAfter: configuration.recoverAfterSeconds) > 0
                        {
                            await services.link.retryPendingReversals()
                        }
                        try await services.shredExpiredCardRecords(retentionDays: configuration.cardRetentionDays)
                        try await services.purgeExpiredIdempotencyRecords()
                    }
                } catch {
                    logger.error(
                        "background work failed", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                pass += 1
                try? await Task.sleep(for: .seconds(1))
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

/// The loop that keeps live chat whole across processes: twice a second, messages other processes stored go to
/// this process's sockets; every ten seconds, this process's sockets are marked as still open. Apart from
/// `BackgroundWork`, so a slow webhook endpoint never holds up a chat.
final class ChatRelayWork: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(services: GatewayServices, logger: Logger) {
        let loop = Task {
            var lastRefresh = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    try await services.relayChat()
                    if ContinuousClock.now - lastRefresh >= .seconds(ChatPresence.refreshSeconds) {
                        try await services.refreshChatPresence()
                        lastRefresh = ContinuousClock.now
                    }
                } catch {
                    logger.error("chat relay failed", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                try? await Task.sleep(for: .milliseconds(500))
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

public struct GatewayStartError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
