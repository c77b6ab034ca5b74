import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// `Authorization: Basic base64(secretKey + ":")`, as the Korean PGs take it. Everything under /v1 needs it.
package struct MerchantAuthenticator: AsyncMiddleware {
    /// The merchants' keys, and the gateway's clock: a rotated key works until its grace period ends.
    package let services: GatewayServices

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let header = request.headers.first(name: .authorization) else {
            throw KeyInError(.unauthorizedKey, detail: "no Authorization header")
        }
        guard header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { throw KeyInError(.incorrectBasicAuthFormat) }
        let secret = String(credentials[..<colon])
        guard
            let merchant = try await MerchantAccounts(store: services.stores.merchants).merchant(
                forSecretKey: secret, now: services.now())
        else {
            throw KeyInError(.unauthorizedKey)
        }
        var key = AuthenticatedMerchantKey.Value(merchantID: merchant.merchantID, mode: merchant.mode)
        key.apiKey = (MerchantAccounts.hash(secret), String(secret.prefix(12)))
        key.cardTesting = CardTestingSettings(stored: merchant.cardTesting)
        key.authenticationPolicy = AuthenticationPolicy(stored: merchant.authenticationPolicy)
        request.storage[AuthenticatedMerchantKey.self] = key
        return try await next.respond(to: request)
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}

package enum AuthenticatedMerchantKey: StorageKey {
    /// The merchant whose key it is, and the key's mode.
    package struct Value: Sendable {
        package let merchantID: MerchantID
        package let mode: PaymentMode
        /// The API key's digest and printable prefix, when an API key signed the request (the card-testing rules
        /// count by it).
        package var apiKey: (digest: String, prefix: String)?
        /// The merchant's card-testing limits, when the key's lookup brought them (a payment then reads no merchant).
        package var cardTesting: CardTestingSettings?
        /// The merchant's 3-D Secure policy, read with the key likewise.
        package var authenticationPolicy: AuthenticationPolicy?

        package init(merchantID: MerchantID, mode: PaymentMode) {
            self.merchantID = merchantID
            self.mode = mode
        }
    }
}

extension Request {
    /// The merchant whose key signed this request; every query is scoped to it.
    package var merchantID: MerchantID {
        get throws {
            guard let key = storage[AuthenticatedMerchantKey.self] else { throw KeyInError(.unauthorizedKey) }
            return key.merchantID
        }
    }

    /// The mode of the key that signed this request: a test key sees and makes only test payments, links and
    /// webhook endpoints; a live key only live ones. Every query is scoped to it too.
    package var paymentMode: PaymentMode {
        get throws {
            guard let key = storage[AuthenticatedMerchantKey.self] else { throw KeyInError(.unauthorizedKey) }
            return key.mode
        }
    }
}
