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

    /// Takes `amount` off the payment's balance if it is still there and no cancel was accepted since
    /// `noCancelAfter` (epoch milliseconds), in one conditional update: concurrent cancels can never exceed the
    /// balance. False when refused.
    package func reserve(_ amount: Int64, of paymentID: UUID, at milliseconds: Int64, noCancelAfter cutoff: Int64)
        async throws -> Bool
    {
        try await database.compareAndSet(PaymentModel.schema) {
            $0.set("balance_amount", to: SQLBinaryExpression(SQLColumn("balance_amount"), .subtract, SQLBind(amount)))
                .set("last_cancel_ms", to: milliseconds)
                .where("id", .equal, paymentID).where("balance_amount", .greaterThanOrEqual, amount)
                .where(group: {
                    $0.where("last_cancel_ms", .is, SQLLiteral.null).orWhere("last_cancel_ms", .lessThanOrEqual, cutoff)
                })
        }
    }

    /// When the payment's last cancel was accepted (epoch milliseconds), to say why a reservation was refused.
    package func lastCancelMilliseconds(of paymentID: UUID) async throws -> Int64? {
        try await PaymentModel.find(paymentID, on: database)?.lastCancelMilliseconds
    }

    /// Puts a reserved amount back (the card company refused the refund).
    package func release(_ amount: Int64, of paymentID: UUID) async throws {
        try await database.sql.update(PaymentModel.schema)
            .set("balance_amount", to: SQLBinaryExpression(SQLColumn("balance_amount"), .add, SQLBind(amount)))
            .where("id", .equal, paymentID).run()
    }

    /// Records a cancel IN_PROGRESS, with its trace, before the refund is sent.
    package func begin(_ cancel: CancelRecord, sent: NetworkMessageRecord?) async throws {
        try await database.transaction { database in
            try await CancelModel(cancel).create(on: database)
            if let sent { try await NetworkMessageModel(paymentID: cancel.paymentID, sent).create(on: database) }
        }
    }

    /// A refused cancel, ABORTED, with what the card company answered and its webhooks, in one transaction.
    package func refuse(
        _ cancel: CancelRecord, messages: [NetworkMessageRecord], merchantID: MerchantID, mode: PaymentMode,
        paymentKey: PaymentKey, webhooks: [WebhookEvent], at date: Date
    ) async throws {
        try await database.transaction { database in
            try await Self.write(cancel, on: database)
            for message in messages {
                try await NetworkMessageModel(paymentID: cancel.paymentID, message).create(on: database)
            }
            for webhook in webhooks {
                try await WebhookStore.enqueue(
                    webhook, merchantID: merchantID, mode: mode, paymentKey: paymentKey, at: date, on: database)
            }
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

    /// Stores a cancel's outcome (status, approval, failure, time).
    static func write(_ cancel: CancelRecord, on database: any Database) async throws {
        try await CancelModel.query(on: database).filter(\.$id == cancel.id)
            .set(\.$status, to: cancel.status).set(\.$approveNo, to: cancel.approveNo)
            .set(\.$failureCode, to: cancel.failureCode?.rawValue).set(\.$canceledAt, to: cancel.canceledAt)
            .update()
    }
}
