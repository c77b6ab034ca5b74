import CardNetworkLink
import CardVault
import Fluent
import FluentSQL
import Foundation
import ISO8583
import KeyInCore
import Logging

/// Cancels and captures. A cancel first takes its amount off the balance in one conditional update (so
/// concurrent cancels can never exceed the balance, and a second cancel within a second is refused), records
/// the cancel IN_PROGRESS, then asks the card company; a refusal puts the amount back.
struct CancelService: Sendable {
    let database: any Database
    let link: CardNetworkLink
    let vault: CardVault
    let payments: PaymentService
    let logger: Logger
    let now: @Sendable () -> Date

    static let consecutiveWindowMilliseconds: Int64 = 1000

    struct CancelRequest {
        let reason: String
        let amount: Int64?
        let refundableAmount: Int64?
    }

    func cancel(_ payment: PaymentModel, _ request: CancelRequest) async throws -> PaymentModel {
        guard let status = PaymentStatus(rawValue: payment.status) else {
            throw KeyInError(.failedInternalSystemProcessing)
        }
        switch status {
        case .canceled: throw KeyInError(.alreadyCanceledPayment)
        case .inProgress, .aborted: throw KeyInError(.notCancelablePayment)
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

        // 1. Reserve the amount atomically, and record the cancel, before anything is sent.
        let paymentID = try payment.requireID()
        try await reserve(amount, of: paymentID, expectedRefundable: request.refundableAmount)
        let cancel = CancelModel()
        cancel.$payment.id = paymentID
        cancel.amount = amount
        cancel.reason = request.reason
        cancel.status = "IN_PROGRESS"
        cancel.requestedAt = now()
        let trace = link.newTrace(
            terminalID: PaymentService.terminalID(for: payment.$merchant.id),
            merchantID: PaymentService.acceptorID(for: payment.$merchant.id))
        cancel.trace = String(decoding: try JSONEncoder().encode(trace), as: UTF8.self)
        try await cancel.create(on: database)

        // 2. The card company: a refund of a captured sale, or a reversal (void) of an authorization.
        let currency = Currency(code: payment.currency) ?? .krw
        let network = NetworkMessageLog(database: database, logger: logger, now: now)
        let void = status == .waitingForCapture
        do {
            if void {
                let original = try JSONDecoder().decode(TransactionTrace.self, from: Data((payment.trace ?? "").utf8))
                // The link keeps the reversal durably and repeats it until the card company answers; the answer
                // (0410) joins this timeline when it comes (`DatabaseReversalStore.settle`).
                await network.reversalQueued(trace: original, paymentID: paymentID, note: "승인 취소: 원거래 망취소")
                try await link.reverse(
                    originalMessageType: .authorizationRequest, trace: original,
                    amount: Money(minorUnits: payment.totalAmount, currency: currency),
                    companyCode: payment.cardCompanyCode)
            } else {
                guard let rrn = payment.retrievalReferenceNumber else { throw KeyInError(.notCancelablePayment) }
                let number = try await cardNumber(of: paymentID)
                await network.sent("0200", trace: trace, paymentID: paymentID, note: "환불 요청 (처리코드 200000)")
                let approval = try await link.followUp(
                    CardFollowUpRequest(
                        kind: .refund, cardNumber: number, amount: Money(minorUnits: amount, currency: currency),
                        originalRRN: rrn, companyCode: payment.cardCompanyCode),
                    trace: trace)
                await network.answered("0210", trace: trace, paymentID: paymentID, approvalCode: approval.approvalCode)
                cancel.approveNo = approval.approvalCode
            }
        } catch {
            let catalogError = (error as? KeyInError) ?? KeyInError(.failedInternalSystemProcessing)
            await network.failed(void ? "0410" : "0210", trace: trace, paymentID: paymentID, error: catalogError)
            try await release(amount, of: paymentID)
            cancel.status = "ABORTED"
            cancel.failureCode = catalogError.code.rawValue
            let refusedAt = now()
            try await database.transaction { database in
                try await cancel.update(on: database)
                if let fresh = try await PaymentModel.find(paymentID, on: database) {
                    try await WebhookOutbox(database: database).enqueue(
                        .cancelStatusChanged, payment: fresh, cancel: cancel, at: refusedAt)
                }
            }
            logger.notice(
                "cancel refused", metadata: ["paymentKey": "\(payment.paymentKey)", "code": "\(catalogError.code)"])
            throw Self.followUpWasWithdrawn(catalogError)
                ? KeyInError(.cancelOrCaptureNotCompleted)
                : KeyInError(
                    catalogError.code == .rejectInvalidTransaction ? .refundRejected : catalogError.code,
                    detail: catalogError.detail)
        }

        // 3. The outcome, through the state machine.
        cancel.status = "DONE"
        cancel.canceledAt = now()
        guard let fresh = try await PaymentModel.find(paymentID, on: database) else {
            throw KeyInError(.notFoundPayment)
        }
        try await payments.applyCancel(fresh, cancel: cancel)
        return fresh
    }

    func capture(_ payment: PaymentModel) async throws -> PaymentModel {
        guard payment.status == PaymentStatus.waitingForCapture.rawValue else {
            switch PaymentStatus(rawValue: payment.status) {
            case .done?, .partialCanceled?: throw KeyInError(.alreadyProcessedPayment)
            case .canceled?: throw KeyInError(.alreadyCanceledPayment)
            default: throw KeyInError(.notCapturablePayment)
            }
        }
        guard let rrn = payment.retrievalReferenceNumber else { throw KeyInError(.notCapturablePayment) }
        let number = try await cardNumber(of: try payment.requireID())
        let trace = link.newTrace(
            terminalID: PaymentService.terminalID(for: payment.$merchant.id),
            merchantID: PaymentService.acceptorID(for: payment.$merchant.id))
        let network = NetworkMessageLog(database: database, logger: logger, now: now)
        let paymentID = try payment.requireID()
        await network.sent("0220", trace: trace, paymentID: paymentID, note: "매입 요청")
        do throws(KeyInError) {
            let approval = try await link.followUp(
                CardFollowUpRequest(
                    kind: .capture, cardNumber: number,
                    amount: Money(minorUnits: payment.totalAmount, currency: Currency(code: payment.currency) ?? .krw),
                    originalRRN: rrn, companyCode: payment.cardCompanyCode),
                trace: trace)
            await network.answered("0230", trace: trace, paymentID: paymentID, approvalCode: approval.approvalCode)
        } catch {
            await network.failed("0230", trace: trace, paymentID: paymentID, error: error)
            throw Self.followUpWasWithdrawn(error) ? KeyInError(.cancelOrCaptureNotCompleted) : error
        }
        try await payments.applyCapture(payment)
        return payment
    }

    /// A timeout or a broken connection on a refund or capture: the link has reversed that request, so the
    /// payment is as it was. The payment-worded codes ("nothing was charged") would mislead here.
    static func followUpWasWithdrawn(_ error: KeyInError) -> Bool {
        error.code == .cardCompanyResponseTimeout || error.code == .cardCompanyConnectionLost
    }

    /// Takes `amount` off the balance if it is still there and no cancel was accepted in the last second.
    private func reserve(_ amount: Int64, of paymentID: UUID, expectedRefundable: Int64?) async throws {
        guard let sql = database as? any SQLDatabase else { throw KeyInError(.failedInternalSystemProcessing) }
        let nowMilliseconds = Int64(now().timeIntervalSince1970 * 1000)
        let cutoff = nowMilliseconds - Self.consecutiveWindowMilliseconds
        let rows = try await sql.raw(
            """
            UPDATE payments SET balance_amount = balance_amount - \(bind: amount), last_cancel_ms = \(bind: nowMilliseconds)
            WHERE id = \(bind: paymentID) AND balance_amount >= \(bind: amount)
            AND (last_cancel_ms IS NULL OR last_cancel_ms <= \(bind: cutoff))
            RETURNING balance_amount
            """
        ).all()
        guard rows.isEmpty else { return }
        // Refused: say why, from what is there now.
        guard let current = try await PaymentModel.find(paymentID, on: database) else {
            throw KeyInError(.notFoundPayment)
        }
        if let last = current.lastCancelMilliseconds, last > cutoff {
            throw KeyInError(.forbiddenConsecutiveRequest)
        }
        if let expectedRefundable, expectedRefundable != current.balanceAmount {
            throw KeyInError(.notMatchesRefundableAmount, param: "refundableAmount")
        }
        throw KeyInError(.notCancelableAmount, param: "cancelAmount")
    }

    private func release(_ amount: Int64, of paymentID: UUID) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            "UPDATE payments SET balance_amount = balance_amount + \(bind: amount) WHERE id = \(bind: paymentID)"
        ).run()
    }

    private func cardNumber(of paymentID: UUID) async throws -> CardNumber {
        guard let record = try await CardRecordModel.query(on: database).filter(\.$payment.$id == paymentID).first()
        else { throw KeyInError(.notCancelablePayment, detail: "card data no longer held") }
        return try vault.open(
            SealedCard(
                ciphertext: record.ciphertext, wrappedDataKey: record.wrappedDataKey, masterKeyID: record.masterKeyID))
    }
}
