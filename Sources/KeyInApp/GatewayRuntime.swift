import CardNetworkLink
import CardVault
import CardholderAuthentication
import Foundation
import KeyInAPI
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import KeyInSupport
import Logging
import ServiceLifecycle
import Vapor

/// A running gateway: the Vapor application with its database, the card-network link, and the services that do
/// its long-running work.
package final class GatewayRuntime: Sendable {
    package let app: Application
    package let links: CardNetworkLinks
    package let services: GatewayServices
    package let configuration: ServerConfiguration
    /// The demo merchant's test secret key, when this start created it.
    package let demoSecretKey: String?
    /// The demo merchant's console sign-in (e-mail, password), when this start created it.
    package let demoConsoleLogin: (email: String, password: String)?

    /// What the process is for: `serve` takes payments; `administer` (migrate, merchant, keys) only needs the
    /// database, so it connects to no card company.
    package enum Purpose: Sendable {
        case serve
        case administer
    }

    package init(
        app: Application, links: CardNetworkLinks, services: GatewayServices, configuration: ServerConfiguration,
        demoSecretKey: String?, demoConsoleLogin: (email: String, password: String)?
    ) {
        self.app = app
        self.links = links
        self.services = services
        self.configuration = configuration
        self.demoSecretKey = demoSecretKey
        self.demoConsoleLogin = demoConsoleLogin
    }

    /// Opens the database (migrating it); to serve, also connects the links, settles payments a crash left behind,
    /// and, on the embedded defaults only, creates the test-only demo merchant on the first start. `embeddedIssuer`
    /// is where the built-in simulator listens: every test payment goes there, on every deployment. Live payments go
    /// to the configured card-company hosts, when there are any.
    /// `embeddedAccessControl` is the built-in simulator's 3-D Secure server: the client test payments are
    /// authenticated with, and its pages, which the gateway serves for it. Live payments are authenticated by the
    /// configured ACS (`KEYIN_ACS_URL`), when there is one.
    package static func start(
        _ configuration: ServerConfiguration, purpose: Purpose = .serve,
        embeddedIssuer: LinkConfiguration.HostAddress? = nil,
        embeddedAccessControl: (client: AuthenticationClient, pages: AuthenticationClient.Transport)? = nil
    ) async throws -> GatewayRuntime {
        let masterKey = try configuration.prepareEmbeddedStart()
        let app = try await Application.make(Environment(name: "production", arguments: ["keyin"]))
        // One STAN sequence for both links: a reversal's answer is matched to its original by STAN.
        let stans = STANGenerator()
        func link(to hosts: [String: LinkConfiguration.HostAddress], mode: PaymentMode) -> CardNetworkLink {
            var linkConfiguration = LinkConfiguration(hosts: hosts)
            linkConfiguration.responseTimeout = configuration.linkResponseTimeout
            return CardNetworkLink(
                configuration: linkConfiguration, store: GatewayServices.reversalStore(app, mode: mode),
                stans: stans, logger: app.logger)
        }
        let links = CardNetworkLinks(
            test: link(to: embeddedIssuer.map { [LinkConfiguration.defaultHostKey: $0] } ?? [:], mode: .test),
            live: configuration.issuerHosts.map { link(to: $0, mode: .live) })
        let services: GatewayServices
        do {
            services = try await configure(
                app, storage: configuration.storage, links: links,
                vault: CardVault(current: masterKey, previous: configuration.previousMasterKeys),
                publicBaseURL: configuration.publicBaseURL,
                allowInternalWebhookTargets: configuration.allowInternalWebhookTargets,
                webhookPorts: configuration.webhookPorts, trustedProxies: configuration.trustedProxies,
                authenticators: CardholderAuthenticators(
                    test: embeddedAccessControl?.client,
                    live: configuration.accessControl.map {
                        AuthenticationClient(
                            sharedKey: $0.signingKey, transport: HTTPAuthenticationTransport.make(baseURL: $0.url))
                    }, testPages: embeddedAccessControl?.pages))
        } catch {
            try? await app.asyncShutdown()
            throw GatewayStartError(reason: "cannot open the database (\(String(describing: type(of: error))))")
        }
        var demoKey: String?
        var demoLogin: (email: String, password: String)?
        if purpose == .serve {
            await links.start()
            // Known as alive before it settles what others left, so no process takes this one's work for a dead one's.
            try await services.heartbeat()
            if try await services.recoverStalePayments(
                logger: app.logger, staleAfter: configuration.recoverAfterSeconds) > 0
            {
                // Send the reversals now, before taking new payments.
                await links.retryPendingReversals()
            }
            // Challenges answered, or run out, while no process was serving.
            try await services.payments(app.logger).settleWaitingAuthentications()
            // A deployment that names its card companies never gets a demo merchant.
            if configuration.isEmbedded, try await services.merchantCount() == 0 {
                let demo = try await services.createMerchant(name: "데모 상점", live: false, testOnly: true)
                demoKey = demo.secretKey
                let login = (email: "owner@demo.keyin.local", password: SecretToken.random(bytes: 8))
                try await services.createStaff(
                    merchantID: demo.id, email: login.email, password: login.password, owner: true)
                demoLogin = login
            }
        }
        return GatewayRuntime(
            app: app, links: links, services: services, configuration: configuration, demoSecretKey: demoKey,
            demoConsoleLogin: demoLogin)
    }

    /// Serves until SIGTERM or SIGINT, then drains: the services start in the order `GatewayServiceList.serving`
    /// gives and stop in reverse, so HTTP stops taking requests first and finishes those in flight, the background
    /// work ends its pass, and the card-network link closes last; then the database. `leading` services (the
    /// built-in simulator) start before all of them and stop after. `onListening` runs once HTTP answers, with its port.
    package func serve(leading: [any Service] = [], onListening: @escaping @Sendable (Int) -> Void = { _ in })
        async throws
    {
        let list = GatewayServiceList.serving(self, onListening: onListening)
        var group = ServiceGroupConfiguration(
            services: (leading + list).map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger)
        // Long enough for a payment in flight to hear from its card company (or time out and be reversed).
        group.maximumGracefulShutdownDuration = configuration.linkResponseTimeout + .seconds(30)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Closes the link and the database, for a runtime that never served (the administrative commands).
    package func shutdown() async {
        await links.shutdown()
        try? await app.asyncShutdown()
    }
}

package struct GatewayStartError: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}
