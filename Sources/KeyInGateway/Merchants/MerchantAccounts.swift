import Crypto
import Foundation
import KeyInCore
import KeyInPersistence

/// Merchants and their secret keys. A key is shown once, when made; only its SHA-256 is stored.
package struct MerchantAccounts {
    package let store: MerchantStore

    package typealias Mode = APIKeyMode

    package struct CreatedMerchant {
        package let merchantID: MerchantID
        package let name: String
        package let secretKey: String
    }

    /// A merchant with its first key. `testOnly` merchants (the demo merchant) never get a live key.
    package func create(name: String, mode: Mode = .test, testOnly: Bool = false) async throws -> CreatedMerchant {
        let merchant = try await store.create(name: name, testOnly: testOnly)
        let secret = try await issueKey(for: merchant.id, mode: mode)
        return CreatedMerchant(merchantID: merchant.id, name: name, secretKey: secret)
    }

    /// A new key for the merchant; with `revokingOthersAfter`, every earlier key of that mode stops working then
    /// (now, or after a grace period in which the merchant's servers switch to the new key).
    package func issueKey(for merchantID: MerchantID, mode: Mode, revokingOthersAfter revokeAt: Date? = nil)
        async throws
        -> String
    {
        if mode == .live, try await store.merchant(id: merchantID)?.testOnly == true {
            throw TestOnlyMerchant()
        }
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let secret =
            "\(mode.rawValue)_sk_"
            + random.base64EncodedString()
            .replacingOccurrences(of: "+", with: "").replacingOccurrences(of: "/", with: "")
            .replacingOccurrences(of: "=", with: "").prefix(32)
        try await store.addKey(
            merchantID: merchantID, mode: mode, digest: Self.hash(secret), prefix: String(secret.prefix(12)),
            revokingOthersAt: revokeAt)
        return secret
    }

    /// The merchant a secret key belongs to, if the key is not (yet) revoked.
    package func merchant(forSecretKey secret: String, now: Date) async throws -> MerchantStore.KeyHolder? {
        try await store.key(digest: Self.hash(secret), at: now)
    }

    package static func hash(_ secret: String) -> String {
        SecretToken.digest(secret)
    }

    /// A live key asked for a test-only merchant (the demo merchant).
    package struct TestOnlyMerchant: Error, CustomStringConvertible {
        package var description: String { "this merchant is test-only (the demo merchant): it never gets a live key" }
    }

    package init(store: MerchantStore) {
        self.store = store
    }
}
