import FluentKit
import FluentSQL
import Foundation

/// Counts attempts per subject in sliding windows, in the database, so every `keyin serve` on one database shares
/// one count: a second node never doubles an attacker's budget. Attempts fall into one-minute buckets; a window
/// is the sum of its last buckets. Each attempt is one upsert (an atomic increment), and the sum one query.
package struct AttemptWindowStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package static let bucketSeconds: Int64 = 60

    static func bucket(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down)) / bucketSeconds
    }

    /// Counts one attempt by `subject` under `scope` at `date`; returns the attempts within the last
    /// `windowSeconds`, this one included. The current minute's count comes from the increment itself, so attempts
    /// made at the same moment each see their own place (the thirty-first of fifty is the thirty-first), and only
    /// the closed minutes before it are summed.
    package func record(scope: String, subject: String, at date: Date, windowSeconds: Int64) async throws -> Int64 {
        let bucket = Self.bucket(date)
        let row = try await Self.increment([Increment(scope: scope, subject: subject)], at: date, on: database)
            .returning("count")
            .first()
        let now = try row?.decode(column: "count", as: Int64.self) ?? 1
        let earlier = try await sum(
            scope: scope, subject: subject, from: bucket - Self.buckets(windowSeconds), before: bucket)
        return now + earlier
    }

    /// One attempt to count inside another write's transaction (a payment's own), so counting adds no write of its
    /// own: the payment and its counts commit together.
    package struct Increment: Sendable, Equatable {
        package let scope: String
        package let subject: String
        /// The most the current minute's row may hold with this attempt counted (the window's limit less what its
        /// earlier minutes hold); over it, the whole write is refused (`OverCeiling`). The increment and the check
        /// are one statement, so attempts at the same moment cannot all slip under the limit.
        package var ceiling: Int64?

        package init(scope: String, subject: String, ceiling: Int64? = nil) {
            self.scope = scope
            self.subject = subject
            self.ceiling = ceiling
        }
    }

    /// An increment took its row over its ceiling: the transaction it was in is rolled back.
    package struct OverCeiling: Error, Equatable {
        package let scope: String
        package let subject: String
    }

    /// Counts each increment once at `date`, on `database` (a transaction's), in one statement: the increments
    /// name distinct subjects, so no row is touched twice. Throws `OverCeiling` when one went over its ceiling.
    static func apply(_ increments: [Increment], at date: Date, on database: any Database) async throws {
        guard !increments.isEmpty else { return }
        let capped = increments.filter { $0.ceiling != nil }
        guard !capped.isEmpty else {
            try await increment(increments, at: date, on: database).run()
            return
        }
        let rows = try await increment(increments, at: date, on: database).returning("scope", "subject", "count").all()
        for row in rows {
            let scope = try row.decode(column: "scope", as: String.self)
            let subject = try row.decode(column: "subject", as: String.self)
            guard let ceiling = capped.first(where: { $0.scope == scope && $0.subject == subject })?.ceiling else {
                continue
            }
            if try row.decode(column: "count", as: Int64.self) > ceiling {
                throw OverCeiling(scope: scope, subject: subject)
            }
        }
    }

    /// The one upsert that counts: a row per increment in the minute's bucket, or one more on the row it has.
    private static func increment(_ increments: [Increment], at date: Date, on database: any Database) throws
        -> SQLInsertBuilder
    {
        var insert = try database.sql.insert(into: "attempt_windows").columns("scope", "subject", "bucket", "count")
        for increment in increments {
            insert = insert.values(
                SQLBind(increment.scope), SQLBind(increment.subject), SQLBind(bucket(date)), SQLBind(Int64(1)))
        }
        return insert.onConflict(with: ["scope", "subject", "bucket"]) {
            $0.set(SQLIdentifier("count"), to: SQLQueryString("attempt_windows.count + 1"))
        }
    }

    /// The attempts by `subject` under `scope` within the last `windowSeconds` before `date`.
    package func count(scope: String, subject: String, at date: Date, windowSeconds: Int64) async throws -> Int64 {
        let (first, end) = AttemptWindow(scope: scope, subject: subject, windowSeconds: windowSeconds).buckets(at: date)
        return try await sum(scope: scope, subject: subject, from: first, before: end)
    }

    /// How many one-minute buckets a window spans.
    static func buckets(_ windowSeconds: Int64) -> Int64 {
        max(1, (windowSeconds + bucketSeconds - 1) / bucketSeconds)
    }

    /// The attempts in the buckets after `first` and before `end`.
    private func sum(scope: String, subject: String, from first: Int64, before end: Int64) async throws -> Int64 {
        let row = try await database.sql.select()
            // Cast: PostgreSQL sums bigints as numeric.
            .column(SQLQueryString("CAST(COALESCE(SUM(count), 0) AS BIGINT)"), as: "total")
            .from("attempt_windows")
            .where("scope", .equal, scope).where("subject", .equal, subject)
            .where("bucket", .greaterThan, first).where("bucket", .lessThan, end)
            .first()
        return try row?.decode(column: "total", as: Int64.self) ?? 0
    }

    /// Forgets buckets that ended before `date`: no window reaches back that far.
    @discardableResult
    package func purge(before date: Date) async throws -> Int {
        try await database.sql.delete(from: "attempt_windows").where("bucket", .lessThan, Self.bucket(date))
            .returning("scope").all().count
    }
}

/// One subject's count under one scope over the last `windowSeconds`, the current minute's included: what
/// `SourceBlockStore.standing` sums.
package struct AttemptWindow: Sendable, Equatable {
    package let scope: String
    package let subject: String
    package let windowSeconds: Int64

    package init(scope: String, subject: String, windowSeconds: Int64) {
        self.scope = scope
        self.subject = subject
        self.windowSeconds = windowSeconds
    }

    /// The buckets it spans at `date`, as the bounds of `first < bucket < end`.
    func buckets(at date: Date) -> (first: Int64, end: Int64) {
        let bucket = AttemptWindowStore.bucket(date)
        return (bucket - AttemptWindowStore.buckets(windowSeconds), bucket + 1)
    }
}

/// The buckets of `AttemptWindowStore`, unique per scope, subject and minute.
struct CreateAttemptWindows: AsyncMigration {
    var name: String { "030_create_attempt_windows" }

    func prepare(on database: any Database) async throws {
        try await database.schema("attempt_windows")
            .field("scope", .string, .required)
            .field("subject", .string, .required)
            .field("bucket", .int64, .required)
            .field("count", .int64, .required)
            .unique(on: "scope", "subject", "bucket")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("attempt_windows").delete() }
}
