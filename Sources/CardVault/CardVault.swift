import Crypto
import Foundation
import KeyInCore

/// The master key: it never encrypts card data itself, only the per-card data keys (envelope encryption), so it
/// can be rotated by re-wrapping small keys instead of re-encrypting every card.
public struct MasterKey: Sendable {
    /// Kept as bytes (swift-crypto's key type is not Sendable); a key object is made when needed.
    private let material: Data
    var key: SymmetricKey { SymmetricKey(data: material) }
    /// Identifies the key without revealing it: stored with every record it wrapped.
    public let id: String

    /// 32 bytes of key material.
    public init(bytes: some ContiguousBytes) throws(CardVaultError) {
        let key = SymmetricKey(data: bytes)
        guard key.bitCount == 256 else { throw .invalidMasterKey }
        self.material = key.withUnsafeBytes { Data($0) }
        let digest = HMAC<SHA256>.authenticationCode(for: Data("keyin-master-key-id".utf8), using: key)
        self.id = Data(digest).prefix(8).hexEncoded
    }

    /// Reads the base64 form used by `KEYIN_MASTER_KEY` and key files.
    public init(base64 text: String) throws(CardVaultError) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .invalidMasterKey
        }
        try self.init(bytes: data)
    }

    public static func generate() -> (key: MasterKey, base64: String) {
        let material = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // 32 random bytes are always a valid key.
        return (try! MasterKey(bytes: material), material.base64EncodedString())
    }
}

/// A card number (or another secret, such as a webhook signing secret) as stored: encrypted under its own data
/// key, which is stored wrapped by the master key.
public struct SealedCard: Hashable, Sendable, Codable {
    /// AES-256-GCM combined form (nonce, ciphertext, tag) of the card number.
    public let ciphertext: Data
    /// The card's data key, sealed with the master key (AES-256-GCM combined form).
    public let wrappedDataKey: Data
    /// Which master key wrapped it.
    public let masterKeyID: String

    public init(ciphertext: Data, wrappedDataKey: Data, masterKeyID: String) {
        self.ciphertext = ciphertext
        self.wrappedDataKey = wrappedDataKey
        self.masterKeyID = masterKeyID
    }
}

public enum CardVaultError: Error, Equatable, CustomStringConvertible {
    /// The master key is not 32 bytes of base64.
    case invalidMasterKey
    /// The record was wrapped by a master key this vault does not hold.
    case unknownMasterKey(id: String)
    /// The record does not decrypt: tampered with, or the wrong key.
    case undecryptable

    public var description: String {
        switch self {
        case .invalidMasterKey: "the master key must be 32 bytes, base64-encoded"
        case .unknownMasterKey(let id): "no master key with id \(id) is configured"
        case .undecryptable: "the card record does not decrypt"
        }
    }
}

/// Seals and opens card numbers, and fingerprints them for fraud checks without keeping them readable.
public struct CardVault: Sendable {
    /// The key new records are wrapped with.
    public let current: MasterKey
    /// Older keys still able to open records until they are re-wrapped.
    private let previous: [MasterKey]
    private let fingerprintKeyMaterial: Data
    private let digestKeyMaterial: Data
    private var fingerprintKey: SymmetricKey { SymmetricKey(data: fingerprintKeyMaterial) }
    private var digestKey: SymmetricKey { SymmetricKey(data: digestKeyMaterial) }

    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        self.previous = previous
        // Derived, so fingerprints stay comparable for as long as the master key lives, and reveal nothing.
        self.fingerprintKeyMaterial = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: current.key, info: Data("keyin-card-fingerprint".utf8), outputByteCount: 32
        ).withUnsafeBytes { Data($0) }
        self.digestKeyMaterial = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: current.key, info: Data("keyin-request-digest".utf8), outputByteCount: 32
        ).withUnsafeBytes { Data($0) }
    }

    /// A keyed hash of a request body, for recognising a repeated request without storing it (it holds card
    /// data, and a plain hash of a card number can be reversed by trying every number).
    public func requestDigest(_ data: some DataProtocol) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(data), using: digestKey)
        return Data(code).hexEncoded
    }

    public func seal(_ number: CardNumber) throws(CardVaultError) -> SealedCard {
        try seal(bytes: Data(number.digits.utf8))
    }

    /// Seals a secret that is not a card number (a webhook endpoint's signing secret), the same way.
    public func seal(secret: String) throws(CardVaultError) -> SealedCard {
        try seal(bytes: Data(secret.utf8))
    }

    public func openSecret(_ sealed: SealedCard) throws(CardVaultError) -> String {
        String(decoding: try openBytes(sealed), as: UTF8.self)
    }

    private func seal(bytes: Data) throws(CardVaultError) -> SealedCard {
        let dataKey = SymmetricKey(size: .bits256)
        do {
            let ciphertext = try AES.GCM.seal(bytes, using: dataKey).combined!
            let wrapped = try AES.GCM.seal(dataKey.withUnsafeBytes { Data($0) }, using: current.key).combined!
            return SealedCard(ciphertext: ciphertext, wrappedDataKey: wrapped, masterKeyID: current.id)
        } catch {
            throw .undecryptable
        }
    }

    public func open(_ sealed: SealedCard) throws(CardVaultError) -> CardNumber {
        guard let number = CardNumber(typed: String(decoding: try openBytes(sealed), as: UTF8.self)) else {
            throw .undecryptable
        }
        return number
    }

    private func openBytes(_ sealed: SealedCard) throws(CardVaultError) -> Data {
        let dataKey = try unwrap(sealed)
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed.ciphertext), using: dataKey)
        } catch {
            throw .undecryptable
        }
    }

    /// The same record with its data key wrapped by the current master key (for `keyin keys rotate`).
    public func rewrap(_ sealed: SealedCard) throws(CardVaultError) -> SealedCard {
        let dataKey = try unwrap(sealed)
        do {
            let wrapped = try AES.GCM.seal(dataKey.withUnsafeBytes { Data($0) }, using: current.key).combined!
            return SealedCard(ciphertext: sealed.ciphertext, wrappedDataKey: wrapped, masterKeyID: current.id)
        } catch {
            throw .undecryptable
        }
    }

    /// A keyed hash of the number: equal for equal cards, useless without the key.
    public func fingerprint(_ number: CardNumber) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(number.digits.utf8), using: fingerprintKey)
        return Data(code).hexEncoded
    }

    private func unwrap(_ sealed: SealedCard) throws(CardVaultError) -> SymmetricKey {
        guard let master = ([current] + previous).first(where: { $0.id == sealed.masterKeyID }) else {
            throw .unknownMasterKey(id: sealed.masterKeyID)
        }
        do {
            return SymmetricKey(
                data: try AES.GCM.open(AES.GCM.SealedBox(combined: sealed.wrappedDataKey), using: master.key))
        } catch {
            throw .undecryptable
        }
    }
}
