import Foundation
import NIOCore
import Vapor

/// Sends one webhook request and returns the HTTP status. Throws when no answer came (refused, timed out).
package protocol WebhookSender: Sendable {
    func post(_ url: String, headers: HTTPHeaders, body: Data) async throws -> UInt
}

/// Over HTTP with Vapor's client: no redirects followed (a redirect is a failure the merchant should see), and a
/// deadline so one slow endpoint cannot hold the outbox.
package struct HTTPWebhookSender: WebhookSender {
    package let client: any Client
    package let targets: WebhookTargetPolicy
    package static let timeout: TimeAmount = .seconds(10)

    package func post(_ url: String, headers: HTTPHeaders, body: Data) async throws -> UInt {
        let components = URLComponents(string: url)
        do {
            if let components { try targets.checkPort(of: components) }
        } catch {
            throw WebhookTargetPolicy.TargetRefused(reason: "the URL's port is not allowed")
        }
        try await targets.checkDelivery(host: components?.host ?? "")
        let response = try await client.post(URI(string: url), headers: headers) { request in
            request.body = ByteBuffer(data: body)
            request.timeout = Self.timeout
        }
        return response.status.code
    }

    package init(client: any Client, targets: WebhookTargetPolicy) {
        self.client = client
        self.targets = targets
    }
}
