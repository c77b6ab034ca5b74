import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// A merchant as stored.
package struct MerchantRecord: Sendable, Equatable {
    package let id: MerchantID
    package let name: String
    /// Shown to customers beside support (chat, inquiries): e.g. `02-1234-5678`, `평일 10:00–18:00`.
    package let supportPhone: String?
    package let supportHours: String?
    /// Only test keys: the embedded start's demo merchant is never given a live key.
    package var testOnly: Bool = false
    /// The card-testing limits the merchant set (JSON, read by the gateway); nil for the defaults.
    package var cardTesting: String?
    /// When its payments are 3-D Secure authenticated (JSON, read by the gateway); nil for the defaults.
    package var authenticationPolicy: String?
}

/// Which kind of payments a secret key makes.
package typealias APIKeyMode = PaymentMode

/// A merchant's secret key as the console lists it: never the key, only its first characters.
package struct APIKeyRecord: Sendable, Equatable {
    package let mode: APIKeyMode
    package let keyPrefix: String
    package let createdAt: Date?
    package let revokedAt: Date?
}

/// Merchants and their secret keys (kept as SHA-256 digests only).
package struct MerchantStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package func create(name: String, testOnly: Bool = false) async throws -> MerchantRecord {
        let merchant = MerchantModel(name: name, testOnly: testOnly)
        try await merchant.create(on: database)
        return MerchantRecord(merchant)
    }

    package func merchant(id: MerchantID) async throws -> MerchantRecord? {
        try await MerchantModel.find(id.rawValue, on: database).map(MerchantRecord.init)
    }

    package func count() async throws -> Int {
        try await MerchantModel.query(on: database).count()
    }

    package func setSupport(phone: String?, hours: String?, of merchantID: MerchantID) async throws {
        try await MerchantModel.query(on: database).filter(\.$id == merchantID.rawValue)
            .set(\.$supportPhone, to: phone).set(\.$supportHours, to: hours).update()
    }

    package func setCardTesting(_ json: String?, of merchantID: MerchantID) async throws {
        try await MerchantModel.query(on: database).filter(\.$id == merchantID.rawValue)
            .set(\.$cardTesting, to: json).update()
    }

    package func setAuthenticationPolicy(_ json: String?, of merchantID: MerchantID) async throws {
        try await MerchantModel.query(on: database).filter(\.$id == merchantID.rawValue)
            .set(\.$authenticationPolicy, to: json).update()
    }

    /// Stores a new key's digest; with `revokingOthersAt`, every earlier key of that mode stops working then.
    package func addKey(
        merchantID: MerchantID, mode: APIKeyMode, digest: String, prefix: String, revokingOthersAt revokeAt: Date?
    ) async throws {
        try await database.transaction { database in
            if let revokeAt {
                try await APIKeyModel.query(on: database)
                    .filter(\.$merchant.$id == merchantID.rawValue).filter(\.$mode == mode)
                    .group(.or) { $0.filter(\.$revokedAt == nil).filter(\.$revokedAt > revokeAt) }
                    .set(\.$revokedAt, to: revokeAt)
                    .update()
            }
            try await APIKeyModel(merchantID: merchantID.rawValue, mode: mode, keyHash: digest, keyPrefix: prefix)
                .create(on: database)
        }
    }

    /// What a live (not revoked) API key stands for: its merchant and mode, and what the merchant set that every
    /// request of the key needs (its card-testing limits), read with the key in one query.
    package struct KeyHolder: Sendable {
        package let merchantID: MerchantID
        package let mode: APIKeyMode
        /// The merchant's card-testing limits (JSON); nil for the defaults.
        package let cardTesting: String?
        /// The merchant's 3-D Secure policy (JSON); nil for the defaults.
        package var authenticationPolicy: String?
    }

    /// The key with this digest, unless it is revoked at `date`.
    package func key(digest: String, at date: Date) async throws -> KeyHolder? {
        // Plain SQL, not the two models: every API request runs this lookup, and decoding a model reflects over
        // all of its properties.
        let keys = APIKeyModel.schema
        guard
            let row = try await database.sql.select()
                .column(SQLColumn("merchant_id", table: keys), as: "merchant_id")
                .column(SQLColumn("mode", table: keys), as: "mode")
                .column(SQLColumn("card_testing", table: MerchantModel.schema), as: "card_testing")
                .column(SQLColumn("authentication_policy", table: MerchantModel.schema), as: "authentication_policy")
                .from(keys)
                .join(
                    MerchantModel.schema, on: SQLColumn("id", table: MerchantModel.schema), .equal,
                    SQLColumn("merchant_id", table: keys)
                )
                .where(SQLColumn("key_hash", table: keys), .equal, SQLBind(digest))
                .where(group: {
                    $0.where(SQLColumn("revoked_at", table: keys), .is, SQLLiteral.null)
                        .orWhere(SQLColumn("revoked_at", table: keys), .greaterThan, SQLBind(date))
                })
                .first()
        else { return nil }
        return KeyHolder(
            merchantID: MerchantID(try row.decode(column: "merchant_id", as: UUID.self)),
            mode: try row.decode(column: "mode", as: APIKeyMode.self),
            cardTesting: try row.decode(column: "card_testing", as: String?.self),
            authenticationPolicy: try row.decode(column: "authentication_policy", as: String?.self))
    }

    /// The merchant's keys, newest first.
    package func keys(of merchantID: MerchantID) async throws -> [APIKeyRecord] {
        try await APIKeyModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .sort(\.$createdAt, .descending).all()
            .map {
                APIKeyRecord(mode: $0.mode, keyPrefix: $0.keyPrefix, createdAt: $0.createdAt, revokedAt: $0.revokedAt)
            }
    }
}

extension MerchantRecord {
    init(_ model: MerchantModel) {
        self.init(
            id: MerchantID(model.id ?? UUID()), name: model.name, supportPhone: model.supportPhone,
            supportHours: model.supportHours, testOnly: model.testOnly, cardTesting: model.cardTesting,
            authenticationPolicy: model.authenticationPolicy
        )
    }
}
