import CardNetworkLink
import CardVault
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import KeyInCore
import KeyInPersistence
import Logging
import Vapor

/// What the routes share: the card-network link, the vault, the card-entry validator, the clock.
public struct GatewayServices: Sendable {
    public let link: CardNetworkLink
    public let vault: CardVault
    public let validator: CardEntryValidator
    public let now: @Sendable () -> Date
    let database: @Sendable () -> any Database
    let webhookSender: any WebhookSender
    let webhookTargets: WebhookTargetPolicy
    let messageSender: any MessageSender
    /// Where customers reach this gateway (payment links, receipts), without a trailing slash.
    let publicBaseURL: String
    /// Live chat connections in this process.
    let chatHub = ChatHub()

    func payments(_ logger: Logger) -> PaymentService {
        PaymentService(
            store: stores.payments, idempotency: stores.idempotency, link: link,
            vault: vault, validator: validator, logger: logger, now: now)
    }

    /// The stores, over the gateway's database.
    var stores: Stores { Stores(database: database()) }

    /// The `Idempotency-Key` rules, for a request.
    func idempotency(_ request: Request) -> IdempotencyGuard {
        IdempotencyGuard(store: stores.idempotency, vault: vault, now: now)
    }

    /// The one way a key-in payment is taken: the API, the hosted page and the virtual terminal.
    var checkout: Checkout { Checkout(services: self) }

    func merchants() -> MerchantStore {
        stores.merchants
    }

    func paymentLinks() -> PaymentLinkService {
        PaymentLinkService(store: stores.paymentLinks, now: now)
    }

    func paymentLinkMessenger(_ logger: Logger) -> PaymentLinkMessenger {
        PaymentLinkMessenger(merchants: merchants(), outbox: messages(logger), publicBaseURL: publicBaseURL)
    }

    func chatPresence() -> ChatPresence {
        ChatPresence(store: stores.chatPresence, now: now)
    }

    /// Delivers chat messages other processes stored to the sockets open here; see `ChatRelay`.
    @discardableResult
    public func relayChat() async throws -> Int {
        try await ChatRelay(store: stores.support, hub: chatHub, now: now).pass()
    }

    /// Tells the other processes this one's chat sockets are still open (and forgets long-dead processes' rows),
    /// and closes staff sockets whose console session has ended.
    public func refreshChatPresence() async throws {
        let listedAt = now()
        try await chatPresence().refresh(
            processID: chatHub.processID, open: await chatHub.openConnections, listedAt: listedAt)
        let sessions = await chatHub.staffSessions
        guard !sessions.isEmpty else { return }
        let live = try await stores.staff.liveSessions(among: sessions, at: now())
        await chatHub.closeStaff(sessionsEnded: sessions.subtracting(live))
    }

    /// At shutdown: this process's chat sockets no longer count as online.
    public func leaveChat() async throws {
        try await chatPresence().leaveAll(processID: chatHub.processID)
    }

    func webhookEndpoints() -> WebhookEndpoints {
        WebhookEndpoints(store: stores.webhooks, vault: vault, now: now, targets: webhookTargets)
    }

    func staff() -> StaffAccounts {
        StaffAccounts(store: stores.staff, now: now)
    }

    /// Adds a console sign-in for a merchant (`owner` sees everything, API keys included; `staff` the rest).
    public func createStaff(merchantID: UUID, email: String, password: String, owner: Bool) async throws {
        _ = try await staff().create(
            merchantID: merchantID, email: email, password: password, role: owner ? .owner : .staff)
    }

    /// Sets a member's password from the command line (like a reset). False when no account has that e-mail.
    public func setStaffPassword(email: String, password: String) async throws -> Bool {
        try await staff().setPassword(email: email, password: password)
    }

    func support(_ logger: Logger) -> SupportService {
        SupportService(
            store: stores.support, payments: stores.payments,
            merchants: stores.merchants, messages: messages(logger), now: now)
    }

    func chat(_ logger: Logger) -> ChatService {
        ChatService(store: stores.support, support: support(logger), now: now)
    }

    func messages(_ logger: Logger) -> MessageOutbox {
        MessageOutbox(store: stores.messages, sender: messageSender, logger: logger, now: now)
    }

    /// Hands waiting customer messages (payment links by SMS, KakaoTalk, e-mail) to the sender.
    @discardableResult
    public func sendPendingMessages(logger: Logger) async throws -> Int {
        try await messages(logger).sendPending()
    }

    func webhooks(_ logger: Logger) -> WebhookDispatcher {
        WebhookDispatcher(
            store: stores.webhooks, vault: vault, sender: webhookSender, logger: logger, now: now)
    }

    /// Sends every webhook delivery that is due; the runtime calls it every second, tests when they choose.
    @discardableResult
    public func deliverDueWebhooks(logger: Logger) async throws -> Int {
        try await webhooks(logger).deliverDue()
    }

    func cancels(_ logger: Logger) -> CancelService {
        CancelService(
            payments: stores.payments, cancels: stores.cancels, link: link,
            vault: vault, logger: logger, now: now)
    }
}

/// Wires KeyIn into a Vapor application: database, migrations, middleware, routes. Production (`keyin serve`)
/// and tests call the same function.
public func configure(
    _ app: Application, storage: ServerConfiguration.Storage, link: CardNetworkLink, vault: CardVault,
    publicBaseURL: String = "http://127.0.0.1:8080", messageSender: any MessageSender = RecordingMessageSender(),
    allowInternalWebhookTargets: Bool = false, now: @escaping @Sendable () -> Date = { Date() }
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
    case .sqliteFile(let path): app.databases.use(.sqlite(.file(path)), as: .sqlite, isDefault: true)
    case .sqliteInMemory: app.databases.use(.sqlite(.memory), as: .sqlite, isDefault: true)
    case .postgres(let url): try app.databases.use(.postgres(url: url), as: .psql, isDefault: true)
    }
    // Conditional updates and grouped counts are SQL: a driver without it stops start-up here, by name.
    try app.db.requireSQL()
    app.migrations.add(Migrations.all)
    if case .postgres(let url) = storage {
        try await MigrationLock.withLock(postgresURL: url, logger: app.logger) { try await app.autoMigrate() }
    } else {
        try await app.autoMigrate()
    }

    app.gatewayClock = now
    app.middleware = Middlewares()
    app.middleware.use(CatalogErrorMiddleware())
    let database: @Sendable () -> any Database = { [app] in app.db }
    // Webhook requests: no redirects followed, short connect timeout (the sender adds a per-request deadline).
    app.http.client.configuration.redirectConfiguration = .disallow
    app.http.client.configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
    let targets = WebhookTargetPolicy(allowInternal: allowInternalWebhookTargets)
    let services = GatewayServices(
        link: link, vault: vault, validator: CardEntryValidator(now: now), now: now, database: database,
        webhookSender: HTTPWebhookSender(client: app.client, targets: targets), webhookTargets: targets,
        messageSender: messageSender,
        publicBaseURL: publicBaseURL)
    app.get("openapi.yaml", use: OpenAPIDocument.serve)
    let v1 = app.grouped("v1").grouped(MerchantAuthenticator(services: services))
    try v1.register(collection: PaymentsController(services: services))
    try v1.register(collection: WebhooksController(services: services))
    try v1.register(collection: PaymentLinksController(services: services))
    try app.register(collection: PagesController(services: services))
    try app.register(collection: ConsoleController(services: services))
    try app.register(collection: SupportController(services: services))
    try app.register(collection: ChatController(services: services, hub: services.chatHub))
    return services
}

extension GatewayServices {
    /// Reverses and aborts payments a crash left IN_PROGRESS (older than `staleAfter` seconds).
    public func recoverStalePayments(logger: Logger, staleAfter: TimeInterval) async throws -> Int {
        try await PaymentRecovery(link: link, payments: payments(logger), logger: logger, staleAfter: staleAfter)
            .settleStalePayments(now: now())
    }

    /// The pending-reversal store the link should use: the gateway's database.
    public static func reversalStore(
        _ app: Application, now: @escaping @Sendable () -> Date = { Date() }
    ) -> any PendingReversalStore {
        DatabaseReversalStore(databaseProvider: { [app] in app.db }, now: now)
    }

    /// Creates a merchant with a secret key (shown once).
    public func createMerchant(name: String, live: Bool) async throws -> (id: UUID, secretKey: String) {
        let created = try await MerchantAccounts(store: merchants()).create(name: name, mode: live ? .live : .test)
        return (created.merchantID, created.secretKey)
    }

    /// Issues a new secret key for a merchant and revokes its other keys of that mode after `graceSeconds`.
    /// Returns nil when there is no such merchant.
    public func rotateMerchantKey(merchantID: UUID, live: Bool, graceSeconds: TimeInterval) async throws -> String? {
        guard try await merchants().merchant(id: merchantID) != nil else { return nil }
        return try await MerchantAccounts(store: merchants()).issueKey(
            for: merchantID, mode: live ? .live : .test, revokingOthersAfter: now().addingTimeInterval(graceSeconds))
    }

    public func merchantExists(_ id: UUID) async throws -> Bool {
        try await merchants().merchant(id: id) != nil
    }

    public func merchantCount() async throws -> Int {
        try await merchants().count()
    }
}

extension GatewayServices {
    /// Re-wraps every sealed record's data key (card numbers, webhook secrets) with the current master key
    /// (`keyin keys rotate`). Returns how many records changed; records already under the current key are left.
    public func rewrapCardRecords() async throws -> Int {
        try await stores.sealedRecords.rewrapAll(notUnder: vault.current.id) {
            try vault.rewrap($0)
        }
    }
}

extension GatewayServices {
    /// Destroys the card numbers of payments older than the retention period (crypto-shredding: the row holds
    /// the only wrapped copy of the data key). Returns how many were destroyed.
    @discardableResult
    public func shredExpiredCardRecords(retentionDays: Int) async throws -> Int {
        try await stores.payments.shredCards(
            createdBefore: now().addingTimeInterval(-Double(retentionDays) * 86_400))
    }

    /// Forgets idempotency records past their retention.
    @discardableResult
    public func purgeExpiredIdempotencyRecords() async throws -> Int {
        try await stores.idempotency.purge(expiredBefore: now())
    }
}
