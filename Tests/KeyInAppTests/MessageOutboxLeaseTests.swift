import CardNetworkLink
import CardVault
import Foundation
import KeyInAPI
import KeyInApp
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInSupport
import Logging
import Synchronization
import Testing
import Vapor

/// A sender whose first send waits until the test lets it go: the message is then in flight in one process while
/// the test asks another to send.
final class HeldMessageSender: MessageSender, Sendable {
    private let state = Mutex<(held: CheckedContinuation<Void, Never>?, holding: Bool, sent: [String])>(
        (nil, false, []))
    private let (heldStream, heldContinuation) = AsyncStream<Void>.makeStream()

    func send(channel: MessageChannel, to recipient: String, body: String) async throws -> String {
        await withCheckedContinuation { continuation in
            state.withLock {
                $0.sent.append(body)
                $0.held = continuation
                $0.holding = true
            }
            heldContinuation.yield()
        }
        return "SENT"
    }

    /// Returns once a send is waiting.
    func waitUntilHeld() async {
        for await _ in heldStream { return }
    }

    func release() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.held = nil }
            return state.held
        }?.resume()
    }

    var sent: [String] { state.withLock { $0.sent } }
}

@Suite(
    "Customer messages from several gateways on one PostgreSQL",
    .enabled(if: GatewayHarness.postgresURL != nil), .timeLimit(.minutes(2)))
struct MessageOutboxLeaseTests {
    @Test("A message one gateway is sending is not sent by another: it is claimed under a lease, and sent once")
    func leasedMessagesAreSentOnce() async throws {
        let admin = try #require(GatewayHarness.postgresURL)
        let first = try await Application.make(.testing)
        let second = try await Application.make(.testing)
        let held = HeldMessageSender()
        let other = CapturingMessageSender()
        let logger = Logger(label: "outbox-lease")
        do {
            let url = try await PostgresTestDatabase.create(adminURL: admin, app: first)
            let vault = CardVault(current: MasterKey.generate().key)
            let links = CardNetworkLinks(test: CardNetworkLink(configuration: .init(hosts: [:])), live: nil)
            let one = try await configure(
                first, storage: .postgres(url: url), links: links, vault: vault, messageSender: held)
            let two = try await configure(
                second, storage: .postgres(url: url), links: links, vault: vault, messageSender: other)
            let merchant = try await one.createMerchant(name: "문자 상점", live: false)
            try await one.messages(logger).enqueue(
                .sms, to: "010-1234-5678", body: "결제 링크입니다", about: "payment_link:lease",
                merchantID: MerchantID(merchant.id))

            let sending = Task { try await one.sendPendingMessages(logger: logger) }
            await held.waitUntilHeld()
            // In flight in the first gateway: the second finds nothing to send.
            #expect(try await two.sendPendingMessages(logger: logger) == 0)
            held.release()
            #expect(try await sending.value == 1)
            // Sent: nobody sends it again.
            #expect(try await two.sendPendingMessages(logger: logger) == 0)
            #expect(held.sent == ["결제 링크입니다"] && other.sent.isEmpty)
        } catch {
            held.release()
            try? await first.asyncShutdown()
            try? await second.asyncShutdown()
            throw error
        }
        try await first.asyncShutdown()
        try await second.asyncShutdown()
    }
}
