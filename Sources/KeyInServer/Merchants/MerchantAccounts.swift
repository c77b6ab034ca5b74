import Crypto
import Fluent
import Foundation
import KeyInPersistence

/// Merchants and their secret keys. A key is shown once, when made; only its SHA-256 is stored.
struct MerchantAccounts {
    let database: any Database

    enum Mode: String {
        case test, live
    }

    struct CreatedMerchant {
        let merchantID: UUID
        let name: String
        let secretKey: String
    }

    func create(name: String, mode: Mode = .test) async throws -> CreatedMerchant {
        let merchant = MerchantModel(name: name)
        try await merchant.create(on: database)
        let secret = try await issueKey(for: merchant.requireID(), mode: mode)
        return CreatedMerchant(merchantID: try merchant.requireID(), name: name, secretKey: secret)
    }

    /// A new key for the merchant; with `revokingOthersAfter`, every earlier key of that mode stops working then
    /// (now, or after a grace period in which the merchant's servers switch to the new key).
    func issueKey(for merchantID: UUID, mode: Mode, revokingOthersAfter revokeAt: Date? = nil) async throws -> String {
        if let revokeAt {
            try await APIKeyModel.query(on: database)
                .filter(\.$merchant.$id == merchantID).filter(\.$mode == mode.rawValue)
                .group(.or) { $0.filter(\.$revokedAt == nil).filter(\.$revokedAt > revokeAt) }
                .set(\.$revokedAt, to: revokeAt)
                .update()
        }
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let secret =
            "\(mode.rawValue)_sk_"
            + random.base64EncodedString()
            .replacingOccurrences(of: "+", with: "").replacingOccurrences(of: "/", with: "")
            .replacingOccurrences(of: "=", with: "").prefix(32)
        let model = APIKeyModel(
            merchantID: merchantID, mode: mode.rawValue, keyHash: Self.hash(secret),
            keyPrefix: String(secret.prefix(12)))
        try await model.create(on: database)
        return secret
    }

    /// The merchant a secret key belongs to, if the key is not (yet) revoked.
    func merchant(forSecretKey secret: String, now: Date = Date()) async throws -> (merchantID: UUID, mode: Mode)? {
        let matching = APIKeyModel.query(on: database).filter(\.$keyHash == Self.hash(secret))
            .group(.or) { $0.filter(\.$revokedAt == nil).filter(\.$revokedAt > now) }
        guard let key = try await matching.first() else { return nil }
        return (key.$merchant.id, Mode(rawValue: key.mode) ?? .test)
    }

    static func hash(_ secret: String) -> String {
        SecretToken.digest(secret)
    }
}
