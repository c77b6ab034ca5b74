import CardVault
import Crypto
import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// `/v1/webhooks`: a merchant's endpoints and their delivery log.
package struct WebhooksController: RouteCollection {
    package let services: GatewayServices

    package func boot(routes: any RoutesBuilder) throws {
        let webhooks = routes.grouped("webhooks")
        webhooks.on(.POST, body: .collect(maxSize: "16kb"), use: create)
        webhooks.get(use: list)
        webhooks.get(":webhookId", use: show)
        webhooks.delete(":webhookId", use: remove)
        webhooks.get(":webhookId", "deliveries", use: deliveries)
        webhooks.on(
            .POST, ":webhookId", "deliveries", ":deliveryId", "retry", body: .collect(maxSize: "1kb"), use: retry)
    }

    package func create(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request, withheldFields: ["secret"]) {
            let input = try PaymentsController.decode(CreateWebhookRequest.self, from: request)
            let created = try await services.webhookEndpoints().create(
                merchantID: try request.merchantID, mode: try request.paymentMode, url: input.url, events: input.events,
                description: input.description)
            return try PaymentsController.json(
                WebhookEndpointDTO(created.endpoint, secret: created.secret), status: .ok)
        }
    }

    package func list(_ request: Request) async throws -> Response {
        let endpoints = try await services.stores.webhooks.endpoints(
            of: request.merchantID, mode: request.paymentMode, includingRemoved: false)
        return try PaymentsController.json(
            WebhookEndpointList(webhooks: endpoints.map { WebhookEndpointDTO($0, secret: nil) }), status: .ok)
    }

    /// One endpoint, with its signing secret (the merchant's own, behind its secret key).
    package func show(_ request: Request) async throws -> Response {
        let endpoint = try await endpoint(request)
        let secret = try services.webhookEndpoints().secret(of: endpoint)
        return try PaymentsController.json(WebhookEndpointDTO(endpoint, secret: secret), status: .ok)
    }

    /// Stops new events for the endpoint; deliveries still waiting are marked FAILED. Its log stays readable.
    package func remove(_ request: Request) async throws -> Response {
        let endpoint = try await services.webhookEndpoints().remove(try await endpoint(request))
        return try PaymentsController.json(WebhookEndpointDTO(endpoint, secret: nil), status: .ok)
    }

    /// `GET /v1/webhooks/{id}/deliveries?status=FAILED&limit=20`: newest first, each with its attempts.
    package func deliveries(_ request: Request) async throws -> Response {
        let endpoint = try await endpoint(request)
        var status: WebhookDeliveryStatus?
        if let text = request.query[String.self, at: "status"] {
            guard let given = WebhookDeliveryStatus(rawValue: text) else {
                throw KeyInError(.invalidRequest, param: "status")
            }
            status = given
        }
        var limit = 20
        if let text = request.query[String.self, at: "limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw KeyInError(.invalidRequest, param: "limit")
            }
            limit = value
        }
        let store = services.stores.webhooks
        let deliveries = try await store.deliveries(of: endpoint.id, status: status, limit: limit)
        let byDelivery = Dictionary(grouping: try await store.attempts(of: deliveries.map(\.id)), by: \.deliveryID)
        return try PaymentsController.json(
            WebhookDeliveryList(
                deliveries: deliveries.map { WebhookDeliveryDTO($0, attempts: byDelivery[$0.id] ?? []) }),
            status: .ok)
    }

    /// Sends a FAILED delivery again, now, with a fresh set of retries (after the merchant fixed the endpoint).
    package func retry(_ request: Request) async throws -> Response {
        try await services.idempotency(request).run(request) {
            let endpoint = try await endpoint(request)
            let delivery = try await services.webhookEndpoints().retry(
                deliveryID: request.parameters.get("deliveryId").flatMap(UUID.init(uuidString:)), of: endpoint)
            let attempts = try await services.stores.webhooks.attempts(of: [delivery.id])
            return try PaymentsController.json(WebhookDeliveryDTO(delivery, attempts: attempts), status: .ok)
        }
    }

    package func endpoint(_ request: Request) async throws -> WebhookEndpointRecord {
        try await services.webhookEndpoints().endpoint(
            id: request.parameters.get("webhookId").flatMap(UUID.init(uuidString:)), merchantID: request.merchantID,
            mode: request.paymentMode)
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}

package struct CreateWebhookRequest: Content {
    package var url: String?
    package var events: [String]?
    package var description: String?
}

package struct WebhookEndpointDTO: Content {
    package let webhookId: String
    package let url: String
    package let events: [String]
    package let description: String?
    /// Only when the endpoint is made and from `GET /v1/webhooks/{id}`.
    package let secret: String?
    package let createdAt: Date
    package let deletedAt: Date?

    package init(_ endpoint: WebhookEndpointRecord, secret: String?) {
        webhookId = endpoint.id.uuidString.lowercased()
        url = endpoint.url
        events = endpoint.events.map(\.rawValue)
        description = endpoint.description
        self.secret = secret
        createdAt = endpoint.createdAt
        deletedAt = endpoint.deletedAt
    }
}

package struct WebhookEndpointList: Content {
    package let webhooks: [WebhookEndpointDTO]
}

package struct WebhookDeliveryDTO: Content {
    package struct Attempt: Content {
        package let attemptNumber: Int
        package let attemptedAt: Date
        package let responseStatus: Int?
        package let error: String?
        package let durationMs: Int
    }

    package let deliveryId: String
    package let eventType: String
    package let paymentKey: String
    package let status: String
    package let attemptCount: Int
    package let createdAt: Date
    package let nextAttemptAt: Date?
    package let attempts: [Attempt]

    package init(_ delivery: WebhookDeliveryRecord, attempts: [WebhookAttemptRecord]) {
        deliveryId = delivery.id.uuidString.lowercased()
        eventType = delivery.eventType.rawValue
        paymentKey = delivery.paymentKey.rawValue
        status = delivery.status.rawValue
        attemptCount = delivery.attemptCount
        createdAt = delivery.createdAt
        nextAttemptAt =
            delivery.status == .pending
            ? delivery.nextAttemptMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } : nil
        self.attempts = attempts.map {
            Attempt(
                attemptNumber: $0.attemptNumber, attemptedAt: $0.attemptedAt, responseStatus: $0.responseStatus,
                error: $0.error, durationMs: $0.durationMilliseconds)
        }
    }
}

package struct WebhookDeliveryList: Content {
    package let deliveries: [WebhookDeliveryDTO]
}
