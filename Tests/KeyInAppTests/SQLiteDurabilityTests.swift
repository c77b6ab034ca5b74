import Fluent
import FluentSQL
import Foundation
import KeyInApp
import KeyInPersistence
import Testing

/// The embedded database never trades durability for speed: WAL with `synchronous=FULL` on every connection, so a
/// commit is on disk when it returns; and the one writer that groups commits answers no job before the commit that
/// holds its writes.
@Suite("SQLite durability and group commit")
struct SQLiteDurabilityTests {
    @Test("The data file is in WAL mode and every connection, readers and the writer, fsyncs each commit")
    func durabilitySettings() async throws {
        try await GatewayHarness.with(onDisk: true) { gateway in
            let writer = try #require(SQLiteStorage.writer(of: gateway.app))
            let reader = try gateway.app.db.sql
            #expect(try await Self.pragma("journal_mode", on: reader) == "wal")
            // 2 is FULL: the WAL is fsynced at every commit (NORMAL, 1, would wait for a checkpoint).
            #expect(try await Self.pragma("synchronous", on: reader) == "2")
            for eventLoop in gateway.app.eventLoopGroup.makeIterator() {
                let loopReader = try #require(gateway.app.databases.database(logger: gateway.app.logger, on: eventLoop))
                #expect(try await Self.pragma("synchronous", on: try loopReader.sql) == "2")
            }
            let writerSettings = try await writer.transaction { database in
                [
                    try await Self.pragma("journal_mode", on: try database.sql),
                    try await Self.pragma("synchronous", on: try database.sql),
                ]
            }
            #expect(writerSettings == ["wal", "2"])
        }
    }

    @Test("Jobs that wait while a commit is under way share the next one; one that fails is rolled back alone")
    func groupCommit() async throws {
        try await GatewayHarness.with { gateway in
            let writer = try #require(SQLiteStorage.writer(of: gateway.app))
            try await gateway.app.db.sql.raw("CREATE TABLE group_commit_probe (n INTEGER NOT NULL)").run()
            let (started, signalStarted) = AsyncStream<Void>.makeStream()
            let (gate, openGate) = AsyncStream<Void>.makeStream()
            let commitsBefore = writer.commits

            // The first job holds the writer until the others are queued behind it.
            let first = Task {
                try await writer.transaction { database in
                    try await database.sql.raw("INSERT INTO group_commit_probe (n) VALUES (0)").run()
                    signalStarted.yield()
                    for await _ in gate { break }
                }
            }
            for await _ in started { break }
            let queued = (1...10).map { n in
                Task {
                    try await writer.transaction { database in
                        try await database.sql.raw("INSERT INTO group_commit_probe (n) VALUES (\(literal: n))").run()
                        if n == 7 { throw ProbeFailure() }
                    }
                }
            }
            // Each queued task is waiting once the writer holds eleven jobs; then the first may finish.
            // Polled with a pause, not a bare yield: a spinning task would hold one of the two cores the suite runs on.
            while writer.waitingJobs < 10 { try await Task.sleep(for: .milliseconds(1)) }
            openGate.yield()
            try await first.value
            var refused = 0
            for task in queued {
                do { try await task.value } catch is ProbeFailure { refused += 1 }
            }

            #expect(refused == 1)
            #expect(writer.commits - commitsBefore == 2)
            let rows = try await gateway.app.db.sql.raw("SELECT n FROM group_commit_probe ORDER BY n").all()
            #expect(try rows.map { try $0.decode(column: "n", as: Int.self) } == [0, 1, 2, 3, 4, 5, 6, 8, 9, 10])
        }
    }

    @Test("A job that writes through the gateway's database instead of its own transaction is refused, not hung")
    func writeInsideJobRefused() async throws {
        try await GatewayHarness.with { gateway in
            let writer = try #require(SQLiteStorage.writer(of: gateway.app))
            let database = gateway.app.gatewayDatabase
            await #expect(throws: GroupCommitError.self) {
                try await writer.transaction { _ in
                    try await database.transaction { _ in }
                }
            }
        }
    }

    private struct ProbeFailure: Error {}

    private static func pragma(_ name: String, on database: any SQLDatabase) async throws -> String {
        let row = try #require(try await database.raw("PRAGMA \(unsafeRaw: name)").first())
        let column = try #require(row.allColumns.first)
        if let text = try? row.decode(column: column, as: String.self) { return text }
        return String(try row.decode(column: column, as: Int.self))
    }
}
