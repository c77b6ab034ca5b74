import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// A source of payments (a payment link, a client address, a card, an API key, a whole merchant) that tripped a
/// card-testing rule: blocked until `blockedUntil`, or, for a merchant-wide figure, only an alert. The console lists
/// them, and the merchant gets a webhook event for each.
package struct SourceBlockRecord: Sendable, Equatable {
    package let id: UUID
    package let merchantID: MerchantID
    package let mode: PaymentMode
    /// The rule that tripped, e.g. `link-declines`.
    package let rule: String
    /// What is blocked, as the rule counts it (a link key, `merchant address`, a card fingerprint, a key digest).
    package let subject: String
    /// What the console shows for it: a link key, an address, a masked card number, a key prefix.
    package let subjectLabel: String
    /// The attempts (or declines) counted when it tripped.
    package let count: Int64
    /// False for an alert that blocks nothing (the merchant-wide figure).
    package let blocks: Bool
    package let createdAt: Date
    package let blockedUntil: Date

    package init(
        id: UUID = UUID(), merchantID: MerchantID, mode: PaymentMode, rule: String, subject: String,
        subjectLabel: String, count: Int64, blocks: Bool, createdAt: Date, blockedUntil: Date
    ) {
        self.id = id
        self.merchantID = merchantID
        self.mode = mode
        self.rule = rule
        self.subject = subject
        self.subjectLabel = subjectLabel
        self.count = count
        self.blocks = blocks
        self.createdAt = createdAt
        self.blockedUntil = blockedUntil
    }
}

/// Blocks and alerts, in the database: every node on one database sees a block the moment another makes it.
package struct SourceBlockStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// Stores the block and, in the same transaction, queues `webhook` (about the payment that tripped it) for the
    /// merchant's endpoints of its mode that asked for it, unless the same rule already started a block on the same
    /// subject in the same minute: payments at the same moment (on one node or several) that trip one rule together
    /// make one block and one webhook. True when this call started it.
    @discardableResult
    package func create(_ block: SourceBlockRecord, webhook: WebhookEvent?, paymentKey: PaymentKey) async throws
        -> Bool
    {
        do {
            try await database.transaction { database in
                do {
                    try await SourceBlockModel(block).create(on: database)
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    throw AlreadyStarted()
                }
                if let webhook {
                    try await WebhookStore.enqueue(
                        webhook, merchantID: block.merchantID, mode: block.mode, paymentKey: paymentKey,
                        at: block.createdAt, on: database)
                }
            }
            return true
        } catch is AlreadyStarted {
            return false
        }
    }

    private struct AlreadyStarted: Error {}

    /// A block or alert still running, as the decision point weighs it.
    package struct Running: Sendable, Equatable {
        package let rule: String
        package let subject: String
        package let count: Int64
        package let blocks: Bool
        package let blockedUntil: Date
    }

    /// What the decision point reads about a payment's sources.
    package struct Standing: Sendable {
        /// The blocks and alerts running on the subjects asked about.
        package let running: [Running]
        /// The sum of each window asked about, in the order asked.
        package let sums: [WindowSum]
    }

    /// A window's sum: all of it, and its minutes before the current one (what an attempt counted now adds to).
    package struct WindowSum: Sendable, Equatable {
        package let total: Int64
        package let earlier: Int64
    }

    /// The blocks and alerts still running at `date` on any of `subjects`, and what the attempt windows `windows`
    /// sum to, in one query: a payment's decision costs one read, however many sources and windows it weighs.
    package func standing(subjects: [String], mode: PaymentMode, at date: Date, windows: [AttemptWindow] = [])
        async throws -> Standing
    {
        var branches: [SQLQueryString] = []
        if !subjects.isEmpty {
            branches.append(
                """
                SELECT -1 AS window_index, rule AS rule, subject AS subject, count AS total, 0 AS earlier, \
                blocks AS blocks, blocked_until_ms AS blocked_until_ms FROM source_blocks WHERE mode = \(bind: mode.rawValue) \
                AND blocked_until_ms > \(bind: date.epochMilliseconds) AND subject IN (\(binds: subjects))
                """)
        }
        for (index, window) in windows.enumerated() {
            let (first, end) = window.buckets(at: date)
            let current = end - 1
            // Cast: PostgreSQL sums bigints as numeric.
            branches.append(
                """
                SELECT \(literal: index) AS window_index, '' AS rule, '' AS subject, \
                CAST(COALESCE(SUM(count), 0) AS BIGINT) AS total, \
                CAST(COALESCE(SUM(CASE WHEN bucket < \(bind: current) THEN count ELSE 0 END), 0) AS BIGINT) \
                AS earlier, \
                \(false) AS blocks, 0 AS blocked_until_ms \
                FROM attempt_windows WHERE scope = \(bind: window.scope) AND subject = \(bind: window.subject) \
                AND bucket > \(bind: first) AND bucket < \(bind: end)
                """)
        }
        guard !branches.isEmpty else { return Standing(running: [], sums: []) }
        let rows = try await database.sql.raw(branches.joined(separator: " UNION ALL ")).all()
        var running: [Running] = []
        var sums = [WindowSum](repeating: WindowSum(total: 0, earlier: 0), count: windows.count)
        for row in rows {
            let index = try row.decode(column: "window_index", as: Int.self)
            let total = try row.decode(column: "total", as: Int64.self)
            guard index < 0 else {
                sums[index] = WindowSum(total: total, earlier: try row.decode(column: "earlier", as: Int64.self))
                continue
            }
            let until = try row.decode(column: "blocked_until_ms", as: Int64.self)
            running.append(
                Running(
                    rule: try row.decode(column: "rule", as: String.self),
                    subject: try row.decode(column: "subject", as: String.self), count: total,
                    blocks: try row.decode(column: "blocks", as: Bool.self),
                    blockedUntil: Date(timeIntervalSince1970: Double(until) / 1000)))
        }
        return Standing(running: running, sums: sums)
    }

    /// The merchant's newest blocks and alerts of one mode.
    package func newest(of merchantID: MerchantID, mode: PaymentMode, limit: Int) async throws -> [SourceBlockRecord] {
        try await SourceBlockModel.query(on: database).filter(\.$merchantID == merchantID.rawValue)
            .filter(\.$mode == mode).sort(\.$createdAt, .descending).limit(limit).all().map(SourceBlockRecord.init)
    }
}

final class SourceBlockModel: Model, @unchecked Sendable {
    static let schema = "source_blocks"

    @ID(key: .id) var id: UUID?
    @Field(key: "merchant_id") var merchantID: UUID
    @Field(key: "mode") var mode: PaymentMode
    @Field(key: "rule") var rule: String
    @Field(key: "subject") var subject: String
    @Field(key: "subject_label") var subjectLabel: String
    @Field(key: "count") var count: Int64
    @Field(key: "blocks") var blocks: Bool
    @Field(key: "created_at") var createdAt: Date
    /// Epoch milliseconds: an integer compares exactly on both databases.
    @Field(key: "blocked_until_ms") var blockedUntilMilliseconds: Int64
    /// Unique: the mode, rule, subject and minute the block started. Nil on blocks from before it existed.
    @OptionalField(key: "started") var started: String?

    init() {}

    convenience init(_ record: SourceBlockRecord) {
        self.init()
        id = record.id
        merchantID = record.merchantID.rawValue
        mode = record.mode
        rule = record.rule
        subject = record.subject
        subjectLabel = record.subjectLabel
        count = record.count
        blocks = record.blocks
        createdAt = record.createdAt
        blockedUntilMilliseconds = record.blockedUntil.epochMilliseconds
        started = Self.started(record)
    }

    static func started(_ record: SourceBlockRecord) -> String {
        let minute = Int64(record.createdAt.timeIntervalSince1970.rounded(.down)) / 60
        return "\(record.mode.rawValue) \(record.rule) \(record.subject) \(minute)"
    }
}

extension SourceBlockRecord {
    init(_ model: SourceBlockModel) {
        self.init(
            id: model.id ?? UUID(), merchantID: MerchantID(model.merchantID), mode: model.mode, rule: model.rule,
            subject: model.subject, subjectLabel: model.subjectLabel, count: model.count, blocks: model.blocks,
            createdAt: model.createdAt,
            blockedUntil: Date(timeIntervalSince1970: Double(model.blockedUntilMilliseconds) / 1000))
    }
}

/// Card-testing blocks and alerts, and each payment's decision (the reasons it was allowed or blocked).
struct CreateSourceBlocks: AsyncMigration {
    var name: String { "032_create_source_blocks" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SourceBlockModel.schema)
            .id()
            .field("merchant_id", .uuid, .required)
            .field("mode", .string, .required)
            .field("rule", .string, .required)
            .field("subject", .string, .required)
            .field("subject_label", .string, .required)
            .field("count", .int64, .required)
            .field("blocks", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("blocked_until_ms", .int64, .required)
            .create()
        try await database.sql.create(index: "source_blocks_subject").on(SourceBlockModel.schema)
            .column("subject").column("rule").run()
        try await database.sql.create(index: "source_blocks_merchant").on(SourceBlockModel.schema)
            .column("merchant_id").column("created_at").run()
        try await database.schema(PaymentModel.schema).field("decision", .string).update()
        try await database.schema(MerchantModel.schema).field("card_testing", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MerchantModel.schema).deleteField("card_testing").update()
        try await database.schema(PaymentModel.schema).deleteField("decision").update()
        try await database.schema(SourceBlockModel.schema).delete()
    }
}

/// One block per rule, subject and minute (`SourceBlockStore.create`). Blocks made before are left without a start
/// key: NULLs never collide in a unique index, on SQLite or PostgreSQL.
struct AddSourceBlockStarts: AsyncMigration {
    var name: String { "033_add_source_block_starts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SourceBlockModel.schema).field("started", .string).update()
        try await database.sql.create(index: "source_blocks_started").unique().on(SourceBlockModel.schema)
            .column("started").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "source_blocks_started").run()
        try await database.schema(SourceBlockModel.schema).deleteField("started").update()
    }
}
