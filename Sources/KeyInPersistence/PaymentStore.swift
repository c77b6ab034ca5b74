import CardNetworkLink
import CardVault
import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// Payments and everything written with them: the encrypted card, the timeline, the card-network conversation,
/// the webhook outbox and the idempotency record. A key-in payment is written in two transactions: `open`, committed
/// before the card company is contacted, and `settle`, committed once it has answered.
package struct PaymentStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// Why `open` wrote nothing.
    package enum OpenRefusal: Error, Equatable {
        /// The order already has a live payment.
        case duplicateOrder
        /// Another request holds the `Idempotency-Key` (running or done): answer as a repeat.
        case idempotencyKeyTaken
    }

    /// The first transaction: the payment (IN_PROGRESS, with its trace), its sealed card number, the first line of
    /// its timeline, the request sent to the card company and, with `claim`, the request's idempotency record —
    /// completed with `answer` when this transaction is the request's last (a payment left waiting for its
    /// cardholder's challenge).
    package func open(
        _ payment: PaymentRecord, card: SealedCard, sent: NetworkMessageRecord?, claim: IdempotencyClaim?,
        answer: StoredResponse? = nil, counting increments: [AttemptWindowStore.Increment] = []
    ) async throws {
        try await database.transactionRetryingOnContention { database in
            if let claim {
                do {
                    try await IdempotencyStore.insert(claim, paymentID: payment.id, on: database)
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    throw OpenRefusal.idempotencyKeyTaken
                }
            }
            do {
                try await payment.row.run(on: database)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw OpenRefusal.duplicateOrder
            }
            try await card.row(paymentID: payment.id, at: payment.requestedAt).run(on: database)
            try await PaymentEventRow.row(
                paymentID: payment.id, from: nil, to: payment.status, code: nil, at: payment.requestedAt
            ).run(on: database)
            if let sent { try await sent.row(paymentID: payment.id).run(on: database) }
            try await AttemptWindowStore.apply(increments, at: payment.requestedAt, on: database)
            if let claim, let answer { try await IdempotencyStore.complete(claim, with: answer, on: database) }
        }
    }

    /// A change of a payment's status with everything that goes with it, committed together.
    package struct Settlement: Sendable {
        /// The payment as it is to be stored: its new status and outcome (approval or failure).
        package var payment: PaymentRecord
        package var from: PaymentStatus
        /// The catalog code behind the change (a failure's), for the timeline.
        package var code: ErrorCode?
        /// Only if the stored status is still `from`: an authorization's outcome is decided once, and another
        /// process (crash recovery on a shared database) or a late answer may have settled it meanwhile.
        package var onlyIfUnchanged: Bool
        /// Lines of the card-network conversation that came with the change.
        package var messages: [NetworkMessageRecord] = []
        /// The cancel this change completes, as it is to be stored.
        package var cancel: CancelRecord?
        /// Destroys the card number (no refund can follow).
        package var shredCard = false
        /// Webhook bodies by event, queued for every endpoint that asked for the event.
        package var webhooks: [WebhookEvent] = []
        /// The payment link this payment pays (an approval only): recorded once, never claimed by a second payment.
        package var paysLink: UUID?
        /// The idempotency record the request claimed, completed with its answer.
        package var completing: (claim: IdempotencyClaim, response: StoredResponse)?
        /// Attempt windows counted with the change (a decline against the payment's sources).
        package var counting: [AttemptWindowStore.Increment] = []
        /// The capture this change completes: applied only while that capture is still in flight
        /// (`beginCapture`), and its marker cleared.
        package var capture: TransactionTrace?

        package init(payment: PaymentRecord, from: PaymentStatus, code: ErrorCode?, onlyIfUnchanged: Bool) {
            self.payment = payment
            self.from = from
            self.code = code
            self.onlyIfUnchanged = onlyIfUnchanged
        }
    }

    /// The second transaction. False when `onlyIfUnchanged` and the payment was settled elsewhere first: nothing is
    /// written, and the caller reads what is stored instead.
    package func settle(_ settlement: Settlement, at date: Date) async throws -> Bool {
        let payment = settlement.payment
        do {
            try await database.transactionRetryingOnContention { database in
                let changed = try await database.compareAndSet(PaymentModel.schema) { update in
                    var update = update.set("status", to: payment.status.rawValue)
                        .set("approve_no", to: payment.approveNo).set("rrn", to: payment.retrievalReferenceNumber)
                        .set("approved_at", to: payment.approvedAt).set(
                            "failure_code", to: payment.failureCode?.rawValue
                        )
                        .set("order_lock", to: payment.holdsOrder ? PaymentModel.orderLock(payment) : nil)
                        .where("id", .equal, payment.id)
                    if settlement.onlyIfUnchanged { update = update.where("status", .equal, settlement.from.rawValue) }
                    if settlement.from == .waitingForAuthentication {
                        // The challenge's outcome, and the process that now sends the authorization with the trace
                        // it sends it under (crash recovery's owner and what it reverses, from here on).
                        update = update.set("authentication", to: payment.authentication.flatMap(JSONColumn.text))
                            .set("opened_by", to: payment.openedBy).set(
                                "trace", to: payment.trace.flatMap(JSONColumn.text))
                    }
                    if let capture = settlement.capture {
                        update = update.set("capture_trace", to: SQLLiteral.null).set("capture_by", to: SQLLiteral.null)
                            .set("capture_at", to: SQLLiteral.null)
                            .where("capture_trace", .equal, JSONColumn.text(capture))
                    }
                    return update
                }
                guard changed else { throw SettledElsewhere() }
                try await AttemptWindowStore.apply(settlement.counting, at: date, on: database)
                // A cancel is completed once: by the process that began it, or by crash recovery.
                if let cancel = settlement.cancel, try await !CancelStore.finish(cancel, on: database) {
                    throw SettledElsewhere()
                }
                try await PaymentEventRow.row(
                    paymentID: payment.id, from: settlement.from, to: payment.status, code: settlement.code, at: date
                ).run(on: database)
                for message in settlement.messages {
                    try await message.row(paymentID: payment.id).run(on: database)
                }
                if settlement.shredCard {
                    try await CardRecordModel.query(on: database).filter(\.$payment.$id == payment.id).delete()
                }
                for webhook in settlement.webhooks {
                    try await WebhookStore.enqueue(
                        webhook, merchantID: payment.merchantID, mode: payment.mode, paymentKey: payment.paymentKey,
                        at: date, on: database)
                }
                if let linkID = settlement.paysLink {
                    // Once: a link another payment claimed first stays that payment's.
                    _ = try await database.compareAndSet(PaymentLinkModel.schema) {
                        $0.set("payment_key", to: payment.paymentKey).where("id", .equal, linkID)
                            .where("payment_key", .is, SQLLiteral.null)
                    }
                }
                if let (claim, response) = settlement.completing {
                    try await IdempotencyStore.complete(claim, with: response, on: database)
                }
            }
        } catch is SettledElsewhere {
            return false
        }
        return true
    }

    private struct SettledElsewhere: Error {}

    // MARK: Captures in flight

    /// A capture whose 0220 may be at the card company, as crash recovery finds it.
    package struct CaptureInFlight: Sendable {
        package let payment: PaymentRecord
        package let trace: TransactionTrace
    }

    /// Marks a capture of the payment in flight, with the 0220 about to be sent, if the payment is still
    /// WAITING_FOR_CAPTURE and nothing else is in flight on it (no other capture; a void reserves the balance). One
    /// transaction, committed before the 0220 goes. False when refused: nothing written.
    package func beginCapture(
        of paymentID: UUID, trace: TransactionTrace, by process: UUID?, at date: Date, sent: NetworkMessageRecord
    ) async throws -> Bool {
        try await database.transactionRetryingOnContention { database in
            let marked = try await database.compareAndSet(PaymentModel.schema) {
                $0.set("capture_trace", to: JSONColumn.text(trace)).set("capture_by", to: process)
                    .set("capture_at", to: date).where("id", .equal, paymentID)
                    .where("status", .equal, PaymentStatus.waitingForCapture.rawValue)
                    .where("balance_amount", .equal, SQLColumn("total_amount"))
                    .where("capture_trace", .is, SQLLiteral.null)
            }
            guard marked else { return false }
            try await sent.row(paymentID: paymentID).run(on: database)
            return true
        }
    }

    /// Ends a capture that did not go through (refused, withdrawn, or reversed by crash recovery), with its lines of
    /// the conversation: the payment stays WAITING_FOR_CAPTURE and can be captured again. False when that capture
    /// was no longer in flight (ended or completed elsewhere first): nothing written.
    package func endCapture(of paymentID: UUID, trace: TransactionTrace, messages: [NetworkMessageRecord])
        async throws -> Bool
    {
        try await database.transactionRetryingOnContention { database in
            let ended = try await database.compareAndSet(PaymentModel.schema) {
                $0.set("capture_trace", to: SQLLiteral.null).set("capture_by", to: SQLLiteral.null)
                    .set("capture_at", to: SQLLiteral.null).where("id", .equal, paymentID)
                    .where("capture_trace", .equal, JSONColumn.text(trace))
            }
            guard ended else { return false }
            for message in messages {
                try await message.row(paymentID: paymentID).run(on: database)
            }
            return true
        }
    }

    /// Captures in flight that began before `cutoff`, or whose process is no longer among `live`.
    package func capturesInFlight(startedBefore cutoff: Date, live: LiveProcesses) async throws -> [CaptureInFlight] {
        try await PaymentModel.query(on: database).filter(\.$captureTrace != nil).all()
            .filter { ($0.captureAt ?? .distantPast) < cutoff || live.orphans($0.captureBy) }
            .compactMap { model in
                model.captureTrace.flatMap { JSONColumn.value($0) }.map {
                    CaptureInFlight(payment: PaymentRecord(model), trace: $0)
                }
            }
    }

    /// Writes network-conversation lines outside a settlement (a capture's, a refused cancel's).
    package func log(_ messages: [NetworkMessageRecord], paymentID: UUID) async throws {
        try await database.transactionRetryingOnContention { database in
            for message in messages {
                try await message.row(paymentID: paymentID).run(on: database)
            }
        }
    }

    // MARK: Reading

    package func payment(id: UUID) async throws -> PaymentRecord? {
        try await PaymentModel.find(id, on: database).map(PaymentRecord.init)
    }

    /// The merchant's payment with this key in this mode (never another merchant's, nor the other mode's: a test
    /// key never reads a live payment).
    package func payment(key: PaymentKey, merchantID: MerchantID, mode: PaymentMode) async throws -> PaymentRecord? {
        try await PaymentModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$mode == mode).filter(\.$paymentKey == key.rawValue)
            .first().map(PaymentRecord.init)
    }

    /// A payment by its key alone: the receipt page, where the long random key is the capability.
    package func payment(receiptKey key: PaymentKey) async throws -> PaymentRecord? {
        try await PaymentModel.query(on: database).filter(\.$paymentKey == key.rawValue).first().map(PaymentRecord.init)
    }

    /// The order's live payment if there is one, else its latest attempt.
    package func payment(orderID: OrderID, merchantID: MerchantID, mode: PaymentMode) async throws -> PaymentRecord? {
        let attempts = try await PaymentModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$mode == mode).filter(\.$orderID == orderID.rawValue).sort(\.$requestedAt, .descending).all()
        return (attempts.first { $0.orderLock != nil } ?? attempts.first).map(PaymentRecord.init)
    }

    /// IN_PROGRESS payments requested before `cutoff`: what a crash left behind.
    /// Payments left IN_PROGRESS: requested before `cutoff`, or opened by a process no longer among `live`.
    package func orphaned(requestedBefore cutoff: Date, live: LiveProcesses) async throws -> [PaymentRecord] {
        // Few rows are IN_PROGRESS at any time (those in flight), and the status is indexed.
        try await PaymentModel.query(on: database).filter(\.$status == .inProgress).all()
            .filter { $0.requestedAt < cutoff || live.orphans($0.openedBy) }.map(PaymentRecord.init)
    }

    package func events(of paymentID: UUID) async throws -> [PaymentEventRecord] {
        try await PaymentEventModel.query(on: database).filter(\.$payment.$id == paymentID).sort(\.$at).all()
            .map(PaymentEventRecord.init)
    }

    package func networkMessages(of paymentID: UUID) async throws -> [NetworkMessageRecord] {
        try await NetworkMessageModel.query(on: database).filter(\.$payment.$id == paymentID).all()
            .map(NetworkMessageRecord.init)
    }

    /// The sealed card number, while it is kept (refunds need it; it is destroyed when none can follow).
    package func card(of paymentID: UUID) async throws -> SealedCard? {
        try await CardRecordModel.query(on: database).filter(\.$payment.$id == paymentID).first().map {
            SealedCard(ciphertext: $0.ciphertext, wrappedDataKey: $0.wrappedDataKey, masterKeyID: $0.masterKeyID)
        }
    }

    /// Destroys a payment's card number now.
    package func shredCard(of paymentID: UUID) async throws {
        try await CardRecordModel.query(on: database).filter(\.$payment.$id == paymentID).delete()
    }

    /// Destroys the card numbers of payments made before `cutoff` (crypto-shredding: the row holds the only
    /// wrapped copy of the data key). Returns how many were destroyed.
    package func shredCards(createdBefore cutoff: Date) async throws -> Int {
        let count = try await CardRecordModel.query(on: database).filter(\.$createdAt < cutoff).count()
        if count > 0 { try await CardRecordModel.query(on: database).filter(\.$createdAt < cutoff).delete() }
        return count
    }
}
