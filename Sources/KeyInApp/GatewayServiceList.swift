import CardNetworkLink
import Foundation
import KeyInAPI
import KeyInConsole
import KeyInGateway
import KeyInPages
import KeyInSupport
import Logging
import ServiceLifecycle
import Vapor

/// The gateway's long-running work, one `Service` each, in start order (they stop in reverse):
///
/// 1. the card-network link (connected at start-up for crash recovery; closed last, when nothing uses it),
/// 2. the heartbeat, every 2 s: this process is alive, and crash recovery settles what a silent or stale one left
///    (it stops after all below, and then says this process left: its work is finished),
/// 3. the sweeper, every minute: card-number retention, expired idempotency records and attempt windows,
/// 4. the webhook dispatcher and 5. the customer message outbox, every second,
/// 6. chat presence (every 10 s, and leaving the chat at shutdown) and 7. the chat relay (twice a second),
/// 8. the 3-D Secure sweep, every 10 s: payments whose cardholder answered the challenge but never came back are
///    completed from the card company's result, and those not answered in 10 minutes expire,
/// 9. HTTP, last to start and first to stop: it stops taking requests and finishes those in flight before the
///    background work ends.
package enum GatewayServiceList {
    package static func serving(_ runtime: GatewayRuntime, onListening: @escaping @Sendable (Int) -> Void)
        -> [any Service]
    {
        let services = runtime.services
        let configuration = runtime.configuration
        let logger = runtime.app.logger
        return [
            CardNetworkLinkService(links: runtime.links),
            PeriodicService(
                name: "heartbeat", every: ProcessHeartbeat.interval, logger: logger,
                work: {
                    try await services.heartbeat()
                    if try await services.recoverStalePayments(
                        logger: logger, staleAfter: configuration.recoverAfterSeconds) > 0
                    {
                        await services.links.retryPendingReversals()
                    }
                },
                atShutdown: { try await services.leaveProcesses() }),
            PeriodicService(name: "sweeper", every: .seconds(60), logger: logger) {
                try await services.shredExpiredCardRecords(retentionDays: configuration.cardRetentionDays)
                try await services.purgeExpiredIdempotencyRecords()
                try await services.purgeAttemptWindows()
            },
            PeriodicService(name: "webhook dispatcher", every: .seconds(1), logger: logger) {
                try await services.deliverDueWebhooks(logger: logger)
            },
            PeriodicService(name: "message outbox", every: .seconds(1), logger: logger) {
                try await services.sendPendingMessages(logger: logger)
            },
            PeriodicService(
                name: "chat presence", every: .seconds(ChatPresence.refreshSeconds), logger: logger,
                work: { try await services.refreshChatPresence() },
                // This process's chat sockets no longer count as online.
                atShutdown: { try await services.leaveChat() }),
            PeriodicService(name: "chat relay", every: .milliseconds(500), logger: logger) {
                try await services.relayChat()
            },
            PeriodicService(name: "3-D Secure sweep", every: .seconds(10), logger: logger) {
                try await services.payments(logger).settleWaitingAuthentications()
            },
            HTTPServerService(
                app: runtime.app, hostname: configuration.hostname, port: configuration.port, onListening: onListening),
        ]
    }
}

/// Work done again and again until the graceful shutdown: a pass, a pause, another pass. A failed pass is logged
/// and the next one comes; a shutdown during the pause ends it at once, during a pass once the pass is done.
package struct PeriodicService: Service {
    package let name: String
    package let interval: Duration
    package let logger: Logger
    package let work: @Sendable () async throws -> Void
    package let atShutdown: (@Sendable () async throws -> Void)?

    package init(
        name: String, every interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void,
        atShutdown: (@Sendable () async throws -> Void)? = nil
    ) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
        self.atShutdown = atShutdown
    }

    package func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await work()
            } catch {
                logger.error("\(name) failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        do {
            try await atShutdown?()
        } catch {
            logger.warning("\(name) did not finish its shutdown", metadata: ["error": "\(type(of: error))"])
        }
    }
}

/// The links' connections stay open while the gateway serves, and close when every other service has stopped.
package struct CardNetworkLinkService: Service {
    package let links: CardNetworkLinks

    package func run() async throws {
        try? await gracefulShutdown()
        await links.shutdown()
    }
}

/// Vapor's HTTP server as a service: listening from `run` until the graceful shutdown, then draining the requests
/// in flight.
package struct HTTPServerService: Service {
    package let app: Application
    package let hostname: String
    package let port: Int
    /// Given the port HTTP listens on: the one configured, or the one the system chose for port 0.
    package let onListening: @Sendable (Int) -> Void

    package func run() async throws {
        app.http.server.configuration.hostname = hostname
        app.http.server.configuration.port = port
        try await app.server.start(address: .hostname(hostname, port: port))
        onListening(app.http.server.shared.localAddress?.port ?? port)
        try? await gracefulShutdown()
        await app.server.shutdown()
    }
}
