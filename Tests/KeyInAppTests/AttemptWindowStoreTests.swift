import Foundation
import KeyInPersistence
import Testing

@Suite("Attempt windows: one count for every node on a database")
struct AttemptWindowStoreTests {
    static let databases = GatewayHarness.postgresURL == nil ? [false] : [false, true]

    @Test(
        "Attempts add up within the window, each subject and scope apart; old minutes fall out and are purged",
        arguments: databases)
    func windows(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let store = gateway.services.stores.attempts
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for offset in 0..<5 {
                _ = try await store.record(
                    scope: "test", subject: "10.0.0.1", at: start.addingTimeInterval(Double(offset * 30)),
                    windowSeconds: 600)
            }
            _ = try await store.record(scope: "test", subject: "10.0.0.2", at: start, windowSeconds: 600)
            _ = try await store.record(scope: "other", subject: "10.0.0.1", at: start, windowSeconds: 600)
            let now = start.addingTimeInterval(150)
            #expect(try await store.count(scope: "test", subject: "10.0.0.1", at: now, windowSeconds: 600) == 5)
            #expect(try await store.count(scope: "test", subject: "10.0.0.2", at: now, windowSeconds: 600) == 1)
            #expect(try await store.count(scope: "other", subject: "10.0.0.1", at: now, windowSeconds: 600) == 1)
            // Ten minutes on, the first minutes are out of a ten-minute window.
            let later = start.addingTimeInterval(600 + 61)
            #expect(try await store.count(scope: "test", subject: "10.0.0.1", at: later, windowSeconds: 600) == 1)
            // Fifty attempts at once are fifty: the increment is one statement.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 1...50 {
                    group.addTask {
                        _ = try await store.record(scope: "burst", subject: "x", at: start, windowSeconds: 60)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.count(scope: "burst", subject: "x", at: start, windowSeconds: 60) == 50)
            #expect(try await store.purge(before: later) > 0)
            #expect(try await store.count(scope: "burst", subject: "x", at: start, windowSeconds: 60) == 0)
        }
    }
}
