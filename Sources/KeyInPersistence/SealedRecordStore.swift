import CardVault
import FluentKit
import Foundation

/// Everything the vault sealed (card numbers, webhook signing secrets), for a master key rotation: each record's
/// data key is re-wrapped under the current master key (`keyin keys rotate`).
package struct SealedRecordStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// Re-wraps every sealed record not yet under `masterKeyID` with `rewrap`. Returns how many changed.
    package func rewrapAll(notUnder masterKeyID: String, _ rewrap: (SealedCard) throws -> SealedCard) async throws
        -> Int
    {
        var changed = 0
        for record in try await CardRecordModel.query(on: database).filter(\.$masterKeyID != masterKeyID).all() {
            let rewrapped = try rewrap(
                SealedCard(
                    ciphertext: record.ciphertext, wrappedDataKey: record.wrappedDataKey,
                    masterKeyID: record.masterKeyID))
            record.wrappedDataKey = rewrapped.wrappedDataKey
            record.masterKeyID = rewrapped.masterKeyID
            try await record.update(on: database)
            changed += 1
        }
        for endpoint in try await WebhookEndpointModel.query(on: database).filter(\.$masterKeyID != masterKeyID).all() {
            let rewrapped = try rewrap(
                SealedCard(
                    ciphertext: endpoint.secretCiphertext, wrappedDataKey: endpoint.secretWrappedKey,
                    masterKeyID: endpoint.masterKeyID))
            endpoint.secretWrappedKey = rewrapped.wrappedDataKey
            endpoint.masterKeyID = rewrapped.masterKeyID
            try await endpoint.update(on: database)
            changed += 1
        }
        return changed
    }
}
