import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// Sends one webhook request and returns the HTTP status. Throws when no answer came (refused, timed out).
package protocol WebhookSender: Sendable {
    func post(_ url: String, headers: HTTPHeaders, body: Data) async throws -> UInt
}

/// Over HTTP: no redirects followed (a redirect is a failure the merchant should see), a deadline so one slow
/// endpoint cannot hold the outbox, only allowed ports, and a connection to the address `WebhookTargetPolicy`
/// vetted: the request still names the host (and TLS checks its certificate), but the name is not looked up again.
package struct HTTPWebhookSender: WebhookSender {
    package let targets: WebhookTargetPolicy
    package let eventLoopGroup: any EventLoopGroup
    package static let timeout: TimeAmount = .seconds(10)

    package func post(_ url: String, headers: HTTPHeaders, body: Data) async throws -> UInt {
        let components = URLComponents(string: url)
        do {
            if let components { try targets.checkPort(of: components) }
        } catch {
            throw WebhookTargetPolicy.TargetRefused(reason: "the URL's port is not allowed")
        }
        let host = components?.host ?? ""
        let vetted = try await targets.checkDelivery(host: host)
        return try await Self.post(url, headers: headers, body: body, pinnedTo: vetted, group: eventLoopGroup)
    }

    /// Posts `body` to `url`, connecting to `address` instead of what the URL's host resolves to (when given).
    package static func post(
        _ url: String, headers: HTTPHeaders, body: Data, pinnedTo address: String?, group: any EventLoopGroup
    ) async throws -> UInt {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(10)))
        // A refused connection fails the delivery at once, where AsyncHTTPClient would retry it until the deadline:
        // the outbox retries on its own schedule, and a dead endpoint must not hold a dispatcher.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let address, let host = URLComponents(string: url)?.host {
            configuration.dnsOverride = [WebhookTargetPolicy.bare(host): address]
        }
        // A client per delivery: the override is the client's, and deliveries are few.
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers
            request.body = .bytes(ByteBuffer(data: body))
            let response = try await client.execute(request, timeout: Self.timeout)
            try await client.shutdown()
            return response.status.code
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    package init(targets: WebhookTargetPolicy, eventLoopGroup: any EventLoopGroup) {
        self.targets = targets
        self.eventLoopGroup = eventLoopGroup
    }
}
