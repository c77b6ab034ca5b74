import FluentKit
import FluentSQL
import Foundation
import Synchronization

/// The one writer of an SQLite database, committing many transactions at once.
///
/// SQLite lets one connection write at a time, and in WAL mode with `synchronous=FULL` every commit waits for one
/// fsync. Transactions that each took the write lock and fsynced in turn made payments queue behind the disk, and
/// connections waiting for the lock spun on their threads. Here every write transaction of the gateway is a job
/// for a single connection: jobs that arrive while a commit is under way wait and then run together, each in a
/// savepoint of one transaction, and one fsync makes all of them durable. A job that throws is rolled back to its
/// savepoint, alone; no caller hears back before the commit that holds its writes is on disk.
package final class GroupCommitWriter: Sendable {
    package typealias Work = @Sendable (any Database) async throws -> any Sendable

    private struct Job: Sendable {
        let work: Work
        /// One statement, which SQLite makes atomic by itself: alone in a batch it needs no transaction around it.
        let isSingleStatement: Bool
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct Queue {
        var waiting: [Job] = []
        var draining = false
        var commits = 0
    }

    /// The writer's own database: a pool of exactly one connection.
    private let connection: any Database
    /// At most this many jobs share a commit, so one batch never keeps the first of the next waiting long.
    private let maximumBatch: Int
    private let queue = Mutex(Queue())

    package init(connection: any Database, maximumBatch: Int = 256) {
        self.connection = connection
        self.maximumBatch = maximumBatch
    }

    /// True inside a job's work: its database is the batch's transaction, and starting another write from there
    /// would wait for the batch it is part of.
    @TaskLocal package static var isRunningJob = false

    /// Batches committed so far (each one fsync); with the number of jobs, how well writes are grouped.
    package var commits: Int { queue.withLock { $0.commits } }

    /// Jobs queued for the next batch, not yet running.
    package var waitingJobs: Int { queue.withLock { $0.waiting.count } }

    /// Runs `work` as one transaction, committed with whatever else is waiting; returns once it is durable.
    package func transaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        try await enqueue(work, isSingleStatement: false)
    }

    /// Runs one write statement, committed with whatever else is waiting; returns once it is durable.
    package func statement<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        try await enqueue(work, isSingleStatement: true)
    }

    private func enqueue<T: Sendable>(
        _ work: @escaping @Sendable (any Database) async throws -> T, isSingleStatement: Bool
    ) async throws -> T {
        guard !Self.isRunningJob else { throw GroupCommitError.writeInsideJob }
        let value = try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                work: { try await work($0) }, isSingleStatement: isSingleStatement, continuation: continuation)
            let startsDraining = queue.withLock { queue in
                queue.waiting.append(job)
                defer { queue.draining = true }
                return !queue.draining
            }
            if startsDraining { Task { await self.drain() } }
        }
        // The job's work returned a T; the box only carried it through the queue.
        return value as! T
    }

    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [Job] in
                guard !queue.waiting.isEmpty else {
                    queue.draining = false
                    return []
                }
                let batch = Array(queue.waiting.prefix(maximumBatch))
                queue.waiting.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            if batch.count == 1 { await commitAlone(batch[0]) } else { await commit(batch) }
        }
    }

    /// A job that found nobody to share its commit with: no savepoint, and a single statement not even a
    /// transaction of its own making.
    private func commitAlone(_ job: Job) async {
        do {
            let value = try await connection.withConnection { connection in
                guard let sql = connection as? any SQLSpeakingDatabase else {
                    throw PersistenceError.sqlRequired(driver: "\(type(of: connection))")
                }
                let inside = GroupCommitDatabase(insideBatchOf: sql)
                if job.isSingleStatement {
                    return try await Self.$isRunningJob.withValue(true) { try await job.work(inside) }
                }
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let value = try await Self.$isRunningJob.withValue(true) { try await job.work(inside) }
                    try await sql.raw("COMMIT").run()
                    return value
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
            queue.withLock { $0.commits += 1 }
            job.continuation.resume(returning: value)
        } catch {
            job.continuation.resume(throwing: error)
        }
    }

    private func commit(_ batch: [Job]) async {
        let outcomes = BatchOutcomes()
        do {
            try await connection.withConnection { connection in
                guard let sql = connection as? any SQLSpeakingDatabase else {
                    throw PersistenceError.sqlRequired(driver: "\(type(of: connection))")
                }
                let inside = GroupCommitDatabase(insideBatchOf: sql)
                // IMMEDIATE: the write lock is taken now, so no job finds it taken halfway through.
                try await sql.raw("BEGIN IMMEDIATE").run()
                for job in batch {
                    try await sql.raw("SAVEPOINT keyin_job").run()
                    do {
                        let value = try await Self.$isRunningJob.withValue(true) { try await job.work(inside) }
                        try await sql.raw("RELEASE keyin_job").run()
                        outcomes.results.append(.success(value))
                    } catch {
                        // Throws when the error already ended the whole transaction: then the batch fails.
                        try await sql.raw("ROLLBACK TO keyin_job").run()
                        try await sql.raw("RELEASE keyin_job").run()
                        outcomes.results.append(.failure(error))
                    }
                }
                try await sql.raw("COMMIT").run()
            }
            queue.withLock { $0.commits += 1 }
        } catch {
            // Nothing of the batch was committed: every job that had succeeded, and every one not yet run, hears
            // the batch's error; a job that failed on its own keeps its own.
            if let sql = try? connection.sql { try? await sql.raw("ROLLBACK").run() }
            outcomes.results = batch.indices.map { index in
                if index < outcomes.results.count, case .failure = outcomes.results[index] {
                    return outcomes.results[index]
                }
                return .failure(error)
            }
        }
        for (job, outcome) in zip(batch, outcomes.results) { job.continuation.resume(with: outcome) }
    }
}

/// What each job of a batch came to, in order. Only the draining task touches it, one job after another; the box
/// exists because the connection's closure must be `Sendable`.
private final class BatchOutcomes: @unchecked Sendable {
    var results: [Result<any Sendable, any Error>] = []
}

/// A write started where it would wait for itself.
package enum GroupCommitError: Error, CustomStringConvertible {
    /// A job's work wrote through the gateway's database instead of the transaction it was given.
    case writeInsideJob

    package var description: String {
        "a write transaction started a second write instead of using the database it was given"
    }
}
