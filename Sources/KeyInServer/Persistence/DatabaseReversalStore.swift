import CardNetworkLink
import Fluent
import Foundation

/// The link's pending reversals, in the gateway's database, so they survive restarts and are shared by every
/// `keyin serve` process on one PostgreSQL.
struct DatabaseReversalStore: PendingReversalStore {
    /// Read when used, so the store can be handed to the link before the database is configured.
    let databaseProvider: @Sendable () -> any Database

    var database: any Database { databaseProvider() }

    func save(_ reversal: PendingReversal) async throws {
        let body = String(decoding: try Self.encoder.encode(reversal), as: UTF8.self)
        if let existing = try await PendingReversalModel.find(reversal.id, on: database) {
            existing.body = body
            try await existing.update(on: database)
        } else {
            let model = PendingReversalModel()
            model.id = reversal.id
            model.body = body
            model.createdAt = reversal.createdAt
            try await model.create(on: database)
        }
    }

    func remove(id: UUID) async throws {
        try await PendingReversalModel.query(on: database).filter(\.$id == id).delete()
    }

    func all() async throws -> [PendingReversal] {
        try await PendingReversalModel.query(on: database).sort(\.$createdAt).all().map {
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
