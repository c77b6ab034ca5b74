import CardNetworkLink
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("Every test card through the link", .timeLimit(.minutes(1)))
struct TestCardTests {
    @Test(
        "Approving cards come back with an approval number and RRN",
        arguments: ["4242424242424242", "5555555555554444", "378282246310005", "3566002020360505", "6200000000000005"])
    func approvals(number: String) async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let approval = try await harness.authorize(LinkHarness.sale(number)).get()
        #expect(approval.approvalCode.count == 6)
        #expect(approval.retrievalReferenceNumber.count == 12)
        let ledger = await harness.engine.entries()
        #expect(ledger.count == 1)
        #expect(ledger.first?.retrievalReferenceNumber == approval.retrievalReferenceNumber)
        #expect(ledger.first?.kind == .sale && ledger.first?.isApproved == true)
    }

    @Test(
        "Declining cards map to their catalog codes",
        arguments: [
            ("4000000000000002", ErrorCode.rejectCardCompany),
            ("4000000000009995", .rejectCardPayment),
            ("4000000000009987", .invalidCardLostOrStolen),
            ("4000000000009979", .invalidCardLostOrStolen),
            ("4000000000000069", .expiredCard),
            ("4000000000000127", .invalidCardCVC),
            ("4000000000000119", .cardProcessingError),
            ("4000000000000614", .exceedMaxOneDayAmount),
            ("4000000000000622", .invalidStoppedCard),
            ("4000000000000556", .invalidCardPassword),
            ("4000000000000564", .invalidCardIdentity),
            ("4000000000000911", .cardCompanyUnavailable),
            ("4000000000000572", .notAllowedCardTransaction),
        ])
    func declines(number: String, code: ErrorCode) async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let result = await harness.authorize(LinkHarness.sale(number))
        #expect(result.failureCode == code)
        let ledger = await harness.engine.entries()
        #expect(ledger.map(\.isApproved) == [false])
        #expect(try await harness.link.pendingReversals().isEmpty)
    }

    @Test("A request that cannot be encoded is refused unsent; the connection and the breaker are untouched")
    func unencodable() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let good = LinkHarness.sale("4242424242424242")
        var bad = good
        bad.cvc = "１２３"  // full-width digits: not the element's ASCII
        let inFlight = Task { await harness.authorize(LinkHarness.sale("5555555555554444")) }
        #expect(await harness.authorize(bad).failureCode == .failedInternalSystemProcessing)
        #expect(try await inFlight.value.get().approvalCode.count == 6)
        #expect(try await harness.authorize(good).get().approvalCode.count == 6)
        #expect(await harness.engine.entries().count == 2)
        #expect(try await harness.link.pendingReversals().isEmpty)
    }

    @Test(
        "The host's own checks: unknown number 14, amount 13, installments under 50,000 won 12, wrong identity and password"
    )
    func hostChecks() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        #expect(await harness.authorize(LinkHarness.sale("4242424242424241")).failureCode == .invalidCardNumber)
        #expect(
            await harness.authorize(LinkHarness.sale("4242424242424242", amount: 100_000_001)).failureCode
                == .exceedMaxAmount)
        #expect(
            await harness.authorize(LinkHarness.sale("4242424242424242", amount: 30_000, installments: 3)).failureCode
                == .rejectInvalidTransaction)
        var wrongIdentity = LinkHarness.sale("4242424242424242")
        wrongIdentity.customerIdentity = CustomerIdentityNumber(parsing: "850505")
        #expect(await harness.authorize(wrongIdentity).failureCode == .invalidCardIdentity)
        var wrongPassword = LinkHarness.sale("4242424242424242")
        wrongPassword.cardPasswordDigits = "99"
        #expect(await harness.authorize(wrongPassword).failureCode == .invalidCardPassword)
        var corporate = LinkHarness.sale("4242424242424242")
        corporate.customerIdentity = CustomerIdentityNumber(parsing: "124-81-00998")
        #expect(await harness.authorize(corporate).failureCode == nil)
    }

    @Test("Over the limit is 51; the limit comes back when a sale is refunded")
    func creditLimit() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let first = try await harness.authorize(LinkHarness.sale("5555555555554444", amount: 4_000_000)).get()
        #expect(
            await harness.authorize(LinkHarness.sale("5555555555554444", amount: 2_000_000)).failureCode
                == .rejectCardPayment)
        let refund = CardFollowUpRequest(
            kind: .refund, cardNumber: CardNumber(typed: "5555555555554444")!, amount: .krw(1_000_000),
            originalRRN: first.retrievalReferenceNumber, companyCode: "11")
        _ = try await harness.link.followUp(refund, trace: harness.trace())
        #expect(await harness.authorize(LinkHarness.sale("5555555555554444", amount: 2_000_000)).failureCode == nil)
    }

    @Test("The same STAN and time sent twice is a duplicate transmission (94)")
    func duplicate() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let trace = harness.trace()
        _ = try await harness.link.authorize(LinkHarness.sale("4242424242424242"), trace: trace)
        await #expect(throws: KeyInError(.cardCompanyDuplicateTransmission, detail: "response code 94")) {
            try await harness.link.authorize(LinkHarness.sale("4242424242424242"), trace: trace)
        }
    }

    @Test("Fifty requests in flight on one connection each get their own answer")
    func manyInFlight() async throws {
        let harness = try await LinkHarness.make()
        defer { Task { await harness.shutdown() } }
        let results = await withTaskGroup(of: (Int64, Result<CardApproval, KeyInError>).self) { group in
            for index in 1...50 {
                group.addTask {
                    let amount = Int64(1_000 + index)
                    return (amount, await harness.authorize(LinkHarness.sale("4242424242424242", amount: amount)))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let approvals = try results.map { try $0.1.get() }
        #expect(Set(approvals.map(\.retrievalReferenceNumber)).count == 50)
        let ledger = await harness.engine.entries()
        // Each answer went to the request that asked: its RRN is the one the host gave that amount.
        for (amount, result) in results {
            let rrn = try result.get().retrievalReferenceNumber
            #expect(ledger.first { $0.retrievalReferenceNumber == rrn }?.amount == amount)
        }
    }
}

extension Result where Failure == KeyInError {
    var failureCode: ErrorCode? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
