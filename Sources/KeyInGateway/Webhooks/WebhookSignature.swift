import Crypto
import Foundation
import KeyInCore

/// `KeyIn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the endpoint's secret>`. Signing the
/// time with the body lets a receiver refuse replays of an old delivery.
package enum WebhookSignature {
    package static let headerName = "KeyIn-Signature"

    package static func header(secret: String, timestamp: Int64, body: Data) -> String {
        "t=\(timestamp),v1=\(code(secret: secret, timestamp: timestamp, body: body))"
    }

    package static func code(secret: String, timestamp: Int64, body: Data) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).hexEncoded
    }

    /// What a receiver does: recompute and compare (constant time), and refuse old timestamps.
    package static func verify(header: String, secret: String, body: Data, now: Date, tolerance: TimeInterval = 300)
        -> Bool
    {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Data(code(secret: secret, timestamp: timestamp, body: body).utf8)
        return signatures.contains { candidate in
            let given = Data(candidate.utf8)
            return given.count == expected.count && zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
