import CardNetworkLink
import CardNetworkLinkTesting
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("Timeouts and reversals (망취소)", .timeLimit(.minutes(1)))
struct ReversalTests {
    @Test("No answer: after the timeout the link reverses, and the host's ledger shows the sale cancelled")
    func timeoutIsReversed() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009904")) }
        await harness.hostReceives(.financialRequest, card: "4000000000009904")
        harness.clock.advance(by: LinkHarness.responseTimeout)
        let result = await attempt.value
        #expect(result.failureCode == .cardCompanyResponseTimeout)
        #expect(try #require(result.failureError).customerMessage.ko.contains("청구된 금액은 없으니"))
        #expect(await harness.linkEvent(where: isSettled) != nil)
        let ledger = await harness.engine.entries()
        #expect(ledger.map(\.kind) == [.sale, .reversal])
        #expect(ledger.first?.reversed == true)
        #expect(ledger.totals.capturedAmount == 0)
        #expect(try await harness.link.pendingReversals().isEmpty)
    }

    @Test("Nothing happens before the deadline: one tick short of the timeout the request is still waiting")
    func notBeforeDeadline() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009904")) }
        await harness.hostReceives(.financialRequest, card: "4000000000009904")
        harness.clock.advance(by: LinkHarness.responseTimeout - .milliseconds(1))
        // The reversal must not have been queued: an approval could still arrive.
        #expect(try await harness.link.pendingReversals().isEmpty)
        harness.clock.advance(by: .milliseconds(1))
        #expect(await attempt.value.failureCode == .cardCompanyResponseTimeout)
    }

    @Test("A late answer after the timeout is discarded; the reversal settles the sale")
    func lateAnswerIsDiscarded() async throws {
        var issuer = IssuerConfiguration.default
        // Long enough that only the reversal can release the answer: it always arrives after the timeout.
        issuer.lateAnswerMilliseconds = 600_000
        let harness = try await LinkHarness.make(issuer: issuer)
        defer { Task { await harness.shutdown() } }
        let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009912")) }
        await harness.hostReceives(.financialRequest, card: "4000000000009912")
        harness.clock.advance(by: LinkHarness.responseTimeout)
        #expect(await attempt.value.failureCode == .cardCompanyResponseTimeout)
        var sawLate = false
        var sawSettled = false
        for await event in harness.link.events {
            if case .lateResponseDiscarded(_, let code) = event, code == "00" { sawLate = true }
            if isSettled(event) { sawSettled = true }
            if sawLate && sawSettled { break }
        }
        let ledger = await harness.engine.entries()
        #expect(ledger.first?.reversed == true)
        #expect(ledger.totals.capturedAmount == 0)
    }

    @Test("The host drops the connection before answering: reversed on a new connection")
    func droppedConnection() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let result = await harness.authorize(LinkHarness.sale("4000000000009920"))
        #expect(result.failureCode == .cardCompanyConnectionLost)
        #expect(await harness.linkEvent(where: isSettled) != nil)
        #expect(await harness.engine.entries().first?.reversed == true)
        // The link is still usable afterwards.
        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
    }

    @Test("While the host is down the reversal waits; when it returns, the next retry (0401) settles it")
    func retriedUntilHostReturns() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        await harness.link.start()
        let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009904", amount: 77_000)) }
        await harness.hostReceives(.financialRequest, card: "4000000000009904")
        try await harness.stopHost()
        #expect(await attempt.value.failureCode == .cardCompanyConnectionLost)
        let failed = await harness.linkEvent {
            if case .reversalAttemptFailed = $0 { return true }
            return false
        }
        #expect(failed != nil)
        #expect(try await harness.link.pendingReversals().map(\.attempts) == [1])

        try await harness.restartHost()
        harness.clock.advance(by: .seconds(2))
        #expect(await harness.linkEvent(where: isSettled) != nil)
        #expect(try await harness.link.pendingReversals().isEmpty)
        let ledger = await harness.engine.entries()
        #expect(ledger.first?.reversed == true)
        #expect(ledger.last?.kind == .reversal)
        #expect(ledger.last?.posCondition == "08", "the reversal repeats the mail/telephone order's element 25")
    }

    @Test("Pending reversals survive a restart of the gateway and hold no card data")
    func durableAcrossRestarts() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reversals-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let harness = try await LinkHarness.make(store: try JSONFileReversalStore(url: url))
        let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009904")) }
        await harness.hostReceives(.financialRequest, card: "4000000000009904")
        try await harness.stopHost()
        #expect(await attempt.value.failureCode == .cardCompanyConnectionLost)
        _ = await harness.linkEvent {
            if case .reversalAttemptFailed = $0 { return true }
            return false
        }
        await harness.link.shutdown()

        let saved = try String(contentsOf: url, encoding: .utf8)
        #expect(!saved.contains("4000000000009904"))
        #expect(try await JSONFileReversalStore(url: url).all().count == 1)

        // A new gateway process: new link, same store, host back up.
        try await harness.restartHost()
        let restarted = CardNetworkLink(
            configuration: harness.configuration, store: try JSONFileReversalStore(url: url), clock: ManualClock())
        await restarted.start()
        #expect(try await restarted.pendingReversals().isEmpty)
        #expect(await harness.engine.entries().first?.reversed == true)
        await restarted.shutdown()
        try await harness.stopHost()
    }

    @Test("A crashed payment is reversed from its stored trace, under the condition (element 25) it was sold under")
    func reverseFromTrace() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let trace = harness.trace()
        var sale = LinkHarness.sale("4242424242424242", amount: 33_000)
        sale.posCondition = .ecommerce
        _ = try await harness.link.authorize(sale, trace: trace)
        try await harness.link.reverse(
            originalMessageType: .financialRequest, trace: trace, amount: .krw(33_000), posCondition: .ecommerce,
            companyCode: "41")
        #expect(await harness.linkEvent(where: isSettled) != nil)
        let ledger = await harness.engine.entries()
        #expect(ledger.first?.reversed == true)
        #expect(ledger.totals.capturedAmount == 0)
        #expect(ledger.map(\.kind) == [.sale, .reversal])
        #expect(ledger.map(\.posCondition) == ["59", "59"])
    }

    private func isSettled(_ event: LinkEvent) -> Bool {
        if case .reversalSettled = event { return true }
        return false
    }
}

extension Result where Failure == KeyInError {
    var failureError: KeyInError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
