import CardNetworkLink
import Foundation
import ISO8583
import KeyInCore
import KeyInPersistence
import Logging

/// Settles what a crash left behind: every payment still IN_PROGRESS is reversed (the card company may have
/// approved it) and marked ABORTED; requests that died mid-way release their idempotency keys.
///
/// Only records older than `staleAfter` are touched, so a process starting up never aborts what another
/// `keyin serve` on the same database is still working on.
package struct PaymentRecovery {
    package let links: CardNetworkLinks
    package let payments: PaymentService
    package let logger: Logger
    package let staleAfter: TimeInterval

    @discardableResult
    package func settleStalePayments(now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-staleAfter)
        var settled = 0
        for payment in try await payments.store.inProgress(requestedBefore: cutoff) {
            var messages: [NetworkMessageRecord] = []
            guard let link = try? links.link(for: payment.mode) else {
                // A live payment on a deployment that no longer names card companies: it waits for them.
                logger.error(
                    "a live payment left in progress cannot be reversed: no card-company hosts are configured",
                    metadata: ["paymentKey": "\(payment.paymentKey)"])
                continue
            }
            if let trace = payment.trace {
                messages.append(
                    NetworkConversation.reversalQueued(
                        trace: trace, note: "재시작 후 정리: 답을 받지 못한 요청의 망취소", at: now))
                try await link.reverse(
                    originalMessageType: payment.capture ? .financialRequest : .authorizationRequest, trace: trace,
                    amount: payment.amount, companyCode: payment.cardCompanyCode)
            }
            // Not settled here when another process on the same database settled it first (its reversal, or this
            // one, is answered like any repeat).
            let failure = try await payments.fail(
                payment, with: KeyInError(.failedInternalSystemProcessing, detail: "settled after a restart"),
                messages: messages)
            guard failure.settledHere else { continue }
            settled += 1
            logger.warning(
                "payment left in progress by a crash was reversed", metadata: ["paymentKey": "\(payment.paymentKey)"])
        }
        try await payments.idempotency.releaseUnfinished(claimedBefore: cutoff)
        return settled
    }
}
