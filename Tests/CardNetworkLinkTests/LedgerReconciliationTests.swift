import CardNetworkLink
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("Captures, refunds and reconciliation with the host's ledger", .timeLimit(.minutes(1)))
struct LedgerReconciliationTests {
    @Test("Authorize then capture (0100, 0220); refund in parts (0200/200000), never past the sale")
    func captureAndRefund() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let card = CardNumber(typed: "4242424242424242")!
        let hold = try await harness.authorize(LinkHarness.sale("4242424242424242", amount: 80_000, capture: false))
            .get()
        #expect(await harness.engine.entries().totals.heldAmount == 80_000)
        let capture = try await harness.link.followUp(
            CardFollowUpRequest(
                kind: .capture, cardNumber: card, amount: .krw(80_000), originalRRN: hold.retrievalReferenceNumber,
                companyCode: "41"),
            trace: harness.trace())
        var totals = await harness.engine.entries().totals
        #expect(totals.heldAmount == 0 && totals.capturedAmount == 80_000)

        for amount in [30_000, 50_000] as [Int64] {
            _ = try await harness.link.followUp(
                CardFollowUpRequest(
                    kind: .refund, cardNumber: card, amount: .krw(amount),
                    originalRRN: capture.retrievalReferenceNumber, companyCode: "41"),
                trace: harness.trace())
        }
        await #expect(throws: KeyInError.self) {
            try await harness.link.followUp(
                CardFollowUpRequest(
                    kind: .refund, cardNumber: card, amount: .krw(1), originalRRN: capture.retrievalReferenceNumber,
                    companyCode: "41"),
                trace: harness.trace())
        }
        await #expect(throws: KeyInError(.rejectInvalidTransaction, detail: "response code 12")) {
            try await harness.link.followUp(
                CardFollowUpRequest(
                    kind: .refund, cardNumber: card, amount: .krw(1), originalRRN: "000000000000", companyCode: "41"),
                trace: harness.trace())
        }
        totals = await harness.engine.entries().totals
        #expect(totals.capturedAmount == 0)
    }

    @Test("What the link reports approved equals what the host's ledger holds, through declines and a timeout")
    func reconciliation() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        var approvedTotal: Int64 = 0
        let plan: [(String, Int64)] = [
            ("4242424242424242", 12_000), ("4000000000000002", 5_000), ("5555555555554444", 250_000),
            ("4000000000009995", 9_000), ("378282246310005", 64_000), ("4000000000000564", 1_000),
        ]
        for (number, amount) in plan {
            if case .success = await harness.authorize(LinkHarness.sale(number, amount: amount)) {
                approvedTotal += amount
            }
        }
        let attempt = Task { await harness.authorize(LinkHarness.sale("4000000000009904", amount: 99_000)) }
        await harness.hostReceives(.financialRequest, card: "4000000000009904")
        harness.clock.advance(by: LinkHarness.responseTimeout)
        _ = await attempt.value
        _ = await harness.linkEvent {
            if case .reversalSettled = $0 { return true }
            return false
        }
        let ledger = await harness.engine.entries()
        #expect(ledger.totals.capturedAmount == approvedTotal)
        #expect(approvedTotal == 326_000)
        #expect(ledger.totals.declinedCount == 3)
        #expect(ledger.totals.reversedCount == 1)
        let json = String(decoding: LedgerDocument(entries: ledger).json(), as: UTF8.self)
        for (number, _) in plan { #expect(!json.contains(number), "the ledger must not hold full card numbers") }
    }
}

extension LedgerReconciliationTests {
    @Test(
        "Element 37: KeyIn sends its own; a host that assigns its own, echoes KeyIn's or leaves it out all work",
        arguments: [IssuerConfiguration.ReferenceNumbers.assigns, .echoes, .omits])
    func referenceNumbers(host: IssuerConfiguration.ReferenceNumbers) async throws {
        var issuer = IssuerConfiguration.default
        issuer.referenceNumbers = host
        let harness = try await LinkHarness.make(issuer: issuer)
        defer { Task { await harness.shutdown() } }
        let card = CardNumber(typed: "4242424242424242")!
        let hold = try await harness.authorize(LinkHarness.sale("4242424242424242", amount: 50_000, capture: false))
            .get()
        var sent: String?
        for await message in harness.engine.received where message.mti == .authorizationRequest {
            sent = message[.retrievalReferenceNumber]
            break
        }
        let assigned = try #require(sent)
        #expect(assigned.count == 12 && assigned.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) })
        let kept = try #require(
            await harness.engine.entries().first(where: { $0.kind == .authorization })?.retrievalReferenceNumber)
        #expect((kept == assigned) == (host != .assigns))
        // The approval stands (no reversal as a format error), under the reference the host keeps it by.
        #expect(hold.retrievalReferenceNumber == kept)
        #expect(try await harness.link.pendingReversals().isEmpty)
        let capture = try await harness.link.followUp(
            CardFollowUpRequest(
                kind: .capture, cardNumber: card, amount: .krw(50_000), originalRRN: hold.retrievalReferenceNumber,
                companyCode: "41"),
            trace: harness.trace())
        _ = try await harness.link.followUp(
            CardFollowUpRequest(
                kind: .refund, cardNumber: card, amount: .krw(50_000), originalRRN: capture.retrievalReferenceNumber,
                companyCode: "41"),
            trace: harness.trace())
        let totals = await harness.engine.entries().totals
        #expect(totals.capturedAmount == 0 && totals.heldAmount == 0 && totals.reversedCount == 0)
    }
}
