import CardNetworkLink
import FluentKit
import Foundation
import KeyInCore

/// One link's pending reversals, in the gateway's database, so they survive restarts and are shared by every
/// `keyin serve` process on one PostgreSQL. The test link (the built-in simulator) and the live link (the card
/// companies) each see only their mode's: a reversal always goes back to the host that had the original.
package struct DatabaseReversalStore: PendingReversalStore {
    /// Read when used, so the store can be handed to the link before the database is configured.
    let databaseProvider: @Sendable () -> any Database
    let mode: PaymentMode
    let now: @Sendable () -> Date

    package init(
        databaseProvider: @escaping @Sendable () -> any Database, mode: PaymentMode,
        now: @escaping @Sendable () -> Date
    ) {
        self.databaseProvider = databaseProvider
        self.mode = mode
        self.now = now
    }

    var database: any Database { databaseProvider() }

    package func save(_ reversal: PendingReversal) async throws {
        let body = String(decoding: try Self.encoder.encode(reversal), as: UTF8.self)
        if let existing = try await PendingReversalModel.find(reversal.id, on: database) {
            existing.body = body
            try await existing.update(on: database)
        } else {
            let model = PendingReversalModel()
            model.id = reversal.id
            model.body = body
            model.mode = mode
            model.createdAt = reversal.createdAt
            try await model.create(on: database)
        }
    }

    package func remove(id: UUID) async throws {
        try await PendingReversalModel.query(on: database).filter(\.$id == id).filter(\.$mode == mode).delete()
    }

    /// Removes the reversal and adds its answer to the timeline of the payment whose message it reversed, in one
    /// transaction. The payment is the one that sent (or reversed) the original message, known by its STAN,
    /// transmission time and terminal: those rows are written before the link is called, so they exist by the time
    /// any answer comes.
    package func settle(_ reversal: PendingReversal, responseCode: String) async throws {
        try await database.transaction { database in
            try await PendingReversalModel.query(on: database).filter(\.$id == reversal.id).delete()
            // The original is a message of a payment of this link's mode: the other link's STANs are its own.
            let sent = NetworkMessageModel.query(on: database)
                .join(PaymentModel.self, on: \NetworkMessageModel.$payment.$id == \PaymentModel.$id)
                .filter(PaymentModel.self, \.$mode == mode)
                .filter(\.$direction ~~ [.sent, .reversal]).filter(\.$stan == reversal.originalSTAN)
                // Rows written before these columns existed (migration 025) match by STAN alone.
                .group(.or) { group in
                    group.filter(\.$transmissionDateTime == reversal.originalTransmissionDateTime)
                        .filter(\.$transmissionDateTime == nil)
                }
                .group(.or) { group in
                    group.filter(\.$terminalID == reversal.trace.terminalID).filter(\.$terminalID == nil)
                }
            guard let original = try await sent.sort(\.$at, .descending).first() else { return }
            let answer = NetworkMessageModel()
            answer.$payment.id = original.$payment.id
            answer.at = now()
            answer.direction = .reversalSettled
            answer.mti = "0410"
            answer.stan = reversal.originalSTAN
            answer.transmissionDateTime = reversal.originalTransmissionDateTime
            answer.terminalID = reversal.trace.terminalID
            answer.code = responseCode
            let attempt = "\(reversal.attempts + 1)번째 요청에 응답"
            answer.note = responseCode == "00" ? "망취소 완료 (\(attempt))" : "망취소 거절: 카드사 응답코드 \(responseCode) (\(attempt))"
            try await answer.create(on: database)
        }
    }

    package func all() async throws -> [PendingReversal] {
        try await PendingReversalModel.query(on: database).filter(\.$mode == mode).sort(\.$createdAt).all().map {
            try Self.decoder.decode(PendingReversal.self, from: Data($0.body.utf8))
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
