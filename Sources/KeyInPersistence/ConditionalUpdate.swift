import FluentKit
import FluentPostgresDriver
import FluentSQL
import FluentSQLiteDriver
import Foundation

/// What the persistence layer refuses to work without.
package enum PersistenceError: Error, CustomStringConvertible {
    /// The configured driver does not speak SQL: conditional updates and grouped counts cannot run on it.
    case sqlRequired(driver: String)

    package var description: String {
        switch self {
        case .sqlRequired(let driver):
            "the database driver \(driver) does not speak SQL; KeyIn needs SQLite or PostgreSQL"
        }
    }
}

extension Database {
    /// This database as SQL. Every driver KeyIn configures speaks it, and start-up checks so
    /// (`requireSQL`); a driver that does not is an error here too, never a silent "nothing changed".
    package var sql: any SQLDatabase {
        get throws(PersistenceError) {
            guard let sql = self as? any SQLDatabase else {
                throw .sqlRequired(driver: String(describing: type(of: self)))
            }
            return sql
        }
    }

    /// Fails start-up, with a message that names the driver, when the database cannot run KeyIn's SQL.
    package func requireSQL() throws(PersistenceError) {
        _ = try sql
    }

    /// One conditional update (compare-and-set): `build` sets the new values and the conditions the row must still
    /// meet when the update runs. True when a row met them and was changed; false when another writer got there
    /// first (the row was settled, claimed or spent meanwhile). Every guarded write of KeyIn goes through here.
    package func compareAndSet(
        _ table: String, _ build: (SQLUpdateBuilder) -> SQLUpdateBuilder
    ) async throws -> Bool {
        try await !build(sql.update(table)).returning("id").all().isEmpty
    }
}

extension Database {
    /// A transaction run again when SQLite refuses it because another connection holds the write lock at that
    /// moment (an in-memory database shares its cache between connections and answers "locked" at once instead of
    /// waiting). Nothing of a refused attempt was written, so running it again is safe; every other error is thrown.
    package func transactionRetryingOnContention<T: Sendable>(
        _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        // Already inside one (a batch of the group-commit writer, or a caller's transaction): the body runs in it,
        // as Fluent runs a nested transaction, without a task of its own.
        if inTransaction { return try await body(self) }
        var attempt = 0
        while true {
            do {
                if let groupCommit = self as? GroupCommitDatabase {
                    return try await groupCommit.writerTransaction(body)
                }
                return try await transaction(body)
            } catch let error as SQLiteError where Self.isContention(error) && attempt < Self.contentionRetries {
                attempt += 1
                // A moment for the holder to commit; longer each time.
                try await Task.sleep(for: .milliseconds(min(attempt, 20)))
            }
        }
    }

    static var contentionRetries: Int { 200 }

    static func isContention(_ error: SQLiteError) -> Bool {
        switch error.reason {
        case .busy, .locked, .lockedBySharedCache, .busyTimeout: true
        default: false
        }
    }
}

/// What kind of database failure an error is, safe to log: SQLite's result code or PostgreSQL's SQLSTATE, never the
/// message, which can quote the values a statement was given.
package enum DatabaseFailure {
    package static func kind(of error: any Error) -> String {
        if let sqlite = error as? SQLiteError { return "SQLite \(sqlite.reason)" }
        if let postgres = error as? PSQLError {
            return "PostgreSQL \(postgres.serverInfo?[.sqlState] ?? "\(postgres.code)")"
        }
        if let database = error as? any DatabaseError {
            if database.isConstraintFailure { return "constraint" }
            if database.isConnectionClosed { return "connection closed" }
        }
        return String(describing: type(of: error))
    }
}
