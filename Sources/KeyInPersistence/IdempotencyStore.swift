import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// Where a request made with an `Idempotency-Key` stands.
package enum IdempotencyState: String, Sendable, Codable {
    /// Claimed; its answer is not stored yet.
    case processing
    case completed
}

/// Requests made with an `Idempotency-Key`: a keyed hash of each (never the request) and, once done, the answer
/// to replay.
package struct IdempotencyStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// A stored claim as a repeat finds it.
    package struct Existing: Sendable {
        package let requestDigest: String
        /// Nil while the first request is still running.
        package let response: StoredResponse?
        package let expiresAt: Date
        /// The payment the first request started (a key-in payment's claim), to answer from once it is settled.
        package let paymentID: UUID?
        /// The process that claimed it.
        package let processID: UUID?
    }

    /// Claims the key for a request that is about to run. False when the key is taken (by a request running or
    /// done): the caller answers as a repeat.
    package func claim(_ claim: IdempotencyClaim) async throws -> Bool {
        do {
            try await Self.insert(claim, on: database)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }

    /// Stores the answer of a request that claimed the key (`claim`).
    package func complete(_ claim: IdempotencyClaim, with response: StoredResponse) async throws {
        try await Self.complete(claim, with: response, on: database)
    }

    /// Claims the key and stores the answer at once, for a request that failed before it wrote anything. False when
    /// the key was taken meanwhile.
    package func claimCompleted(_ claim: IdempotencyClaim, with response: StoredResponse) async throws -> Bool {
        do {
            try await claim.row(response: response).run(on: database)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }

    package func existing(merchantID: MerchantID, key: String) async throws -> Existing? {
        try await IdempotencyRecordModel.query(on: database).filter(\.$merchantID == merchantID.rawValue)
            .filter(\.$key == key).first().map { record in
                Existing(
                    requestDigest: record.requestDigest,
                    response: record.state == .completed
                        ? record.responseStatus.flatMap { status in
                            record.responseBody.map { StoredResponse(status: status, body: $0) }
                        } : nil,
                    expiresAt: record.expiresAt, paymentID: record.paymentID, processID: record.processID)
            }
    }

    /// Frees a key past its retention.
    package func remove(merchantID: MerchantID, key: String) async throws {
        try await IdempotencyRecordModel.query(on: database).filter(\.$merchantID == merchantID.rawValue)
            .filter(\.$key == key).delete()
    }

    /// Forgets records past their retention. Returns how many.
    package func purge(expiredBefore date: Date) async throws -> Int {
        let expired = IdempotencyRecordModel.query(on: database).filter(\.$expiresAt < date)
        let count = try await expired.count()
        if count > 0 { try await IdempotencyRecordModel.query(on: database).filter(\.$expiresAt < date).delete() }
        return count
    }

    /// Releases keys whose requests died mid-way: claimed before `cutoff`, or by a process no longer among `live`.
    /// A key-in payment's claim is kept: a repeat is answered from its payment, which recovery has settled.
    package func releaseUnfinished(claimedBefore cutoff: Date, live: LiveProcesses) async throws {
        let unfinished = try await IdempotencyRecordModel.query(on: database).filter(\.$state == .processing)
            .filter(\.$paymentID == nil).all()
        let released = unfinished.filter { $0.createdAt < cutoff || live.orphans($0.processID) }.compactMap(\.id)
        guard !released.isEmpty else { return }
        try await IdempotencyRecordModel.query(on: database).filter(\.$id ~~ released)
            .filter(\.$state == .processing).delete()
    }

    /// Writes the claim, processing; `paymentID` is the payment it starts, in the same transaction.
    static func insert(_ claim: IdempotencyClaim, paymentID: UUID? = nil, on database: any Database) async throws {
        try await claim.row(response: nil, paymentID: paymentID).run(on: database)
    }

    static func complete(_ claim: IdempotencyClaim, with response: StoredResponse, on database: any Database)
        async throws
    {
        // Only a claim of this request still open: a late answer never overwrites an answer already stored.
        try await database.sql.update(IdempotencyRecordModel.schema)
            .set("state", to: IdempotencyState.completed).set("response_status", to: response.status)
            .set("response_body", to: response.body)
            .where("merchant_id", .equal, claim.merchantID.rawValue).where("idempotency_key", .equal, claim.key)
            .where("request_digest", .equal, claim.requestDigest).where("state", .equal, IdempotencyState.processing)
            .run()
    }
}
