import Crypto
import Foundation
import KeyInCore

/// The signature on every message between the gateway and an ACS, both ways: HMAC-SHA256 under the key the two share,
/// over the time it was signed, the request's method and path, and the body's exact bytes. An answer cannot be
/// altered on the way, moved to another transaction (the ids are in the body) or replayed after `tolerance`.
///
/// Header: `KeyIn-3DS-Signature: t=<unix seconds>,v1=<hex>`.
public struct MessageSignature: Sendable {
    public static let headerName = "KeyIn-3DS-Signature"
    /// How far a signature's time may be from the receiver's clock.
    public static let tolerance: TimeInterval = 300

    /// The key's bytes (swift-crypto's `SymmetricKey` is not `Sendable`; one is made per message).
    private let key: Data

    public init(sharedKey: String) {
        key = Data(sharedKey.utf8)
    }

    /// The header value for `body`, sent on `method` `path` (an answer signs its request's method and path).
    public func sign(method: String, path: String, body: Data, at date: Date) -> String {
        let time = Int(date.timeIntervalSince1970)
        return "t=\(time),v1=\(mac(time: time, method: method, path: path, body: body))"
    }

    public enum Failure: Error, Equatable {
        case missing
        case malformed
        case stale
        case mismatch
    }

    public func verify(_ header: String?, method: String, path: String, body: Data, at date: Date) throws(Failure) {
        guard let header else { throw .missing }
        var time: Int?
        var given: String?
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw .malformed }
            if pair[0] == "t" { time = Int(pair[1]) }
            if pair[0] == "v1" { given = pair[1] }
        }
        guard let time, let given else { throw .malformed }
        guard abs(date.timeIntervalSince1970 - Double(time)) <= Self.tolerance else { throw .stale }
        let expected = mac(time: time, method: method, path: path, body: body)
        // Compared whole, in constant time.
        guard given.utf8.count == expected.utf8.count,
            zip(given.utf8, expected.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        else { throw .mismatch }
    }

    private func mac(time: Int, method: String, path: String, body: Data) -> String {
        var message = Data("\(time)\n\(method)\n\(path)\n".utf8)
        message.append(body)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))).hexEncoded
    }
}

/// The protocol's routes, relative to the ACS's base URL.
public enum AuthenticationRoutes {
    /// `POST`: an `AuthenticationRequest`, answered with an `AuthenticationResult`.
    public static let authenticate = "/3ds/v1/authentications"
    /// `GET` `…/authentications/<serverTransactionID>`: the transaction's result now.
    public static func result(_ serverTransactionID: String) -> String {
        "\(authenticate)/\(serverTransactionID)"
    }
    /// The cardholder's challenge page (`GET`, and `POST` to answer it).
    public static func challenge(_ acsTransactionID: String) -> String { "/3ds/challenge/\(acsTransactionID)" }
    /// The simulator's stand-in for the text message a card company sends: the one-time codes it "sent" (not a part
    /// of the protocol; a real ACS sends them to the cardholder's phone).
    public static let sentCodes = "/3ds/sent-codes"
}
