import CardNetworkLink
import CardVault
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import KeyInCore
import Logging
import Vapor

/// What the routes share: the card-network link, the vault, the card-entry validator, the clock.
public struct GatewayServices: Sendable {
    public let link: CardNetworkLink
    public let vault: CardVault
    public let validator: CardEntryValidator
    public let now: @Sendable () -> Date
    let database: @Sendable () -> any Database

    func payments(_ logger: Logger) -> PaymentService {
        PaymentService(database: database(), link: link, vault: vault, validator: validator, logger: logger, now: now)
    }

    func cancels(_ logger: Logger) -> CancelService {
        CancelService(
            database: database(), link: link, vault: vault, payments: payments(logger), logger: logger, now: now)
    }
}

/// Wires KeyIn into a Vapor application: database, migrations, middleware, routes. Production (`keyin serve`)
/// and tests call the same function.
public func configure(
    _ app: Application, storage: ServerConfiguration.Storage, link: CardNetworkLink, vault: CardVault,
    now: @escaping @Sendable () -> Date = { Date() }
) async throws -> GatewayServices {
    switch storage {
    case .sqliteFile(let path): app.databases.use(.sqlite(.file(path)), as: .sqlite, isDefault: true)
    case .sqliteInMemory: app.databases.use(.sqlite(.memory), as: .sqlite, isDefault: true)
    case .postgres(let url): try app.databases.use(.postgres(url: url), as: .psql, isDefault: true)
    }
    app.migrations.add(Migrations.all)
    try await app.autoMigrate()

    app.middleware = Middlewares()
    app.middleware.use(CatalogErrorMiddleware())
    let database: @Sendable () -> any Database = { [app] in app.db }
    let services = GatewayServices(
        link: link, vault: vault, validator: CardEntryValidator(now: now), now: now, database: database)
    let v1 = app.grouped("v1").grouped(MerchantAuthenticator())
    try v1.register(collection: PaymentsController(services: services))
    return services
}

extension GatewayServices {
    /// Reverses and aborts payments a crash left IN_PROGRESS (older than `staleAfter` seconds).
    public func recoverStalePayments(logger: Logger, staleAfter: TimeInterval) async throws -> Int {
        try await PaymentRecovery(
            database: database(), link: link, payments: payments(logger), logger: logger, staleAfter: staleAfter
        ).settleStalePayments(now: now())
    }

    /// The pending-reversal store the link should use: the gateway's database.
    public static func reversalStore(_ app: Application) -> any PendingReversalStore {
        DatabaseReversalStore(databaseProvider: { [app] in app.db })
    }

    /// Creates a merchant with a secret key (shown once).
    public func createMerchant(name: String, live: Bool) async throws -> (id: UUID, secretKey: String) {
        let created = try await MerchantAccounts(database: database()).create(name: name, mode: live ? .live : .test)
        return (created.merchantID, created.secretKey)
    }

    public func merchantCount() async throws -> Int {
        try await MerchantModel.query(on: database()).count()
    }
}

extension GatewayServices {
    /// Re-wraps every card record's data key with the current master key (`keyin keys rotate`). Returns how many
    /// records changed; records already under the current key are left as they are.
    public func rewrapCardRecords() async throws -> Int {
        let database = database()
        var changed = 0
        for record in try await CardRecordModel.query(on: database).filter(\.$masterKeyID != vault.current.id).all() {
            let sealed = SealedCard(
                ciphertext: record.ciphertext, wrappedDataKey: record.wrappedDataKey, masterKeyID: record.masterKeyID)
            let rewrapped = try vault.rewrap(sealed)
            record.wrappedDataKey = rewrapped.wrappedDataKey
            record.masterKeyID = rewrapped.masterKeyID
            try await record.update(on: database)
            changed += 1
        }
        return changed
    }
}
