import CardNetworkLink
import CardVault
import Foundation
import ISO8583
import KeyInCore
import KeyInPersistence
import Logging

/// Cancels and captures. A cancel first takes its amount off the balance in one conditional update (so
/// concurrent cancels can never exceed the balance, and a second cancel within a second is refused), records
/// the cancel IN_PROGRESS, then asks the card company; a refusal puts the amount back.
package struct CancelService: Sendable {
    package let payments: PaymentStore
    package let cancels: CancelStore
    /// A cancel or capture goes where its payment went: the link of the payment's mode.
    package let links: CardNetworkLinks
    package let vault: CardVault
    package let logger: Logger
    package let now: @Sendable () -> Date
    /// Where the payment's pages are reached (its receipt), for the webhooks' Payment.
    package let publicBaseURL: String
    /// This process, recorded on each cancel it begins (`ProcessRegistry`).
    package var processID: UUID?

    package static let consecutiveWindowMilliseconds: Int64 = 1000

    package struct CancelRequest {
        package let reason: String
        package let amount: Int64?
        /// The tax-free part of `amount`; nil takes all that is left tax-free on a full cancel, none on a partial.
        package let taxFreeAmount: Int64?
        package let refundableAmount: Int64?

        package init(reason: String, amount: Int64?, taxFreeAmount: Int64? = nil, refundableAmount: Int64?) {
            self.reason = reason
            self.amount = amount
            self.taxFreeAmount = taxFreeAmount
            self.refundableAmount = refundableAmount
        }
    }

    package func cancel(_ payment: PaymentRecord, _ request: CancelRequest) async throws -> PaymentRecord {
        let status = payment.status
        switch status {
        case .canceled: throw KeyInError(.alreadyCanceledPayment)
        case .waitingForAuthentication, .inProgress, .aborted: throw KeyInError(.notCancelablePayment)
        case .waitingForCapture, .done, .partialCanceled: break
        }
        if let refundable = request.refundableAmount, refundable != payment.balanceAmount {
            throw KeyInError(.notMatchesRefundableAmount, param: "refundableAmount")
        }
        let amount = request.amount ?? payment.balanceAmount
        guard amount > 0, amount <= payment.balanceAmount else {
            throw KeyInError(.notCancelableAmount, param: "cancelAmount")
        }
        if status == .waitingForCapture && amount != payment.balanceAmount {
            // An authorization is released whole or captured; it cannot be partly cancelled.
            throw KeyInError(
                .notCancelableAmount, param: "cancelAmount", detail: "authorizations are cancelled in full")
        }
        let link = try links.link(for: payment.mode)
        let taxFree = try Self.taxFreePart(
            of: amount, requested: request.taxFreeAmount, payment: payment,
            earlier: try await cancels.cancels(of: payment.id))

        // 1. Reserve the amount atomically, and record the cancel, before anything is sent.
        let trace = link.newTrace(
            terminalID: PaymentService.terminalID(for: payment.merchantID),
            merchantID: PaymentService.acceptorID(for: payment.merchantID))
        // A reason is free text: a card number typed into it is masked before it is kept.
        var cancel = CancelRecord(
            paymentID: payment.id, amount: amount, reason: request.reason.cardNumbersMasked, trace: trace,
            requestedAt: now())
        cancel.taxFreeAmount = taxFree
        cancel.openedBy = processID
        let void = status == .waitingForCapture
        // A void reverses the authorization: the link keeps the reversal durably and repeats it until the card
        // company answers; the answer (0410) joins the timeline when it comes (`DatabaseReversalStore.settle`).
        let sent =
            void
            ? payment.trace.map { NetworkConversation.reversalQueued(trace: $0, note: "승인 취소: 원거래 망취소", at: now()) }
            : NetworkConversation.sent("0200", trace: trace, note: "환불 요청 (처리코드 200000)", at: now())
        try await begin(cancel, sent: sent, expectedRefundable: request.refundableAmount)

        // 2. The card company: a refund of a captured sale, or a reversal (void) of an authorization.
        var answers: [NetworkMessageRecord] = []
        do {
            if void {
                guard let original = payment.trace else { throw KeyInError(.notCancelablePayment) }
                try await link.reverse(.authorizationRequest, trace: original, of: payment)
            } else {
                guard let rrn = payment.retrievalReferenceNumber else { throw KeyInError(.notCancelablePayment) }
                let number = try await cardNumber(of: payment.id)
                let approval = try await link.followUp(
                    CardFollowUpRequest(
                        kind: .refund, cardNumber: number,
                        amount: Money(minorUnits: amount, currency: payment.amount.currency), originalRRN: rrn,
                        companyCode: payment.cardCompanyCode,
                        posCondition: PaymentOrigin(recordedFor: payment).posCondition),
                    trace: trace)
                answers.append(
                    NetworkConversation.answered("0210", trace: trace, approvalCode: approval.approvalCode, at: now()))
                cancel.approveNo = approval.approvalCode
            }
        } catch {
            let catalogError = (error as? KeyInError) ?? KeyInError(.failedInternalSystemProcessing)
            try await refuse(cancel, of: payment, trace: trace, void: void, error: catalogError)
            throw Self.followUpWasWithdrawn(catalogError)
                ? KeyInError(.cancelOrCaptureNotCompleted)
                : KeyInError(
                    catalogError.code == .rejectInvalidTransaction ? .refundRejected : catalogError.code,
                    detail: catalogError.detail)
        }

        return try await complete(cancel, answers: answers)
    }

    /// Step 3 of a cancel the card company accepted: the outcome, through the state machine, with its webhooks.
    /// When the cancel was settled elsewhere first (crash recovery), what is stored stands.
    private func complete(_ cancel: CancelRecord, answers: [NetworkMessageRecord]) async throws -> PaymentRecord {
        var cancel = cancel
        cancel.status = .done
        cancel.canceledAt = now()
        guard var settled = try await payments.payment(id: cancel.paymentID) else {
            throw KeyInError(.notFoundPayment)
        }
        let payment = settled
        let from = settled.status
        guard let to = PaymentStateMachine.next(after: from, on: .canceled(remaining: settled.balanceAmount)) else {
            logger.error("refused status change", metadata: ["paymentKey": "\(payment.paymentKey)", "event": "cancel"])
            throw KeyInError(.failedInternalSystemProcessing)
        }
        settled.status = to
        let at = now()
        // Cancels need no guard on the status: their balance update is already atomic.
        var settlement = PaymentStore.Settlement(payment: settled, from: from, code: nil, onlyIfUnchanged: false)
        settlement.cancel = cancel
        settlement.messages = answers
        settlement.shredCard = settled.balanceAmount == 0
        let doneCancels =
            try await cancels.cancels(of: payment.id).filter { $0.status == .done && $0.id != cancel.id }
            + [cancel]
        settlement.webhooks = [
            WebhookPayloads.paymentStatusChanged(settled, cancels: doneCancels, baseURL: publicBaseURL, at: at),
            WebhookPayloads.cancelStatusChanged(
                settled, cancels: doneCancels, cancel: cancel, baseURL: publicBaseURL, at: at),
        ]
        guard try await payments.settle(settlement, at: at) else {
            return try await settledElsewhere(cancel)
        }
        return settled
    }

    /// The payment as stored after its cancel was settled by another process; an error when that settled it
    /// without the cancel.
    private func settledElsewhere(_ cancel: CancelRecord) async throws -> PaymentRecord {
        let stored = try await cancels.cancels(of: cancel.paymentID).first { $0.id == cancel.id }
        guard stored?.status == .done, let payment = try await payments.payment(id: cancel.paymentID) else {
            throw KeyInError(.cancelOrCaptureNotCompleted)
        }
        return payment
    }

    /// Settles a cancel a crashed process left IN_PROGRESS (`PaymentRecovery`). A void goes through: its reversal of
    /// the authorization is sent again (kept and repeated until answered; the card company answers a repeat as
    /// done), and the payment is cancelled. A refund may or may not have reached the card company: it is reversed,
    /// and the cancel is ABORTED with its amount back on the balance. False when another process settled it first.
    package func settleOrphaned(_ cancel: CancelRecord) async throws -> Bool {
        guard let payment = try await payments.payment(id: cancel.paymentID) else { return false }
        let link = try links.link(for: payment.mode)
        if payment.status == .waitingForCapture, let original = payment.trace {
            try await link.reverse(.authorizationRequest, trace: original, of: payment)
            do {
                _ = try await complete(cancel, answers: [])
                return true
            } catch let error as KeyInError where error.code == .cancelOrCaptureNotCompleted {
                return false
            }
        }
        guard let trace = cancel.trace else { return false }
        try await payments.log(
            [NetworkConversation.reversalQueued(trace: trace, note: "재시작 후 정리: 답을 받지 못한 환불의 망취소", at: now())],
            paymentID: payment.id)
        try await link.reverse(
            .financialRequest, trace: trace, of: payment, processingCode: ProcessingCode.refund,
            amount: Money(minorUnits: cancel.amount, currency: payment.amount.currency))
        return try await refuse(
            cancel, of: payment, trace: trace, void: false,
            error: KeyInError(.failedInternalSystemProcessing, detail: "settled after a restart"))
    }

    /// How much of a cancel is tax-free: what was asked, never more than the cancel or than what is left tax-free,
    /// and never leaving more tax-free than is left to cancel. Left out, the least that keeps that true: all that
    /// is left on a full cancel, none on a partial one unless the balance left would be smaller than the tax-free
    /// part.
    static func taxFreePart(
        of amount: Int64, requested: Int64?, payment: PaymentRecord, earlier: [CancelRecord]
    ) throws -> Int64 {
        let taxFreeLeft = payment.taxFreeAmount - earlier.taxFreeTaken
        let balanceAfter = payment.balanceAmount - amount
        let taxFree = requested ?? min(amount, max(0, taxFreeLeft - balanceAfter))
        guard (0...min(amount, taxFreeLeft)).contains(taxFree) else {
            throw KeyInError(
                .invalidRequest, param: "taxFreeAmount", detail: "0 to the cancel amount and the tax-free amount left")
        }
        guard taxFreeLeft - taxFree <= balanceAfter else {
            throw KeyInError(
                .invalidRequest, param: "taxFreeAmount",
                detail: "the tax-free amount left (\(taxFreeLeft - taxFree)) would exceed the balance left")
        }
        return taxFree
    }

    /// A refund or void the card company refused (or never answered): the amount goes back on the balance and
    /// the cancel is ABORTED, with its webhook. False when the cancel was settled elsewhere first.
    @discardableResult
    private func refuse(
        _ cancel: CancelRecord, of payment: PaymentRecord, trace: TransactionTrace, void: Bool, error: KeyInError
    ) async throws -> Bool {
        var refused = cancel
        refused.status = .aborted
        refused.failureCode = error.code
        let at = now()
        // As it will be once the refusal is written: the amount back on the balance (the same transaction).
        var fresh = try await payments.payment(id: payment.id) ?? payment
        fresh.balanceAmount += cancel.amount
        let done = try await cancels.cancels(of: payment.id).filter { $0.status == .done }
        guard
            try await cancels.refuse(
                refused,
                messages: NetworkConversation.failed(void ? "0410" : "0210", trace: trace, error: error, at: at),
                merchantID: payment.merchantID, mode: payment.mode, paymentKey: payment.paymentKey,
                webhooks: [
                    WebhookPayloads.cancelStatusChanged(
                        fresh, cancels: done, cancel: refused, baseURL: publicBaseURL, at: at)
                ], at: at)
        else { return false }
        logger.notice("cancel refused", metadata: ["paymentKey": "\(payment.paymentKey)", "code": "\(error.code)"])
        return true
    }

    /// Captures an authorization (0220). The capture is marked in flight on the payment before the 0220 goes, so
    /// that no second capture or void runs beside it, and so that crash recovery can withdraw it (reverse the 0220)
    /// if this process dies before the outcome is written.
    package func capture(_ payment: PaymentRecord) async throws -> PaymentRecord {
        try Self.checkCapturable(payment)
        guard let rrn = payment.retrievalReferenceNumber else { throw KeyInError(.notCapturablePayment) }
        let link = try links.link(for: payment.mode)
        let number = try await cardNumber(of: payment.id)
        let trace = link.newTrace(
            terminalID: PaymentService.terminalID(for: payment.merchantID),
            merchantID: PaymentService.acceptorID(for: payment.merchantID))
        guard
            try await payments.beginCapture(
                of: payment.id, trace: trace, by: processID, at: now(),
                sent: NetworkConversation.sent("0220", trace: trace, note: "매입 요청", at: now()))
        else {
            // Changed since it was read: captured or cancelled meanwhile, or a capture or void is in flight now.
            let current = try await payments.payment(id: payment.id) ?? payment
            try Self.checkCapturable(current)
            throw KeyInError(.forbiddenConsecutiveRequest, detail: "a capture or cancel of this payment is in progress")
        }
        let answer: NetworkMessageRecord
        do throws(KeyInError) {
            let approval = try await link.followUp(
                CardFollowUpRequest(
                    kind: .capture, cardNumber: number, amount: payment.amount, originalRRN: rrn,
                    companyCode: payment.cardCompanyCode, posCondition: PaymentOrigin(recordedFor: payment).posCondition
                ),
                trace: trace)
            answer = NetworkConversation.answered("0230", trace: trace, approvalCode: approval.approvalCode, at: now())
        } catch {
            _ = try? await payments.endCapture(
                of: payment.id, trace: trace,
                messages: NetworkConversation.failed("0230", trace: trace, error: error, at: now()))
            throw Self.followUpWasWithdrawn(error) ? KeyInError(.cancelOrCaptureNotCompleted) : error
        }
        var captured = payment
        captured.status = .done
        let at = now()
        var settlement = PaymentStore.Settlement(
            payment: captured, from: .waitingForCapture, code: nil, onlyIfUnchanged: true)
        settlement.messages = [answer]
        settlement.capture = trace
        settlement.webhooks = [
            WebhookPayloads.paymentStatusChanged(captured, cancels: [], baseURL: publicBaseURL, at: at)
        ]
        guard try await payments.settle(settlement, at: at) else {
            // Crash recovery in another process took this capture for a dead process's and withdrew it (its 0220 is
            // reversed): the payment is still an authorization, and the capture can be sent again.
            try? await payments.log([answer], paymentID: payment.id)
            logger.warning(
                "capture approved after recovery had withdrawn it", metadata: ["paymentKey": "\(payment.paymentKey)"])
            throw KeyInError(.cancelOrCaptureNotCompleted)
        }
        return captured
    }

    /// Withdraws a capture a crashed process left in flight (`PaymentRecovery`): its 0220 may have reached the card
    /// company, so it is reversed (kept and repeated until answered), and the payment stays an authorization that
    /// can be captured again. False when the capture ended elsewhere first.
    package func withdrawOrphaned(_ capture: PaymentStore.CaptureInFlight) async throws -> Bool {
        let payment = capture.payment
        try await links.link(for: payment.mode).reverse(.financialAdvice, trace: capture.trace, of: payment)
        return try await payments.endCapture(
            of: payment.id, trace: capture.trace,
            messages: [
                NetworkConversation.reversalQueued(
                    trace: capture.trace, note: "재시작 후 정리: 답을 받지 못한 매입의 망취소", at: now())
            ])
    }

    private static func checkCapturable(_ payment: PaymentRecord) throws {
        switch payment.status {
        case .waitingForCapture: return
        case .done, .partialCanceled: throw KeyInError(.alreadyProcessedPayment)
        case .canceled: throw KeyInError(.alreadyCanceledPayment)
        default: throw KeyInError(.notCapturablePayment)
        }
    }

    /// A timeout or a broken connection on a refund or capture: the link has reversed that request, so the
    /// payment is as it was. The payment-worded codes ("nothing was charged") would mislead here.
    package static func followUpWasWithdrawn(_ error: KeyInError) -> Bool {
        error.code == .cardCompanyResponseTimeout || error.code == .cardCompanyConnectionLost
    }

    /// Records the cancel and takes its amount off the balance, if it is still there and no cancel was accepted in
    /// the last second; or says why not.
    private func begin(_ cancel: CancelRecord, sent: NetworkMessageRecord?, expectedRefundable: Int64?) async throws {
        let nowMilliseconds = now().epochMilliseconds
        let cutoff = nowMilliseconds - Self.consecutiveWindowMilliseconds
        guard try await !cancels.begin(cancel, sent: sent, at: nowMilliseconds, noCancelAfter: cutoff) else {
            return
        }
        let paymentID = cancel.paymentID
        if try await payments.payment(id: paymentID)?.captureInFlight == true {
            throw KeyInError(.forbiddenConsecutiveRequest, detail: "a capture of this payment is in progress")
        }
        // Refused: say why, from what is there now.
        guard let current = try await payments.payment(id: paymentID) else { throw KeyInError(.notFoundPayment) }
        if let last = try await cancels.lastCancelMilliseconds(of: paymentID), last > cutoff {
            throw KeyInError(.forbiddenConsecutiveRequest)
        }
        if let expectedRefundable, expectedRefundable != current.balanceAmount {
            throw KeyInError(.notMatchesRefundableAmount, param: "refundableAmount")
        }
        throw KeyInError(.notCancelableAmount, param: "cancelAmount")
    }

    private func cardNumber(of paymentID: UUID) async throws -> CardNumber {
        guard let sealed = try await payments.card(of: paymentID) else {
            throw KeyInError(.notCancelablePayment, detail: "card data no longer held")
        }
        return try vault.open(sealed)
    }
}
