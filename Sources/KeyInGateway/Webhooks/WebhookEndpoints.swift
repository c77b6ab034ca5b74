import CardVault
import Crypto
import Foundation
import KeyInCore
import KeyInPersistence

/// A merchant's webhook endpoints, the same rules whether the API or the console changes them: checked URL and
/// events, at most ten live endpoints, no internal address unless allowed, a signing secret kept sealed by the
/// vault.
package struct WebhookEndpoints: Sendable {
    package let store: WebhookStore
    package let vault: CardVault
    package let now: @Sendable () -> Date
    package let targets: WebhookTargetPolicy

    package static let maximumEndpoints = 10

    /// Registers an endpoint of `mode` (it hears only about that mode's payments) and returns it with its signing
    /// secret (shown to the merchant once, here).
    package func create(
        merchantID: MerchantID, mode: PaymentMode, url: String?, events: [String]?, description: String?
    ) async throws -> (endpoint: WebhookEndpointRecord, secret: String) {
        let url = try Self.checkURL(url)
        try targets.checkRegistered(host: URLComponents(string: url)?.host ?? "")
        if let components = URLComponents(string: url) { try targets.checkPort(of: components) }
        let events = try Self.checkEvents(events)
        let description = description?.trimmingCharacters(in: .whitespaces)
        if let description, description.count > 200 {
            throw KeyInError(.invalidRequest, param: "description", detail: "up to 200 characters")
        }
        guard try await store.liveEndpointCount(of: merchantID, mode: mode) < Self.maximumEndpoints else {
            throw KeyInError(.invalidRequest, param: "url", detail: "at most \(Self.maximumEndpoints) endpoints")
        }
        let secret = Self.newSecret()
        let sealed = try vault.seal(secret: secret)
        let endpoint = WebhookEndpointRecord(
            merchantID: merchantID, mode: mode, url: url, events: events,
            description: description?.isEmpty == true ? nil : description, secret: sealed, createdAt: now())
        try await store.create(endpoint)
        return (endpoint, secret)
    }

    /// The merchant's endpoint with this id in this mode (removed ones too: their log stays readable).
    package func endpoint(id: UUID?, merchantID: MerchantID, mode: PaymentMode) async throws -> WebhookEndpointRecord {
        guard let id, let endpoint = try await store.endpoint(id: id, merchantID: merchantID, mode: mode) else {
            throw KeyInError(.notFoundWebhook, param: "webhookId")
        }
        return endpoint
    }

    package func secret(of endpoint: WebhookEndpointRecord) throws -> String {
        try vault.openSecret(endpoint.secret)
    }

    /// Stops new events for the endpoint; deliveries still waiting are marked FAILED. Its log stays readable.
    /// Returns the endpoint as it now stands.
    @discardableResult
    package func remove(_ endpoint: WebhookEndpointRecord) async throws -> WebhookEndpointRecord {
        guard endpoint.deletedAt == nil else { return endpoint }
        var removed = endpoint
        removed.deletedAt = now()
        try await store.remove(endpointID: endpoint.id, at: removed.deletedAt ?? now())
        return removed
    }

    /// Sends a FAILED delivery again, now, with a fresh set of retries (after the merchant fixed the endpoint).
    /// Deliveries in any other state are left as they are.
    package func retry(deliveryID: UUID?, of endpoint: WebhookEndpointRecord) async throws -> WebhookDeliveryRecord {
        guard endpoint.deletedAt == nil else { throw KeyInError(.notFoundWebhook, param: "webhookId") }
        guard let deliveryID, let delivery = try await store.delivery(id: deliveryID, endpointID: endpoint.id) else {
            throw KeyInError(.notFoundWebhook, param: "deliveryId")
        }
        guard try await store.resend(deliveryID: delivery.id, at: now().epochMilliseconds) else { return delivery }
        return try await store.delivery(id: deliveryID, endpointID: endpoint.id) ?? delivery
    }

    package static func checkURL(_ text: String?) throws -> String {
        guard let text = text?.trimmingCharacters(in: .whitespaces), text.count <= 500,
            let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
            components.fragment == nil
        else { throw KeyInError(.invalidWebhookURL, param: "url") }
        return text
    }

    /// No list means every event; an empty list or an unknown name is refused.
    package static func checkEvents(_ names: [String]?) throws -> [WebhookEventType] {
        guard let names else { return WebhookEventType.allCases }
        var events: [WebhookEventType] = []
        for name in names {
            guard let event = WebhookEventType(rawValue: name) else {
                throw KeyInError(.invalidRequest, param: "events", detail: "unknown event \(name.prefix(40))")
            }
            if !events.contains(event) { events.append(event) }
        }
        guard !events.isEmpty else { throw KeyInError(.invalidRequest, param: "events") }
        return events
    }

    /// `whsec_` and 32 random bytes, hex.
    package static func newSecret() -> String {
        "whsec_" + SecretToken.random(bytes: 32)
    }
}
