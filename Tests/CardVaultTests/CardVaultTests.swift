import CardVault
import Foundation
import KeyInCore
import Testing

@Suite("Card data at rest")
struct CardVaultTests {
    let card = CardNumber(typed: "4242424242424242")!

    @Test("A sealed card opens to the same number, and its bytes do not contain it")
    func roundTrip() throws {
        let vault = CardVault(current: MasterKey.generate().key)
        let sealed = try vault.seal(card)
        #expect(try vault.open(sealed) == card)
        for blob in [sealed.ciphertext, sealed.wrappedDataKey] {
            #expect(!String(decoding: blob, as: UTF8.self).contains("4242424242424242"))
        }
        // Every card has its own data key: sealing twice gives different bytes.
        #expect(try vault.seal(card).ciphertext != sealed.ciphertext)
    }

    @Test("Tampering or the wrong master key is refused")
    func refused() throws {
        let vault = CardVault(current: MasterKey.generate().key)
        var sealed = try vault.seal(card)
        let other = CardVault(current: MasterKey.generate().key)
        #expect(throws: CardVaultError.unknownMasterKey(id: sealed.masterKeyID)) { try other.open(sealed) }
        var bytes = [UInt8](sealed.ciphertext)
        bytes[bytes.count - 1] ^= 0x01
        sealed = SealedCard(
            ciphertext: Data(bytes), wrappedDataKey: sealed.wrappedDataKey, masterKeyID: sealed.masterKeyID)
        #expect(throws: CardVaultError.undecryptable) { try vault.open(sealed) }
    }

    @Test("Rotation: records re-wrapped under a new master key open with it alone")
    func rotation() throws {
        let old = MasterKey.generate().key
        let new = MasterKey.generate().key
        let sealed = try CardVault(current: old).seal(card)
        let rotating = CardVault(current: new, previous: [old])
        let rewrapped = try rotating.rewrap(sealed)
        #expect(rewrapped.masterKeyID == new.id)
        #expect(rewrapped.ciphertext == sealed.ciphertext)
        #expect(try CardVault(current: new).open(rewrapped) == card)
    }

    @Test("Fingerprints match for the same card, differ across cards and keys, and hide the number")
    func fingerprints() {
        let key = MasterKey.generate().key
        let vault = CardVault(current: key)
        let other = CardNumber(typed: "5555555555554444")!
        #expect(vault.fingerprint(card) == CardVault(current: key).fingerprint(card))
        #expect(vault.fingerprint(card) != vault.fingerprint(other))
        #expect(vault.fingerprint(card) != CardVault(current: MasterKey.generate().key).fingerprint(card))
        #expect(!vault.fingerprint(card).contains("424242"))
    }

    @Test("Master keys must be 32 bytes of base64")
    func masterKeyFormat() throws {
        #expect(throws: CardVaultError.invalidMasterKey) { try MasterKey(base64: "c2hvcnQ=") }
        #expect(throws: CardVaultError.invalidMasterKey) { try MasterKey(base64: "not base64!") }
        let (key, text) = MasterKey.generate()
        #expect(try MasterKey(base64: text).id == key.id)
    }
}
