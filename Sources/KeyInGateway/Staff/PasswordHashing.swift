import Foundation
import Vapor

/// bcrypt, run on a thread pool: one hash or check takes tens of milliseconds of CPU, which must not hold an event
/// loop or one of the few threads Swift concurrency runs every request on (on 2 cores, two sign-ins at once would
/// stall the whole gateway).
package struct PasswordHashing: Sendable {
    /// Nil runs the work where it is called (tools that sign nobody in).
    let pool: NIOThreadPool?
    static let cost = 10

    package init(pool: NIOThreadPool?) {
        self.pool = pool
    }

    package func hash(_ password: String) async throws -> String {
        try await run { try Bcrypt.hash(password, cost: Self.cost) }
    }

    /// Whether `password` is the one `hash` was made from; a malformed hash is simply not a match.
    package func verify(_ password: String, against hash: String) async -> Bool {
        (try? await run { try Bcrypt.verify(password, created: hash) }) ?? false
    }

    private func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        guard let pool else { return try work() }
        return try await pool.runIfActive(work)
    }
}
