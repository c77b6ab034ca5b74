import Crypto
import Foundation
import KeyInCore

/// Random tokens handed out once (API keys, console sessions, reset links, webhook secrets) and the digests
/// KeyIn keeps of them instead.
package enum SecretToken {
    /// `bytes` random bytes as hex.
    package static func random(bytes: Int) -> String {
        SymmetricKey(size: .init(bitCount: bytes * 8)).withUnsafeBytes { Data($0) }.hexEncoded
    }

    /// The SHA-256 of a token, hex: what is stored and looked up.
    package static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexEncoded
    }
}
