import Fluent
import FluentSQLiteDriver
import Foundation
import KeyInGateway
import KeyInPersistence
import Vapor

/// The embedded database: one SQLite file in WAL mode with `synchronous=FULL`, read through the application's
/// pool and written by one `GroupCommitWriter` on a connection of its own.
///
/// WAL keeps readers and the writer out of each other's way, and with `synchronous=FULL` a commit returns only
/// once the WAL is fsynced: a payment row is on disk before the card company hears of it, and its outcome before
/// the answer. (`NORMAL` would fsync only at checkpoints, and a power cut could lose committed payments.)
package enum SQLiteStorage {
    /// The settings every connection of the gateway's SQLite database runs with.
    /// (`temp_store` keeps the statement journals of a batch's savepoints in memory: they only serve a rollback
    /// within the transaction, and a file for each cost a create and writes.)
    static let durability = ["PRAGMA synchronous = FULL", "PRAGMA busy_timeout = 10000", "PRAGMA temp_store = MEMORY"]

    /// Configures `app`'s database on `storage` and starts its writer, before anything is migrated.
    static func configure(_ app: Application, storage: ServerConfiguration.Storage) async throws {
        let configuration: SQLiteConfiguration
        switch storage {
        case .sqliteFile(let path): configuration = SQLiteConfiguration(storage: .file(path: path))
        // A file in the temporary folder under the hood (SQLiteKit's way of sharing "memory" between
        // connections), so the same WAL and writer apply.
        case .sqliteInMemory: configuration = SQLiteConfiguration(storage: .memory)
        case .postgres: return
        }
        app.databases.use(.sqlite(configuration), as: .sqlite, isDefault: true)

        // The writer's own `Databases` on one event loop: its pool holds exactly one connection.
        let writerDatabases = Databases(threadPool: app.threadPool, on: app.eventLoopGroup.next())
        writerDatabases.use(.sqlite(configuration), as: .sqlite, isDefault: true)
        app.lifecycle.use(WriterShutdown(databases: writerDatabases))
        guard let connection = writerDatabases.database(logger: app.logger, on: writerDatabases.eventLoopGroup.next())
        else { throw GatewayStartError(reason: "the SQLite writer's database is not configured") }
        // Persistent in the file: every later connection opens it in WAL mode.
        try await connection.sql.raw("PRAGMA journal_mode = WAL").run()
        for pragma in durability { try await connection.sql.raw(SQLQueryString(pragma)).run() }
        // The pool keeps one reading connection per event loop. It never writes, so it never waits for the lock;
        // should it, SQLite's own timeout sleeps where SQLiteNIO's handler would spin.
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let reader = app.databases.database(logger: app.logger, on: eventLoop) else { continue }
            for pragma in durability { try await reader.sql.raw(SQLQueryString(pragma)).run() }
        }
        app.storage[WriterKey.self] = GroupCommitWriter(connection: connection)
    }

    private struct WriterKey: StorageKey {
        typealias Value = GroupCommitWriter
    }

    package static func writer(of app: Application) -> GroupCommitWriter? { app.storage[WriterKey.self] }

    /// Closes the writer's connection with the application, before its thread pool stops.
    private struct WriterShutdown: LifecycleHandler {
        let databases: Databases
        func shutdownAsync(_ application: Application) async { await databases.shutdownAsync() }
    }
}

extension Application {
    /// The database the gateway's stores use: on SQLite, the pool for reads and the group-commit writer for
    /// every write; on PostgreSQL, Fluent's pool as it is.
    package var gatewayDatabase: any Database {
        guard let writer = SQLiteStorage.writer(of: self) else { return db }
        // Fluent's SQLite driver always speaks SQL (and start-up checks so with `requireSQL`).
        guard let pool = db as? any SQLSpeakingDatabase else { preconditionFailure("SQLite's pool speaks SQL") }
        return GroupCommitDatabase(base: pool, writer: writer)
    }
}
