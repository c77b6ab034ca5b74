import FluentKit
import FluentSQL
import Logging
import NIOCore

/// The gateway's SQLite database as the stores see it: reads go to the connection pool, and every write, a
/// transaction or a single statement, goes to the one `GroupCommitWriter`, so no two connections ever race for
/// SQLite's write lock. Inside a writer's batch it is the batch's transaction: a store's nested `transaction` runs
/// its body in place, as it would in any transaction.
package struct GroupCommitDatabase: Database, SQLDatabase {
    private let base: any Database
    private let sqlBase: any SQLDatabase
    /// Nil inside a batch: writes run on `base`, the writer's connection, in the batch's transaction.
    private let writer: GroupCommitWriter?

    /// The database of a gateway that writes through `writer`; `base` is SQLite's pool.
    package init(base: any SQLSpeakingDatabase, writer: GroupCommitWriter) {
        self.init(base: base, sql: base, writer: writer)
    }

    init(insideBatchOf connection: any SQLSpeakingDatabase) {
        self.init(base: connection, sql: connection, writer: nil)
    }

    private init(base: any Database, sql: any SQLDatabase, writer: GroupCommitWriter?) {
        self.base = base
        self.sqlBase = sql
        self.writer = writer
    }

    // MARK: Database

    package var context: DatabaseContext { base.context }
    package var inTransaction: Bool { writer == nil || base.inTransaction }

    package func execute(
        query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void
    ) -> EventLoopFuture<Void> {
        guard let writer, Self.writes(query) else { return base.execute(query: query, onOutput: onOutput) }
        return eventLoop.makeFutureWithTask {
            try await writer.statement { try await $0.execute(query: query, onOutput: onOutput) }
        }
    }

    package func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }

    package func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }

    package func transaction<T>(
        _ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        guard let writer else { return closure(self) }
        return eventLoop.makeFutureWithTask {
            // The batch carries the value through the writer's queue; the future's T is Sendable in practice
            // (Fluent's async `transaction` requires it), and the box does not outlive this call.
            let box = try await writer.transaction { database in UncheckedBox(value: try await closure(database).get())
            }
            return box.value
        }
    }

    /// A transaction straight to the writer, without the future and task Fluent's `transaction` goes through.
    func writerTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T
    {
        guard let writer else { return try await body(self) }
        return try await writer.transaction(body)
    }

    package func withConnection<T>(
        _ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        guard let writer else { return closure(self) }
        return base.withConnection { connection in
            guard let connection = connection as? any SQLSpeakingDatabase else {
                return connection.eventLoop.makeFailedFuture(
                    PersistenceError.sqlRequired(driver: "\(type(of: connection))"))
            }
            return closure(GroupCommitDatabase(base: connection, writer: writer))
        }
    }

    // MARK: SQLDatabase

    package var logger: Logger { base.logger }
    package var eventLoop: any EventLoop { base.eventLoop }
    package var dialect: any SQLDialect { sqlBase.dialect }
    package var version: (any SQLDatabaseReportedVersion)? { sqlBase.version }
    package var queryLogLevel: Logger.Level? { sqlBase.queryLogLevel }

    package func execute(
        sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        guard let writer, Self.writes(query) else { return sqlBase.execute(sql: query, onRow) }
        return eventLoop.makeFutureWithTask {
            try await writer.statement { try await $0.sql.execute(sql: query, onRow) }
        }
    }

    package func execute(
        sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) async throws {
        guard let writer, Self.writes(query) else { return try await sqlBase.execute(sql: query, onRow) }
        try await writer.statement { try await $0.sql.execute(sql: query, onRow) }
    }

    package func withSession<R>(
        _ closure: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        try await sqlBase.withSession(closure)
    }

    // MARK: What writes

    private static func writes(_ query: DatabaseQuery) -> Bool {
        switch query.action {
        case .create, .update, .delete, .custom: true
        case .read, .aggregate: false
        }
    }

    /// SQLKit's insert (upserts too), update and delete, and KeyIn's own row inserts. KeyIn's raw SQL outside
    /// migrations only reads.
    private static func writes(_ expression: any SQLExpression) -> Bool {
        expression is SQLInsert || expression is SQLUpdate || expression is SQLDelete || expression is RowInsert
    }
}

/// A Fluent database that also speaks SQL, as both of KeyIn's drivers do.
package typealias SQLSpeakingDatabase = Database & SQLDatabase

/// Carries a value of a generic type through the writer's `Sendable` queue.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
}
