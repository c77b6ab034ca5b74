import Foundation
import KeyInAPI
import KeyInApp
import KeyInConsole
import KeyInGateway
import KeyInPages
import KeyInSupport
import Testing

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
