import CardNetworkLink
import CardVault
import Fluent
import FluentSQL
import Foundation
import ISO8583
import KeyInCore
import Logging

/// Key-in payments from request to outcome. Every status change goes through `PaymentStateMachine` and is
/// committed before the step that depends on it: the IN_PROGRESS row (with the trace the link will use) before
/// anything is sent, the outcome before the response.
struct PaymentService: Sendable {
    let database: any Database
    let link: CardNetworkLink
    let vault: CardVault
    let validator: CardEntryValidator
    let logger: Logger
    let now: @Sendable () -> Date

    /// Fields a key-in payment must have. CVC, identity number and password are optional (비인증 key-in), and
    /// checked when given.
    static let requiredFields: Set<CardEntryField> = [.cardNumber, .cardExpiration, .amount]

    struct Outcome {
        let payment: PaymentModel
        /// Set when the payment failed (it is then ABORTED).
        let error: KeyInError?
    }

    func keyIn(_ input: KeyInPaymentRequest, merchantID: UUID) async throws -> Outcome {
        let order = try Self.checkOrder(input)
        let expiry = Self.expiryText(year: input.cardExpirationYear, month: input.cardExpirationMonth)
        let check = validator.check(
            CardEntry(
                cardNumber: input.cardNumber ?? "", expiry: expiry, cvc: input.cardCvc,
                customerIdentityNumber: input.customerIdentityNumber, cardPassword: input.cardPassword,
                amount: input.amount, currency: input.currency, installmentMonths: input.cardInstallmentPlan),
            requiring: Self.requiredFields)
        if let first = check.problems.first {
            throw APIError(error: first.error, problems: check.problems)
        }
        guard let number = check.cardNumber, let brand = check.brand, let expiryDate = check.expiry,
            let amount = check.amount
        else { throw KeyInError(.invalidRequest) }

        // 1. The payment exists, IN_PROGRESS, with its trace and encrypted card, before anything is sent.
        let trace = link.newTrace(
            terminalID: Self.terminalID(for: merchantID), merchantID: Self.acceptorID(for: merchantID))
        let payment = PaymentModel()
        payment.id = UUID()
        payment.$merchant.id = merchantID
        payment.paymentKey = Self.newPaymentKey()
        payment.orderID = order.id
        payment.orderLock = "\(merchantID.uuidString):\(order.id)"
        payment.orderName = order.name
        payment.status = PaymentStatus.inProgress.rawValue
        payment.totalAmount = amount.minorUnits
        payment.balanceAmount = amount.minorUnits
        payment.currency = amount.currency.code
        payment.capture = input.capture ?? true
        payment.installmentMonths = input.cardInstallmentPlan ?? 0
        payment.cardBrand = brand.rawValue
        payment.cardCompanyCode = check.company?.code
        payment.cardMasked = number.masked
        payment.cardFingerprint = vault.fingerprint(number)
        payment.trace = String(decoding: try JSONEncoder().encode(trace), as: UTF8.self)
        payment.customerName = input.customerName
        payment.customerEmail = input.customerEmail
        payment.customerMobilePhone = input.customerMobilePhone
        payment.metadata = try input.metadata.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        payment.requestedAt = now()
        let sealed = try vault.seal(number)
        do {
            try await database.transaction { database in
                try await payment.create(on: database)
                let record = CardRecordModel()
                record.$payment.id = try payment.requireID()
                record.ciphertext = sealed.ciphertext
                record.wrappedDataKey = sealed.wrappedDataKey
                record.masterKeyID = sealed.masterKeyID
                try await record.create(on: database)
                try await PaymentEventModel(
                    paymentID: try payment.requireID(), from: nil, to: payment.status, code: nil,
                    at: payment.requestedAt
                ).create(on: database)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw KeyInError(.duplicatedOrderID, param: "orderId")
        }

        let network = NetworkMessageLog(database: database, logger: logger, now: now)
        let paymentID = try payment.requireID()
        await network.sent(payment.capture ? "0200" : "0100", trace: trace, paymentID: paymentID, note: "승인 요청")

        // 2. The card company decides.
        let request = CardAuthorizationRequest(
            cardNumber: number, expiry: expiryDate, amount: amount, cvc: input.cardCvc.nonEmpty,
            customerIdentity: input.customerIdentityNumber.nonEmpty.flatMap(CustomerIdentityNumber.init(parsing:)),
            cardPasswordDigits: input.cardPassword.nonEmpty, installmentMonths: input.cardInstallmentPlan ?? 0,
            capture: payment.capture, posCondition: .mailOrTelephoneOrder, companyCode: check.company?.code)
        do throws(KeyInError) {
            let approval = try await link.authorize(request, trace: trace)
            await network.answered(
                payment.capture ? "0210" : "0110", trace: trace, paymentID: paymentID,
                approvalCode: approval.approvalCode)
            let approvedAt = now()
            try await settleApproval(payment, approval: approval, at: approvedAt)
            return Outcome(payment: payment, error: nil)
        } catch {
            await network.failed(payment.capture ? "0210" : "0110", trace: trace, paymentID: paymentID, error: error)
            try await fail(payment, with: error)
            return Outcome(payment: payment, error: error)
        }
    }

    private func settleApproval(_ payment: PaymentModel, approval: CardApproval, at date: Date) async throws(KeyInError)
    {
        do {
            try await settle(payment, event: .approved(captured: payment.capture)) { payment in
                payment.approveNo = approval.approvalCode
                payment.retrievalReferenceNumber = approval.retrievalReferenceNumber
                payment.approvedAt = date
            }
        } catch is SettledElsewhere {
            // Crash recovery in another process aborted it meanwhile and reversed it: the approval stands nowhere.
            throw KeyInError(.failedInternalSystemProcessing)
        } catch {
            // Approved by the card company but not recorded: reverse it rather than leave a charge nobody sees.
            logger.critical(
                "approval could not be recorded; reversing", metadata: ["paymentKey": "\(payment.paymentKey)"])
            try? await link.reverse(
                originalMessageType: payment.capture ? .financialRequest : .authorizationRequest,
                trace: try! JSONDecoder().decode(TransactionTrace.self, from: Data((payment.trace ?? "").utf8)),
                amount: Money(minorUnits: payment.totalAmount, currency: Currency(code: payment.currency) ?? .krw),
                companyCode: payment.cardCompanyCode)
            throw KeyInError(.failedInternalSystemProcessing)
        }
    }

    /// Records a completed cancel (its row and the payment's new status, in one transaction): PARTIAL_CANCELED,
    /// or CANCELED when nothing remains, and then the card number is destroyed since no refund can follow.
    func applyCancel(_ payment: PaymentModel, cancel: CancelModel) async throws {
        try await settle(payment, event: .canceled(remaining: payment.balanceAmount), cancel: cancel) { _ in }
        if payment.balanceAmount == 0 {
            try await CardRecordModel.query(on: database).filter(\.$payment.$id == payment.requireID()).delete()
        }
    }

    func applyCapture(_ payment: PaymentModel) async throws {
        try await settle(payment, event: .captured) { _ in }
    }

    /// Marks a payment ABORTED with the catalog code, frees its order id for another attempt, and destroys the
    /// card data, which no refund will need. False when it was already aborted (by crash recovery in another
    /// process, say): the stored outcome stands and the model now shows it.
    @discardableResult
    func fail(_ payment: PaymentModel, with error: KeyInError) async throws -> Bool {
        guard payment.status != PaymentStatus.aborted.rawValue else { return false }
        do {
            try await settle(payment, event: .failed, code: error.code) { payment in
                payment.failureCode = error.code.rawValue
                payment.orderLock = nil
            }
        } catch is SettledElsewhere {
            return false
        }
        try await CardRecordModel.query(on: database).filter(\.$payment.$id == payment.requireID()).delete()
        logger.notice(
            "payment aborted", metadata: ["paymentKey": "\(payment.paymentKey)", "code": "\(error.code.rawValue)"])
        return true
    }

    /// Applies a state-machine event and commits it with its timeline entry. A change the machine refuses (a
    /// late answer trying to flip a settled payment) is not made.
    private func settle(
        _ payment: PaymentModel, event: PaymentEvent, code: ErrorCode? = nil, cancel: CancelModel? = nil,
        changes: (PaymentModel) -> Void
    ) async throws {
        guard let from = PaymentStatus(rawValue: payment.status),
            let to = PaymentStateMachine.next(after: from, on: event)
        else {
            logger.error(
                "refused status change", metadata: ["paymentKey": "\(payment.paymentKey)", "event": "\(event)"])
            throw KeyInError(.failedInternalSystemProcessing)
        }
        changes(payment)
        payment.status = to.rawValue
        let at = now()
        do {
            try await database.transaction { database in
                // An authorization's outcome is decided once: another process (crash recovery on a shared database) or
                // a late answer may have settled it since this copy was read. Cancels need no such guard: their
                // balance update is already atomic.
                if from == .inProgress, try await !Self.claim(payment, from: from, to: to, on: database) {
                    throw SettledElsewhere()
                }
                try await payment.update(on: database)
                try await cancel?.update(on: database)
                try await PaymentEventModel(
                    paymentID: try payment.requireID(), from: from.rawValue, to: to.rawValue, code: code?.rawValue,
                    at: at
                ).create(on: database)
                // The webhooks are queued with the change they report: both are committed, or neither.
                let outbox = WebhookOutbox(database: database)
                try await outbox.enqueue(.paymentStatusChanged, payment: payment, at: at)
                if let cancel {
                    try await outbox.enqueue(.cancelStatusChanged, payment: payment, cancel: cancel, at: at)
                }
            }
        } catch is SettledElsewhere {
            logger.warning(
                "status change refused: the payment was settled elsewhere",
                metadata: ["paymentKey": "\(payment.paymentKey)", "event": "\(event)"])
            try await reload(payment)
            throw SettledElsewhere()
        }
    }

    /// The stored payment changed under this copy (see `settle`).
    struct SettledElsewhere: Error {}

    /// Makes the copy show what is stored again, after a change it tried was refused.
    private func reload(_ payment: PaymentModel) async throws {
        guard let stored = try await PaymentModel.find(payment.id, on: database) else { return }
        payment.status = stored.status
        payment.failureCode = stored.failureCode
        payment.orderLock = stored.orderLock
        payment.approveNo = stored.approveNo
        payment.retrievalReferenceNumber = stored.retrievalReferenceNumber
        payment.approvedAt = stored.approvedAt
        payment.balanceAmount = stored.balanceAmount
    }

    /// Moves the stored status from `from` to `to` only if it is still `from`; says whether it did.
    private static func claim(
        _ payment: PaymentModel, from: PaymentStatus, to: PaymentStatus, on database: any Database
    ) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        let rows = try await sql.raw(
            """
            UPDATE payments SET status = \(bind: to.rawValue)
            WHERE id = \(bind: try payment.requireID()) AND status = \(bind: from.rawValue)
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    // MARK: Request checks

    struct Order {
        let id: String
        let name: String
    }

    /// An order id as merchants may choose it: 6–64 of `A–Z a–z 0–9 - _` (payments and payment links alike).
    static func checkOrderID(_ id: String?) throws -> String {
        guard let id, (6...64).contains(id.count),
            id.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_")
            })
        else { throw KeyInError(.invalidRequest, param: "orderId", detail: "6-64 of A-Z a-z 0-9 - _") }
        return id
    }

    /// An order name: 1–100 characters once trimmed.
    static func checkOrderName(_ name: String?) throws -> String {
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty, name.count <= 100
        else { throw KeyInError(.invalidRequest, param: "orderName", detail: "1-100 characters") }
        return name
    }

    static func checkOrder(_ input: KeyInPaymentRequest) throws -> Order {
        let id = try checkOrderID(input.orderId)
        let name = try checkOrderName(input.orderName)
        if let metadata = input.metadata {
            guard metadata.count <= 10,
                metadata.allSatisfy({ (1...40).contains($0.key.count) && $0.value.count <= 500 })
            else { throw KeyInError(.invalidRequest, param: "metadata", detail: "up to 10 pairs") }
        }
        if let email = input.customerEmail, !email.isEmpty, !(email.contains("@") && email.count <= 100) {
            throw KeyInError(.invalidRequest, param: "customerEmail")
        }
        if let phone = input.customerMobilePhone, !phone.isEmpty,
            !(phone.filter(\.isNumber).count >= 9 && phone.allSatisfy({ $0.isNumber || $0 == "-" }))
        {
            throw KeyInError(.invalidRequest, param: "customerMobilePhone")
        }
        return Order(id: id, name: name)
    }

    /// `cardExpirationMonth` "12" and `cardExpirationYear` "29" or "2029" as `MM/YY[YY]`.
    static func expiryText(year: String?, month: String?) -> String? {
        guard let year = year?.trimmingCharacters(in: .whitespaces),
            let month = month?.trimmingCharacters(in: .whitespaces),
            !year.isEmpty, !month.isEmpty
        else { return nil }
        return "\(month)/\(year)"
    }

    static func newPaymentKey() -> String {
        "pay_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Element 41 for a merchant's payments: 8 characters derived from its id.
    static func terminalID(for merchantID: UUID) -> String {
        "K" + String(merchantID.uuidString.replacingOccurrences(of: "-", with: "").prefix(7))
    }

    /// Element 42: 15 characters derived from the merchant id.
    static func acceptorID(for merchantID: UUID) -> String {
        String(merchantID.uuidString.replacingOccurrences(of: "-", with: "").prefix(15))
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return self
    }
}
