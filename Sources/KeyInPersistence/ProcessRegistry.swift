import FluentKit
import FluentSQL
import Foundation

/// The `keyin serve` processes working on this database, each seen every few seconds. Work a process leaves
/// unfinished (a payment or cancel IN_PROGRESS, a claimed `Idempotency-Key`) names the process, so crash recovery in
/// any process can settle it as soon as its owner has gone silent, instead of waiting until it is old.
package struct ProcessRegistry: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// Marks the process as seen at `date` (registering it the first time).
    package func heartbeat(process: UUID, at date: Date) async throws {
        if let row = try await GatewayProcessModel.find(process, on: database) {
            row.seenAt = date
            try await row.update(on: database)
        } else {
            let row = GatewayProcessModel()
            row.id = process
            row.startedAt = date
            row.seenAt = date
            try await row.create(on: database)
        }
    }

    /// The process stopped cleanly: its work is finished, and nothing of it is orphaned.
    package func leave(process: UUID) async throws {
        try await GatewayProcessModel.query(on: database).filter(\.$id == process).delete()
    }

    /// The processes seen since `date`.
    package func live(seenSince date: Date) async throws -> Set<UUID> {
        Set(try await GatewayProcessModel.query(on: database).filter(\.$seenAt >= date).all().compactMap(\.id))
    }

    /// Forgets processes not seen since `date` (long dead: what they left was settled by then).
    package func forget(seenBefore date: Date) async throws {
        try await GatewayProcessModel.query(on: database).filter(\.$seenAt < date).delete()
    }
}

/// Who holds unfinished work: the processes alive now, and this one (alive whatever its last heartbeat says).
package struct LiveProcesses: Sendable {
    package let ids: Set<UUID>

    package init(_ ids: Set<UUID>, including me: UUID) {
        self.ids = ids.union([me])
    }

    /// Whether work opened by `owner` is orphaned: its process is gone. Work without an owner (written before
    /// processes were recorded) is judged by its age alone.
    package func orphans(_ owner: UUID?) -> Bool {
        owner.map { !ids.contains($0) } ?? false
    }
}

final class GatewayProcessModel: Model, @unchecked Sendable {
    static let schema = "gateway_processes"

    @ID(key: .id) var id: UUID?
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "seen_at") var seenAt: Date

    init() {}
}

/// Serving processes and the unfinished work each one holds: payments and cancels record the process that opened
/// them, idempotency claims the process that made them and the payment they started. Indexes on the states crash
/// recovery looks for, which it now reads every few seconds.
struct AddProcessOwnership: AsyncMigration {
    var name: String { "034_add_process_ownership" }

    func prepare(on database: any Database) async throws {
        try await database.schema(GatewayProcessModel.schema)
            .id()
            .field("started_at", .datetime, .required)
            .field("seen_at", .datetime, .required)
            .create()
        try await database.schema(PaymentModel.schema).field("opened_by", .uuid).update()
        try await database.schema(CancelModel.schema).field("opened_by", .uuid).update()
        // One column per statement: SQLite adds one at a time.
        try await database.schema(IdempotencyRecordModel.schema).field("process_id", .uuid).update()
        try await database.schema(IdempotencyRecordModel.schema).field("payment_id", .uuid).update()
        try await database.sql.create(index: "payments_status").on(PaymentModel.schema).column("status").run()
        try await database.sql.create(index: "cancels_status").on(CancelModel.schema).column("status").run()
        try await database.sql.create(index: "idempotency_records_state").on(IdempotencyRecordModel.schema)
            .column("state").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "idempotency_records_state").run()
        try await database.sql.drop(index: "cancels_status").run()
        try await database.sql.drop(index: "payments_status").run()
        try await database.schema(IdempotencyRecordModel.schema).deleteField("payment_id").update()
        try await database.schema(IdempotencyRecordModel.schema).deleteField("process_id").update()
        try await database.schema(CancelModel.schema).deleteField("opened_by").update()
        try await database.schema(PaymentModel.schema).deleteField("opened_by").update()
        try await database.schema(GatewayProcessModel.schema).delete()
    }
}

/// A capture in flight on the payment row (`PaymentStore.beginCapture`): its trace, the process that sends it and
/// when. One at a time per payment; crash recovery reverses one whose process went silent.
struct AddCaptureInFlight: AsyncMigration {
    var name: String { "035_add_capture_in_flight" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentModel.schema).field("capture_trace", .string).update()
        try await database.schema(PaymentModel.schema).field("capture_by", .uuid).update()
        try await database.schema(PaymentModel.schema).field("capture_at", .datetime).update()
        // Crash recovery looks for captures in flight every few seconds: few rows have one.
        try await database.sql.create(index: "payments_capture_trace").on(PaymentModel.schema).column("capture_trace")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "payments_capture_trace").run()
        try await database.schema(PaymentModel.schema).deleteField("capture_at").update()
        try await database.schema(PaymentModel.schema).deleteField("capture_by").update()
        try await database.schema(PaymentModel.schema).deleteField("capture_trace").update()
    }
}

/// The process that holds a webhook delivery's lease, so that crash recovery hands a dead process's delivery to
/// the others at once instead of when the lease runs out.
struct AddWebhookClaimant: AsyncMigration {
    var name: String { "036_add_webhook_claimant" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookDeliveryModel.schema).field("claimed_by", .uuid).update()
        try await database.sql.create(index: "webhook_deliveries_claimed_by").on(WebhookDeliveryModel.schema)
            .column("claimed_by").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "webhook_deliveries_claimed_by").run()
        try await database.schema(WebhookDeliveryModel.schema).deleteField("claimed_by").update()
    }
}
