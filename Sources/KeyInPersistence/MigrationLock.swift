import FluentPostgresDriver
import Foundation
import Logging

/// Several `keyin serve` processes may start at once on one PostgreSQL database; without a lock they would race
/// to create the same tables. A session-level advisory lock, held on a connection of its own (not one from the
/// pool the migrations use), lets one process migrate while the others wait, then find nothing left to do.
package enum MigrationLock {
    /// An arbitrary constant: the lock's name among the database's advisory locks.
    static let key: Int64 = 0x4B_6579_496E  // "KeyIn"

    package static func withLock<T: Sendable>(
        postgresURL url: String, logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger)
            let result: T
            do {
                result = try await body()
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
