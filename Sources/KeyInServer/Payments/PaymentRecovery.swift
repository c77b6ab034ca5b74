import CardNetworkLink
import Fluent
import Foundation
import ISO8583
import KeyInCore
import Logging

/// Settles what a crash left behind: every payment still IN_PROGRESS is reversed (the card company may have
/// approved it) and marked ABORTED; requests that died mid-way release their idempotency keys.
///
/// Only records older than `staleAfter` are touched, so a process starting up never aborts what another
/// `keyin serve` on the same database is still working on.
struct PaymentRecovery {
    let database: any Database
    let link: CardNetworkLink
    let payments: PaymentService
    let logger: Logger
    let staleAfter: TimeInterval

    @discardableResult
    func settleStalePayments(now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-staleAfter)
        let stale = try await PaymentModel.query(on: database)
            .filter(\.$status == PaymentStatus.inProgress.rawValue)
            .filter(\.$requestedAt < cutoff)
            .all()
        var settled = 0
        for payment in stale {
            if let text = payment.trace,
                let trace = try? JSONDecoder().decode(TransactionTrace.self, from: Data(text.utf8)),
                let currency = Currency(code: payment.currency)
            {
                await NetworkMessageLog(database: database, logger: logger, now: { now }).reversalQueued(
                    trace: trace, paymentID: try payment.requireID(), note: "재시작 후 정리: 답을 받지 못한 요청의 망취소")
                try await link.reverse(
                    originalMessageType: payment.capture ? .financialRequest : .authorizationRequest, trace: trace,
                    amount: Money(minorUnits: payment.totalAmount, currency: currency),
                    companyCode: payment.cardCompanyCode)
            }
            // False when another process on the same database settled it first (its reversal, or this one, is
            // answered like any repeat).
            guard
                try await payments.fail(
                    payment, with: KeyInError(.failedInternalSystemProcessing, detail: "settled after a restart"))
            else { continue }
            settled += 1
            logger.warning(
                "payment left in progress by a crash was reversed", metadata: ["paymentKey": "\(payment.paymentKey)"])
        }
        try await IdempotencyRecordModel.query(on: database)
            .filter(\.$state == "processing").filter(\.$createdAt < cutoff)
            .delete()
        return settled
    }
}
