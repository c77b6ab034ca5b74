import CardNetworkLink
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("Circuit breaker and maintenance windows", .timeLimit(.minutes(1)))
struct BreakerAndMaintenanceTests {
    @Test("Timeouts over half the window's calls open the breaker: requests fail at once, unsent; an echo closes it")
    func breaker() async throws {
        let harness = try await LinkHarness.make(tweak: { configuration in
            // Two calls judge; each timeout takes 10 s, so the window must reach back past both.
            configuration.breakerMinimumCalls = 2
            configuration.breakerWindow = .seconds(60)
            configuration.breakerOpenDuration = .seconds(5)
        })
        defer { Task { await harness.shutdown() } }
        for _ in 1...2 {
            let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009904")) }
            await harness.hostReceives(.financialRequest, card: "4000000000009904")
            harness.clock.advance(by: LinkHarness.responseTimeout)
            #expect(await attempt.value.failureCode == .cardCompanyResponseTimeout)
        }
        #expect(await harness.link.isBreakerOpen(forCompany: "41"))

        let refused = await harness.authorize(LinkHarness.sale("4242424242424242"))
        #expect(refused.failureCode == .cardCompanyUnavailable)
        #expect(refused.failureError?.retryAt != nil)
        let sales = await harness.engine.entries().filter { $0.kind == .sale }
        #expect(sales.count == 2, "the refused request must not have reached the host")

        // Before the pause is over no probe goes; after it, a successful echo closes the breaker.
        #expect(await harness.link.checkHealth(forCompany: "41") == false)
        harness.clock.advance(by: .seconds(5))
        #expect(await harness.link.checkHealth(forCompany: "41"))
        #expect(await !harness.link.isBreakerOpen(forCompany: "41"))
        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
    }

    @Test("A lost connection counts once: ten requests lost with it leave the breaker closed, and the next pays")
    func lostConnectionCountsOnce() async throws {
        let harness = try await LinkHarness.make(tweak: { configuration in
            // One connection, so every request shares the one that drops; three calls are enough to judge.
            configuration.connectionsPerHost = 1
            configuration.breakerMinimumCalls = 3
        })
        defer { Task { await harness.shutdown() } }
        for _ in 1...2 { #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil) }
        var waiting: [Task<Result<CardApproval, KeyInError>, Never>] = []
        for _ in 1...9 {
            waiting.append(Task { await harness.authorize(LinkHarness.sale("4000000000009904")) })
            await harness.hostReceives(.financialRequest, card: "4000000000009904")
        }
        let dropping = await harness.authorize(LinkHarness.sale("4000000000009920"))
        #expect(dropping.failureCode == .cardCompanyConnectionLost)
        for attempt in waiting { #expect(await attempt.value.failureCode == .cardCompanyConnectionLost) }
        // Counted one by one, ten lost requests against two successes would have opened it.
        #expect(await !harness.link.isBreakerOpen(forCompany: "41"))
        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
    }

    @Test("A host that stops answering is taken as down within 5 seconds, and live payments close the breaker again")
    func stalledHostDetected() async throws {
        let harness = try await LinkHarness.make(tweak: { configuration in
            configuration.stallTimeout = .seconds(4)
            configuration.breakerOpenDuration = .seconds(5)
        })
        defer { Task { await harness.shutdown() } }
        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
        var waiting: [Task<Result<CardApproval, KeyInError>, Never>] = []
        for _ in 1...3 {
            waiting.append(Task { await harness.authorize(LinkHarness.sale("4000000000009904")) })
            await harness.hostReceives(.financialRequest, card: "4000000000009904")
        }
        // Four seconds of silence with three requests waiting: the breaker opens then, not at their timeouts.
        harness.clock.advance(by: .seconds(4))
        _ = await harness.linkEvent { if case .breakerOpened = $0 { true } else { false } }
        #expect(await harness.link.isBreakerOpen(forCompany: "41"))
        let refused = await harness.authorize(LinkHarness.sale("4242424242424242"))
        #expect(refused.failureCode == .cardCompanyUnavailable)
        #expect(await harness.engine.entries().filter { $0.kind == .sale }.count == 4, "nothing more was sent")

        // The waiting requests still get their own timeouts, and are reversed.
        harness.clock.advance(by: LinkHarness.responseTimeout)
        for attempt in waiting { #expect(await attempt.value.failureCode == .cardCompanyResponseTimeout) }
        // After the pause, a live payment is let through as a probe; its approval closes the breaker.
        let probe = await harness.authorize(LinkHarness.sale("4242424242424242"))
        #expect(probe.failureCode == nil)
        #expect(await !harness.link.isBreakerOpen(forCompany: "41"))
    }

    @Test("A host that cannot be reached: CARD_COMPANY_UNAVAILABLE, nothing sent, nothing to reverse")
    func unreachableHost() async throws {
        // A port held by a socket that never listens: refused, and no test alongside can be given it.
        let nobody = try PortReservation()
        let harness = try await LinkHarness.make(tweak: { configuration in
            configuration.hosts = ["default": .init(host: "127.0.0.1", port: nobody.port)]
        })
        defer { Task { await harness.shutdown() } }
        let result = await harness.authorize(LinkHarness.sale("4242424242424242"))
        #expect(result.failureCode == .cardCompanyUnavailable, "\(result)")
        #expect(try await harness.link.pendingReversals().isEmpty)
        withExtendedLifetime(nobody) {}
    }

    @Test("In the card company's maintenance window: NOT_AVAILABLE_PAYMENT with the Seoul time it ends")
    func maintenance() async throws {
        // 23:55 in Seoul; 하나카드 (21) is in its default 23:50–00:10 window, 신한카드 is not.
        let lateEvening = try Date("2026-11-24T23:55:00+09:00", strategy: .iso8601)
        let harness = try await LinkHarness.make(now: { lateEvening })
        defer { Task { await harness.shutdown() } }
        let result = await harness.authorize(LinkHarness.sale("4111111111111111"))
        let error = try #require(result.failureError)
        #expect(error.code == .notAvailablePayment)
        #expect(error.retryAt == (try Date("2026-11-25T00:10:00+09:00", strategy: .iso8601)))
        #expect(error.customerMessage.ko.contains("00:10 이후에 다시 결제해 주세요"))
        #expect(await harness.authorize(LinkHarness.sale("4242424242424242")).failureCode == nil)
    }
}
