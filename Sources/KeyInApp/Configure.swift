import CardNetworkLink
import CardVault
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import KeyInAPI
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import KeyInSupport
import Logging
import Vapor

/// Wires KeyIn into a Vapor application: database, migrations, middleware, routes. Production (`keyin serve`)
/// and tests call the same function.
package func configure(
    _ app: Application, storage: ServerConfiguration.Storage, links: CardNetworkLinks, vault: CardVault,
    publicBaseURL: String = "http://127.0.0.1:8080", messageSender: any MessageSender = RecordingMessageSender(),
    allowInternalWebhookTargets: Bool = false, webhookPorts: Set<Int>? = WebhookTargetPolicy.standardPorts,
    trustedProxies: TrustedProxies = TrustedProxies(addresses: []),
    authenticators: CardholderAuthenticators = CardholderAuthenticators(),
    now: @escaping @Sendable () -> Date = { Date() }
) async throws -> GatewayServices {
    if storage.isSQLite {
        // SQLite calls block a thread of the application's pool, and SQLiteNIO answers a locked database by
        // retrying at once, forever: a connection waiting for another's write transaction spins on its thread. On
        // the process-wide default pool (one thread per core, shared by every application in the process) two
        // such waiters can take every thread, and the transaction they wait for can then never finish. A pool of
        // this gateway's own, with a thread more than its connections (one per event loop), always leaves the
        // lock holder a thread.
        app.threadPool = NIOThreadPool(numberOfThreads: System.coreCount + 2)
    }
    switch storage {
    case .sqliteFile, .sqliteInMemory: try await SQLiteStorage.configure(app, storage: storage)
    case .postgres(let url, let connections):
        try app.databases.use(.postgres(url: url, maxConnectionsPerEventLoop: connections), as: .psql, isDefault: true)
    }
    // Conditional updates and grouped counts are SQL: a driver without it stops start-up here, by name.
    try app.db.requireSQL()
    app.migrations.add(Migrations.all(existingRowsMode: links.isLive ? .live : .test))
    if case .postgres(let url, _) = storage {
        try await MigrationLock.withLock(postgresURL: url, logger: app.logger) { try await app.autoMigrate() }
    } else {
        try await app.autoMigrate()
    }

    app.gatewayClock = now
    app.trustedProxies = trustedProxies
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(CatalogErrorMiddleware(routes: app.routes))
    let targets = WebhookTargetPolicy(allowInternal: allowInternalWebhookTargets, allowedPorts: webhookPorts)
    var services = GatewayServices(
        links: links, vault: vault, validator: CardEntryValidator(now: now), now: now,
        stores: { [app] in Stores(database: app.gatewayDatabase) },
        webhookSender: HTTPWebhookSender(targets: targets, eventLoopGroup: app.eventLoopGroup), webhookTargets: targets,
        messageSender: messageSender,
        publicBaseURL: publicBaseURL)
    services.passwordHashing = PasswordHashing(pool: app.threadPool)
    services.authenticators = authenticators
    app.get("openapi.yaml", use: OpenAPIDocument.serve)
    let v1 = app.grouped("v1").grouped(MerchantAuthenticator(services: services))
    try v1.register(collection: PaymentsController(services: services))
    try v1.register(collection: WebhooksController(services: services))
    try v1.register(collection: PaymentLinksController(services: services))
    try app.register(collection: PagesController(services: services))
    try app.register(collection: AuthenticationPages(services: services))
    try app.register(collection: ConsoleController(services: services))
    try app.register(collection: SupportController(services: services))
    try app.register(collection: ChatController(services: services, hub: services.chatHub))
    return services
}

extension GatewayServices {
    /// The pending-reversal store the link of `mode` should use: the gateway's database, that mode's reversals.
    package static func reversalStore(
        _ app: Application, mode: PaymentMode, now: @escaping @Sendable () -> Date = { Date() }
    ) -> any PendingReversalStore {
        DatabaseReversalStore(databaseProvider: { [app] in app.gatewayDatabase }, mode: mode, now: now)
    }
}
