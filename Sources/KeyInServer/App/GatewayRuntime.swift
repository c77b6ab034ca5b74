import CardNetworkLink
import CardVault
import Foundation
import IssuerSimulator
import Logging
import Vapor

/// A running gateway: the Vapor application, the link, the embedded simulator when no hosts are configured.
public struct GatewayRuntime: Sendable {
    let app: Application
    public let link: CardNetworkLink
    public let services: GatewayServices
    let simulator: IssuerServer?
    let configuration: ServerConfiguration
    /// The demo merchant's test secret key, when this start created it.
    public let demoSecretKey: String?

    /// Opens the database (migrating it), starts the link (and the simulator when no hosts are configured),
    /// settles payments a crash left behind, and creates the demo merchant on first start.
    public static func start(_ configuration: ServerConfiguration, createDemoMerchant: Bool = true) async throws
        -> GatewayRuntime
    {
        let app = try await Application.make(Environment(name: "production", arguments: ["keyin"]))
        var simulator: IssuerServer?
        var hosts = configuration.issuerHosts ?? [:]
        if configuration.issuerHosts == nil {
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
                vault: CardVault(current: configuration.masterKey, previous: configuration.previousMasterKeys))
        } catch {
            try? await simulator?.stop()
            try? await app.asyncShutdown()
            throw GatewayStartError(reason: "cannot open the database (\(String(describing: type(of: error))))")
        }
        await link.start()
        if try await services.recoverStalePayments(logger: app.logger, staleAfter: configuration.recoverAfterSeconds)
            > 0
        {
            // Send the reversals now, before taking new payments.
            await link.retryPendingReversals()
        }
        var demoKey: String?
        if createDemoMerchant, try await services.merchantCount() == 0 {
            demoKey = try await services.createMerchant(name: "데모 상점", live: false).secretKey
        }
        return GatewayRuntime(
            app: app, link: link, services: services, simulator: simulator, configuration: configuration,
            demoSecretKey: demoKey)
    }

    /// Starts answering HTTP on the configured address.
    public func startHTTP() async throws {
        app.http.server.configuration.hostname = configuration.hostname
        app.http.server.configuration.port = configuration.port
        try await app.server.start(address: .hostname(configuration.hostname, port: configuration.port))
    }

    public func shutdown() async {
        await app.server.shutdown()
        await link.shutdown()
        try? await simulator?.stop()
        try? await app.asyncShutdown()
    }
}

public struct GatewayStartError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
