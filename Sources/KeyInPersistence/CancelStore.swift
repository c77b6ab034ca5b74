import CardNetworkLink
import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// Cancels (full and partial refunds, voids) and the balance they take from.
package struct CancelStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// Takes the cancel's amount off the payment's balance if it is still there and no cancel was accepted since
    /// `noCancelAfter` (epoch milliseconds), in one conditional update, so concurrent cancels can never exceed the
    /// balance; and records the cancel IN_PROGRESS, with its trace, before the refund is sent. One transaction: a
    /// crash never leaves an amount reserved without the cancel that explains it. False when refused (nothing
    /// written).
    package func begin(
        _ cancel: CancelRecord, sent: NetworkMessageRecord?, at milliseconds: Int64, noCancelAfter cutoff: Int64
    ) async throws -> Bool {
        try await database.transactionRetryingOnContention { database in
            let reserved = try await database.compareAndSet(PaymentModel.schema) {
                $0.set(
                    "balance_amount",
                    to: SQLBinaryExpression(SQLColumn("balance_amount"), .subtract, SQLBind(cancel.amount))
                )
                .set("last_cancel_ms", to: milliseconds)
                .where("id", .equal, cancel.paymentID).where("balance_amount", .greaterThanOrEqual, cancel.amount)
                // Not while a capture is in flight: its outcome decides what there is to cancel.
                .where("capture_trace", .is, SQLLiteral.null)
                .where(group: {
                    $0.where("last_cancel_ms", .is, SQLLiteral.null).orWhere("last_cancel_ms", .lessThanOrEqual, cutoff)
                })
            }
            guard reserved else { return false }
            try await CancelModel(cancel).create(on: database)
            if let sent { try await sent.row(paymentID: cancel.paymentID).run(on: database) }
            return true
        }
    }

    /// Cancels left IN_PROGRESS: requested before `cutoff`, or begun by a process no longer among `live`.
    package func orphaned(requestedBefore cutoff: Date, live: LiveProcesses) async throws -> [CancelRecord] {
        try await CancelModel.query(on: database).filter(\.$status == .inProgress).all()
            .filter { $0.requestedAt < cutoff || live.orphans($0.openedBy) }.map(CancelRecord.init)
    }

    /// When the payment's last cancel was accepted (epoch milliseconds), to say why a reservation was refused.
    package func lastCancelMilliseconds(of paymentID: UUID) async throws -> Int64? {
        try await PaymentModel.find(paymentID, on: database)?.lastCancelMilliseconds
    }

    /// A refused cancel, ABORTED, its amount back on the balance, with what the card company answered and its
    /// webhooks, in one transaction. False when the cancel was settled elsewhere first (crash recovery in another
    /// process, or the process that began it): nothing is written, so the amount is never put back twice.
    package func refuse(
        _ cancel: CancelRecord, messages: [NetworkMessageRecord], merchantID: MerchantID, mode: PaymentMode,
        paymentKey: PaymentKey, webhooks: [WebhookEvent], at date: Date
    ) async throws -> Bool {
        try await database.transactionRetryingOnContention { database in
            guard try await Self.finish(cancel, on: database) else { return false }
            try await database.sql.update(PaymentModel.schema)
                .set(
                    "balance_amount",
                    to: SQLBinaryExpression(SQLColumn("balance_amount"), .add, SQLBind(cancel.amount))
                )
                .where("id", .equal, cancel.paymentID).run()
            for message in messages {
                try await message.row(paymentID: cancel.paymentID).run(on: database)
            }
            for webhook in webhooks {
                try await WebhookStore.enqueue(
                    webhook, merchantID: merchantID, mode: mode, paymentKey: paymentKey, at: date, on: database)
            }
            return true
        }
    }

    /// The payment's cancels, oldest first.
    package func cancels(of paymentID: UUID) async throws -> [CancelRecord] {
        try await CancelModel.query(on: database).filter(\.$payment.$id == paymentID).sort(\.$requestedAt).all()
            .map(CancelRecord.init)
    }

    /// The cancels of these payments, by payment, each payment's oldest first.
    package func cancels(ofPayments paymentIDs: [UUID]) async throws -> [UUID: [CancelRecord]] {
        guard !paymentIDs.isEmpty else { return [:] }
        let cancels = try await CancelModel.query(on: database).filter(\.$payment.$id ~~ paymentIDs)
            .sort(\.$requestedAt).all().map(CancelRecord.init)
        return Dictionary(grouping: cancels, by: \.paymentID)
    }

    /// Stores a cancel's outcome (status, approval, failure, time), once: only while the stored cancel is still
    /// IN_PROGRESS. False when it was settled already.
    static func finish(_ cancel: CancelRecord, on database: any Database) async throws -> Bool {
        try await database.compareAndSet(CancelModel.schema) {
            $0.set("status", to: cancel.status.rawValue).set("approve_no", to: cancel.approveNo)
                .set("failure_code", to: cancel.failureCode?.rawValue).set("canceled_at", to: cancel.canceledAt)
                .where("id", .equal, cancel.id).where("status", .equal, CancelRecord.Status.inProgress.rawValue)
        }
    }
}
