import CardNetworkLink
import Foundation
import ISO8583
import KeyInCore
import KeyInPersistence
import Logging

/// Settles what a crash left behind: every payment still IN_PROGRESS is reversed (the card company may have
/// approved it) and marked ABORTED; every cancel still IN_PROGRESS is settled (`CancelService.settleOrphaned`);
/// every capture still in flight is reversed, leaving the authorization to be captured again;
/// requests that died mid-way release their idempotency keys, except a key-in payment's, whose repeat is answered
/// from the payment.
///
/// Only work that no live process can still be doing is touched: opened by a process gone silent (see
/// `ProcessHeartbeat`), or older than `staleAfter` whoever opened it.
package struct PaymentRecovery {
    package let links: CardNetworkLinks
    package let payments: PaymentService
    package let cancels: CancelService
    package let logger: Logger
    package let staleAfter: TimeInterval

    @discardableResult
    package func settleOrphans(now: Date, live: LiveProcesses) async throws -> Int {
        let cutoff = now.addingTimeInterval(-staleAfter)
        var settled = 0
        for payment in try await payments.store.orphaned(requestedBefore: cutoff, live: live) {
            if try await settle(payment, now: now) { settled += 1 }
        }
        for cancel in try await cancels.cancels.orphaned(requestedBefore: cutoff, live: live) {
            let settledHere = await attempt("cancel left in progress by a crash", ["cancelId": "\(cancel.id)"]) {
                try await cancels.settleOrphaned(cancel)
            }
            if settledHere { settled += 1 }
        }
        for capture in try await payments.store.capturesInFlight(startedBefore: cutoff, live: live) {
            let withdrawn = await attempt(
                "capture left in flight by a crash", ["paymentKey": "\(capture.payment.paymentKey)"]
            ) { try await cancels.withdrawOrphaned(capture) }
            if withdrawn { settled += 1 }
        }
        try await payments.idempotency.releaseUnfinished(claimedBefore: cutoff, live: live)
        return settled
    }

    /// Settles one piece of orphaned work. One that cannot be settled now (its link has no hosts, its reversal
    /// cannot be kept) waits for the next pass, and the others go on. True when it was settled here.
    private func attempt(
        _ what: String, _ metadata: Logger.Metadata, _ work: () async throws -> Bool
    ) async -> Bool {
        do {
            guard try await work() else { return false }
        } catch {
            var details = metadata
            details["error"] = "\(String(describing: type(of: error)))"
            logger.error("\(what) could not be settled yet", metadata: details)
            return false
        }
        logger.warning("\(what) was settled", metadata: metadata)
        return true
    }

    private func settle(_ payment: PaymentRecord, now: Date) async throws -> Bool {
        var messages: [NetworkMessageRecord] = []
        guard let link = try? links.link(for: payment.mode) else {
            // A live payment on a deployment that no longer names card companies: it waits for them.
            logger.error(
                "a live payment left in progress cannot be reversed: no card-company hosts are configured",
                metadata: ["paymentKey": "\(payment.paymentKey)"])
            return false
        }
        if let trace = payment.trace {
            messages.append(
                NetworkConversation.reversalQueued(trace: trace, note: "재시작 후 정리: 답을 받지 못한 요청의 망취소", at: now))
            try await link.reverse(
                payment.capture ? .financialRequest : .authorizationRequest, trace: trace, of: payment)
        }
        // Not settled here when another process on the same database settled it first (its reversal, or this
        // one, is answered like any repeat).
        let failure = try await payments.fail(
            payment, with: KeyInError(.failedInternalSystemProcessing, detail: "settled after a restart"),
            messages: messages)
        guard failure.settledHere else { return false }
        logger.warning(
            "payment left in progress by a crash was reversed", metadata: ["paymentKey": "\(payment.paymentKey)"])
        return true
    }
}
