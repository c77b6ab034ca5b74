import CardVault
import Crypto
import Fluent
import Foundation
import KeyInCore
import KeyInPersistence

/// A merchant's webhook endpoints, the same rules whether the API or the console changes them: checked URL and
/// events, at most ten live endpoints, no internal address unless allowed, a signing secret kept sealed by the
/// vault.
struct WebhookEndpoints: Sendable {
    let database: any Database
    let vault: CardVault
    let now: @Sendable () -> Date
    let targets: WebhookTargetPolicy

    static let maximumEndpoints = 10

    /// Registers an endpoint and returns it with its signing secret (shown to the merchant once, here).
    func create(merchantID: UUID, url: String?, events: [String]?, description: String?) async throws -> (
        endpoint: WebhookEndpointModel, secret: String
    ) {
        let url = try Self.checkURL(url)
        try targets.checkRegistered(host: URLComponents(string: url)?.host ?? "")
        let events = try Self.checkEvents(events)
        let description = description?.trimmingCharacters(in: .whitespaces)
        if let description, description.count > 200 {
            throw KeyInError(.invalidRequest, param: "description", detail: "up to 200 characters")
        }
        let existing = try await WebhookEndpointModel.query(on: database)
            .filter(\.$merchant.$id == merchantID).filter(\.$deletedAt == nil).count()
        guard existing < Self.maximumEndpoints else {
            throw KeyInError(.invalidRequest, param: "url", detail: "at most \(Self.maximumEndpoints) endpoints")
        }
        let secret = Self.newSecret()
        let sealed = try vault.seal(secret: secret)
        let endpoint = WebhookEndpointModel()
        endpoint.$merchant.id = merchantID
        endpoint.url = url
        endpoint.events = events.map(\.rawValue).joined(separator: ",")
        endpoint.endpointDescription = description?.isEmpty == true ? nil : description
        endpoint.secretCiphertext = sealed.ciphertext
        endpoint.secretWrappedKey = sealed.wrappedDataKey
        endpoint.masterKeyID = sealed.masterKeyID
        endpoint.createdAt = now()
        try await endpoint.create(on: database)
        return (endpoint, secret)
    }

    /// The merchant's endpoint with this id (removed ones too: their log stays readable).
    func endpoint(id: UUID?, merchantID: UUID) async throws -> WebhookEndpointModel {
        guard let id,
            let endpoint = try await WebhookEndpointModel.query(on: database)
                .filter(\.$id == id).filter(\.$merchant.$id == merchantID).first()
        else { throw KeyInError(.notFoundWebhook, param: "webhookId") }
        return endpoint
    }

    func secret(of endpoint: WebhookEndpointModel) throws -> String {
        try vault.openSecret(
            SealedCard(
                ciphertext: endpoint.secretCiphertext, wrappedDataKey: endpoint.secretWrappedKey,
                masterKeyID: endpoint.masterKeyID))
    }

    /// Stops new events for the endpoint; deliveries still waiting are marked FAILED. Its log stays readable.
    func remove(_ endpoint: WebhookEndpointModel) async throws {
        guard endpoint.deletedAt == nil else { return }
        endpoint.deletedAt = now()
        try await database.transaction { database in
            try await endpoint.update(on: database)
            try await WebhookDeliveryModel.query(on: database)
                .filter(\.$endpoint.$id == endpoint.requireID())
                .filter(\.$status == WebhookDeliveryStatus.pending.rawValue)
                .set(\.$status, to: WebhookDeliveryStatus.failed.rawValue)
                .set(\.$nextAttemptMilliseconds, to: nil)
                .set(\.$lastError, to: "endpoint removed")
                .update()
        }
    }

    /// Sends a FAILED delivery again, now, with a fresh set of retries (after the merchant fixed the endpoint).
    /// Deliveries in any other state are left as they are.
    func retry(deliveryID: UUID?, of endpoint: WebhookEndpointModel) async throws -> WebhookDeliveryModel {
        guard endpoint.deletedAt == nil else { throw KeyInError(.notFoundWebhook, param: "webhookId") }
        guard let deliveryID,
            let delivery = try await WebhookDeliveryModel.query(on: database)
                .filter(\.$id == deliveryID).filter(\.$endpoint.$id == endpoint.requireID()).first()
        else { throw KeyInError(.notFoundWebhook, param: "deliveryId") }
        if delivery.status == WebhookDeliveryStatus.failed.rawValue {
            delivery.status = WebhookDeliveryStatus.pending.rawValue
            delivery.attemptCount = 0
            delivery.nextAttemptMilliseconds = now().epochMilliseconds
            try await delivery.update(on: database)
        }
        return delivery
    }

    static func checkURL(_ text: String?) throws -> String {
        guard let text = text?.trimmingCharacters(in: .whitespaces), text.count <= 500,
            let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
            components.fragment == nil
        else { throw KeyInError(.invalidWebhookURL, param: "url") }
        return text
    }

    /// No list means every event; an empty list or an unknown name is refused.
    static func checkEvents(_ names: [String]?) throws -> [WebhookEventType] {
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
    static func newSecret() -> String {
        "whsec_" + SecretToken.random(bytes: 32)
    }
}
