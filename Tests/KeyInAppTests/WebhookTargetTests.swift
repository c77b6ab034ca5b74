import Foundation
import KeyInAPI
import KeyInApp
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInSupport
import Synchronization
import Testing
import Vapor

@Suite("Webhooks never reach the gateway's own network in production")
struct WebhookTargetTests {
    @Test(
        "Internal and public addresses, however they are written",
        arguments: [
            ("10.1.2.3", true), ("172.16.5.4", true), ("172.31.255.255", true), ("172.32.0.1", false),
            ("192.168.0.10", true), ("127.0.0.1", true), ("127.1", true), ("2130706433", true), ("0x7f000001", true),
            ("169.254.169.254", true), ("100.64.0.1", true), ("0.0.0.0", true), ("224.0.0.1", true),
            ("8.8.8.8", false), ("1.1.1.1", false), ("211.45.27.231", false), ("::1", true), ("::", true),
            ("fe80::1", true), ("fd12:3456::1", true), ("::ffff:127.0.0.1", true), ("::ffff:8.8.8.8", false),
            ("2001:4860:4860::8888", false), ("64:ff9b::a9fe:a9fe", true), ("64:ff9b::808:808", false),
            ("2002:7f00:1::1", true), ("2002:808:808::1", false), ("::10.0.0.1", true), ("fec0::1", true),
            ("2001:0:4136:e378::1", true), ("64:ff9b:1::1", true),
        ])
    func classification(address: String, isInternal: Bool) throws {
        let parsed = WebhookTargetPolicy.addresses(of: address, numericOnly: true)
        #expect(!parsed.isEmpty, "\(address) did not parse")
        #expect(parsed.allSatisfy { WebhookTargetPolicy.isInternal($0) == isInternal }, "\(address)")
    }

    @Test("Registration refuses plainly internal hosts in production and allows them in development")
    func registration() throws {
        let production = WebhookTargetPolicy(allowInternal: false)
        for host in ["localhost", "LOCALHOST.", "admin.localhost", "db.internal", "printer.local", "[::1]", "10.0.0.5"]
        {
            #expect(throws: (any Error).self, "\(host)") { try production.checkRegistered(host: host) }
        }
        try production.checkRegistered(host: "shop.example")
        try production.checkRegistered(host: "211.45.27.231")
        try WebhookTargetPolicy(allowInternal: true).checkRegistered(host: "localhost")
    }

    @Test("Only ports 443 and 80 by default, at registration and before each delivery")
    func ports() async throws {
        let standard = WebhookTargetPolicy(allowInternal: true)
        for url in ["https://shop.example/hook", "https://shop.example:443/hook", "http://shop.example/hook"] {
            try standard.checkPort(of: try #require(URLComponents(string: url)))
        }
        for url in ["https://shop.example:8443/hook", "http://shop.example:6379/", "http://127.0.0.1:22/"] {
            #expect(throws: KeyInError.self, "\(url)") {
                try standard.checkPort(of: try #require(URLComponents(string: url)))
            }
        }
        try WebhookTargetPolicy(allowInternal: true, allowedPorts: nil).checkPort(
            of: try #require(URLComponents(string: "http://127.0.0.1:6379/")))

        try await GatewayHarness.with(webhookPorts: WebhookTargetPolicy.standardPorts) { gateway in
            let refused = try await gateway.send(.POST, "v1/webhooks", json: ["url": "https://shop.example:8443/hook"])
            #expect(refused.body["code"] as? String == "INVALID_WEBHOOK_URL")
            let accepted = try await gateway.send(.POST, "v1/webhooks", json: ["url": "https://shop.example/hook"])
            #expect(accepted.status == .ok)
        }
    }

    @Test("A failed attempt is logged as a kind of failure, never the error text with the addresses it reached")
    func genericAttemptErrors() {
        struct Failure: Error, CustomStringConvertible { let description: String }
        let cases = [
            ("connect(descriptor:addr:size:): Connection refused (errno: 111) 10.0.3.7:6379", "connection refused"),
            ("NIOConnectionError(host: 10.9.8.7, port: 5432)", "connection failed"),
            ("HTTPClientError.deadlineExceeded", "timed out"),
            ("NIOSSLError.handshakeFailed(BoringSSL: CERTIFICATE_VERIFY_FAILED 192.168.0.4)", "TLS handshake failed"),
            ("remote connection closed at 172.16.0.9", "connection closed without an answer"),
        ]
        for (text, kind) in cases {
            #expect(WebhookDispatcher.describe(Failure(description: text)) == kind, "\(text)")
        }
        let refused = WebhookTargetPolicy.TargetRefused(reason: "the host resolves to an internal address")
        #expect(WebhookDispatcher.describe(refused) == refused.description)
    }

    @Test("A delivery connects to the address that was vetted and never looks the name up again")
    func pinnedDelivery() async throws {
        let hosts = ReceivedHosts()
        let receiver = try await Application.make(.testing)
        receiver.on(.POST, "hook", body: .collect(maxSize: "1kb")) { request -> HTTPStatus in
            hosts.names.withLock { $0.append(request.headers.first(name: .host) ?? "") }
            return .ok
        }
        do {
            try await receiver.server.start(address: .hostname("127.0.0.1", port: 0))
            try await pinnedDelivery(to: receiver, hosts: hosts)
        } catch {
            await receiver.server.shutdown()
            try? await receiver.asyncShutdown()
            throw error
        }
        // A server started by hand is stopped by hand before its application.
        await receiver.server.shutdown()
        try await receiver.asyncShutdown()
    }

    final class ReceivedHosts: Sendable {
        let names = Mutex<[String]>([])
    }

    func pinnedDelivery(to receiver: Application, hosts: ReceivedHosts) async throws {
        let port = try #require(receiver.http.server.shared.localAddress?.port)
        // A name that resolves nowhere: only a connection to the pinned address can reach the receiver.
        let url = "http://hooks.shop.invalid:\(port)/hook"
        let status = try await HTTPWebhookSender.post(
            url, headers: ["Content-Type": "application/json"], body: Data("{}".utf8), pinnedTo: "127.0.0.1",
            group: receiver.eventLoopGroup)
        #expect(status == 200)
        #expect(hosts.names.withLock { $0 } == ["hooks.shop.invalid:\(port)"])
        await #expect(throws: (any Error).self) {
            try await HTTPWebhookSender.post(
                url, headers: [:], body: Data(), pinnedTo: nil, group: receiver.eventLoopGroup)
        }
        #expect(WebhookTargetPolicy.text(of: [203, 0, 113, 9]) == "203.0.113.9")
        #expect(
            WebhookTargetPolicy.text(of: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
                == "2001:db8:0:0:0:0:0:1")
    }

    @Test("A delivery to a name that resolves to an internal address is refused before connecting")
    func delivery() async throws {
        await #expect(throws: WebhookTargetPolicy.TargetRefused.self) {
            try await WebhookTargetPolicy(allowInternal: false).checkDelivery(host: "localhost")
        }
        // A name that does not resolve is not let through to a lookup of the HTTP client's own.
        await #expect(throws: WebhookTargetPolicy.TargetRefused.self) {
            try await WebhookTargetPolicy(allowInternal: false).checkDelivery(host: "no-such-host.invalid")
        }
        try await WebhookTargetPolicy(allowInternal: true).checkDelivery(host: "localhost")
    }
}
