import CardNetworkLink
import CardVault
import CardholderAuthentication
import Foundation
import ISO8583
import KeyInCore
import KeyInPersistence
import Logging

/// Key-in payments from request to outcome. Every status change goes through `PaymentStateMachine` and is
/// committed before the step that depends on it: the IN_PROGRESS row (with the trace the link will use) before
/// anything is sent, the outcome before the response. A payment's rows take two transactions, one on each side of
/// the card company's answer.
package struct PaymentService: Sendable {
    package let store: PaymentStore
    package let idempotency: IdempotencyStore
    /// Where the payment goes: its mode's link (test: the built-in simulator, live: the card companies).
    package let links: CardNetworkLinks
    package let vault: CardVault
    package let validator: CardEntryValidator
    /// Allows or blocks each payment before it is sent (card testing first).
    package let decisions: PaymentDecisionPoint
    /// The merchants, for each one's card-testing limits and 3-D Secure policy.
    package let merchants: MerchantStore
    /// The card companies' 3-D Secure servers, by mode.
    package let authenticators: CardholderAuthenticators
    /// The payment links, for the one a payment completed after its challenge pays.
    package let paymentLinks: PaymentLinkStore
    package let logger: Logger
    package let now: @Sendable () -> Date
    /// Where the payment's pages are reached (its receipt), for the webhooks' Payment.
    package let publicBaseURL: String
    /// This process, recorded on each payment it opens (`ProcessRegistry`).
    package var processID: UUID?

    /// Fields a key-in payment must have. CVC, identity number and password are optional (비인증 key-in), and
    /// checked when given.
    package static let requiredFields: Set<CardEntryField> = [.cardNumber, .cardExpiration, .amount]

    /// A request that failed after its `Idempotency-Key` was claimed, with the answer stored for the key: the
    /// entry point answers with it.
    package struct AnsweredRequest: Error {
        package let answer: StoredResponse
    }

    package struct Outcome: Sendable {
        package let payment: PaymentRecord
        /// Set when the payment failed (it is then ABORTED).
        package let error: KeyInError?
        /// The answer stored with the outcome for the request's `Idempotency-Key`, when it had one.
        package var answer: StoredResponse?

        package init(payment: PaymentRecord, error: KeyInError?, answer: StoredResponse? = nil) {
            self.payment = payment
            self.error = error
            self.answer = answer
        }

        /// The outcome a stored payment stands for; nil while it is IN_PROGRESS.
        package init?(settled payment: PaymentRecord) {
            guard payment.status != .inProgress else { return nil }
            self.init(
                payment: payment,
                error: payment.status == .aborted
                    ? KeyInError(payment.failureCode ?? .failedInternalSystemProcessing) : nil)
        }
    }

    /// What the entry point stores with the outcome, in the outcome's own transaction: the answer to its
    /// `Idempotency-Key` and the payment link the payment pays.
    package struct Completion: Sendable {
        package var claim: IdempotencyClaim?
        /// The answer a repeat of the request gets, made from the outcome.
        package var response: @Sendable (Outcome) -> StoredResponse
        package var paysLink: UUID?

        package init(
            claim: IdempotencyClaim?, response: @escaping @Sendable (Outcome) -> StoredResponse, paysLink: UUID?
        ) {
            self.claim = claim
            self.response = response
            self.paysLink = paysLink
        }
    }

    /// `limits` and `policy`: the merchant's card-testing limits and 3-D Secure policy when the caller has them
    /// already (the API key's lookup brings them); read from the merchant otherwise.
    package func keyIn(
        _ input: KeyInPaymentRequest, merchantID: MerchantID, mode: PaymentMode,
        origin: PaymentOrigin = PaymentOrigin(), limits: CardTestingSettings? = nil,
        policy: AuthenticationPolicy? = nil, completion: Completion? = nil
    ) async throws -> Outcome {
        // A live key on a deployment with no card companies is refused before anything is written.
        let link = try links.link(for: mode)
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
        let taxFreeAmount = try Self.checkTaxFreeAmount(input.taxFreeAmount, of: amount.minorUnits)
        let authentication = try Self.checkAuthenticationResult(input.vbv)
        let authenticationRequested = try Self.checkAuthenticationRequest(input.threeDSecure, given: authentication)

        // 1. The payment exists, IN_PROGRESS, with its trace and encrypted card, before anything is sent.
        let trace = link.newTrace(
            terminalID: Self.terminalID(for: merchantID), merchantID: Self.acceptorID(for: merchantID))
        let capture = input.capture ?? true
        var payment = PaymentRecord(
            merchantID: merchantID, mode: mode, paymentKey: Self.newPaymentKey(), orderID: order.id,
            orderName: order.name,
            status: .inProgress, totalAmount: amount.minorUnits, currency: amount.currency.code, capture: capture,
            installmentMonths: input.cardInstallmentPlan ?? 0, cardBrand: brand.rawValue,
            cardCompanyCode: check.company?.code, cardMasked: number.masked, cardFingerprint: vault.fingerprint(number),
            trace: trace, customerName: input.customerName, customerEmail: order.contact.email,
            customerMobilePhone: order.contact.mobilePhone, metadata: input.metadata, requestedAt: now())
        payment.taxFreeAmount = taxFreeAmount
        payment.usesFreeInstallmentPlan = input.useFreeInstallmentPlan ?? false
        payment.cardKind = check.kind
        payment.cardOwner = check.owner
        payment.openedBy = processID
        // The decision point first, with the merchant's limits: a blocked payment is stored ABORTED with its reasons
        // and never sent.
        var decisions = self.decisions
        // Read once, when the caller did not bring what is needed from it.
        let merchant = limits == nil || policy == nil ? try await merchants.merchant(id: merchantID) : nil
        decisions.rules = (limits ?? CardTestingSettings(stored: merchant?.cardTesting)).rules
        var decision = try await decisions.decide(payment, origin: origin)
        // 3-D Secure, for an allowed payment the merchant did not authenticate itself: the card company answers
        // before anything is written, and a challenged payment waits without sending anything.
        var step: AuthenticationStep?
        if decision.blockedWith == nil, authentication == nil,
            let plan = try await authenticationPlan(
                payment, requested: authenticationRequested, origin: origin,
                policy: policy ?? AuthenticationPolicy(stored: merchant?.authenticationPolicy), decisions: decisions)
        {
            let authenticated = try await authenticate(
                payment, number: number, expiry: expiryDate, input: input, plan: plan, merchant: merchant)
            payment.authentication = authenticated.record
            step = authenticated.step
            if case .challenge = authenticated.step { payment.status = .waitingForAuthentication }
        }
        let sends = decision.blockedWith == nil && step?.sendsAuthorization != false
        let waitingAnswer =
            payment.status == .waitingForAuthentication
            ? completion.flatMap { completion in
                completion.claim.map { _ in completion.response(Outcome(payment: payment, error: nil)) }
            }
            : nil
        let sealed = try vault.seal(number)
        do {
            do {
                try await open(
                    payment, decided: decision, sends: sends, card: sealed, trace: trace, completion: completion,
                    answer: waitingAnswer)
            } catch let over as AttemptWindowStore.OverCeiling {
                // Attempts at the same moment took a source to its ceiling first: nothing was written, and this
                // payment is stored blocked, as it would have been a moment later.
                decision = try await decisions.overCeiling(payment, origin: origin, over)
                payment.status = .inProgress
                try await open(
                    payment, decided: decision, sends: false, card: sealed, trace: trace, completion: completion)
            }
        } catch PaymentStore.OpenRefusal.duplicateOrder {
            throw KeyInError(.duplicatedOrderID, param: "orderId")
        }
        payment.decisionReasons = decision.reasons
        let blocked = decision.blockedWith
        if let blocked {
            logger.notice(
                "payment blocked by the decision point",
                metadata: ["paymentKey": "\(payment.paymentKey)", "rules": "\(decision.reasons.map(\.rule))"])
            return try await fail(payment, with: KeyInError(blocked), messages: [], completion: completion).outcome
        }
        switch step {
        case .challenge:
            logger.info(
                "payment waits for its cardholder's challenge", metadata: ["paymentKey": "\(payment.paymentKey)"])
            return Outcome(payment: payment, error: nil, answer: waitingAnswer)
        case .fail(let code):
            return try await fail(payment, with: KeyInError(code), messages: [], completion: completion).outcome
        case .authorize, .proceedUnauthenticated, nil: break
        }
        let authenticated = step?.result

        // 2. The card company decides.
        let request = CardAuthorizationRequest(
            cardNumber: number, expiry: expiryDate, amount: amount, cvc: input.cardCvc.nonEmpty,
            customerIdentity: input.customerIdentityNumber.nonEmpty.flatMap(CustomerIdentityNumber.init(parsing:)),
            cardPasswordDigits: input.cardPassword.nonEmpty, installmentMonths: input.cardInstallmentPlan ?? 0,
            authenticationValue: authenticated?.authenticationValue ?? authentication?.cavv,
            eci: authenticated?.eci ?? authentication?.eci,
            authenticationTransactionID: authenticated?.acsTransactionID ?? authentication?.xid,
            merchantPaysInterest: payment.usesFreeInstallmentPlan, capture: capture,
            posCondition: origin.posCondition, companyCode: check.company?.code)
        do {
            let outcome = try await authorizeAndSettle(
                payment, request: request, trace: trace, link: link,
                declineCounts: decisions.declineIncrements(of: payment, origin: origin), completion: completion)
            if let code = outcome.error?.code, PaymentDecisionPoint.isDecline(code) {
                await blockWhatTripped(after: payment, origin: origin, decisions: decisions)
            }
            return outcome
        } catch {
            // The payment exists and the request's key is claimed: the claim gets an answer, so that a repeat is
            // not told "still running" for ever. What the payment becomes is settled by crash recovery.
            guard let completion, let claim = completion.claim else { throw error }
            let answer = completion.response(
                Outcome(payment: payment, error: KeyInError(.failedInternalSystemProcessing)))
            try? await idempotency.complete(claim, with: answer)
            throw AnsweredRequest(answer: answer)
        }
    }

    /// Step 1: the payment's first transaction, as decided: its attempts counted when allowed, with the request sent
    /// when it `sends`, with its reasons and nothing sent when blocked. `answer` completes the request's key here:
    /// a payment left waiting for its cardholder's challenge.
    private func open(
        _ payment: PaymentRecord, decided decision: PaymentDecisionPoint.Decision, sends: Bool, card: SealedCard,
        trace: TransactionTrace, completion: Completion?, answer: StoredResponse? = nil
    ) async throws {
        var payment = payment
        payment.decisionReasons = decision.reasons
        let allowed = decision.blockedWith == nil
        try await store.open(
            payment, card: card,
            sent: allowed && sends
                ? NetworkConversation.sent(payment.capture ? "0200" : "0100", trace: trace, note: "승인 요청", at: now())
                : nil,
            claim: completion?.claim, answer: answer, counting: allowed ? decision.counting : [])
    }

    /// After a card company's decline (counted with the outcome), the sources whose rules now trip are blocked. This
    /// never fails the payment: the answer stands, and a block that could not be written is logged.
    private func blockWhatTripped(
        after payment: PaymentRecord, origin: PaymentOrigin, decisions: PaymentDecisionPoint
    ) async {
        do {
            for block in try await decisions.blocksTripped(by: payment, origin: origin) {
                logger.warning(
                    block.blocks ? "card testing: a source is blocked" : "card testing: merchant-wide alert",
                    metadata: [
                        "rule": "\(block.rule)", "count": "\(block.count)", "until": "\(block.blockedUntil)",
                        "merchantId": "\(block.merchantID)",
                    ])
            }
        } catch {
            logger.error("a decline's blocks could not be written", metadata: ["paymentKey": "\(payment.paymentKey)"])
        }
    }

    /// Steps 2 and 3 of a key-in payment that was opened: the card company decides, and the outcome is written.
    func authorizeAndSettle(
        _ payment: PaymentRecord, request: CardAuthorizationRequest, trace: TransactionTrace, link: CardNetworkLink,
        declineCounts: [AttemptWindowStore.Increment], completion: Completion?
    ) async throws -> Outcome {
        let capture = payment.capture
        let answerMTI = capture ? "0210" : "0110"
        let approval: CardApproval
        do throws(KeyInError) {
            approval = try await link.authorize(request, trace: trace)
        } catch {
            return try await fail(
                payment, with: error,
                messages: NetworkConversation.failed(answerMTI, trace: trace, error: error, at: now()),
                counting: PaymentDecisionPoint.isDecline(error.code) ? declineCounts : [], completion: completion
            ).outcome
        }

        // 3. The card company approved: the outcome, through the state machine, with its webhooks and the answer.
        let approvedAt = now()
        var approved = payment
        approved.approveNo = approval.approvalCode
        approved.retrievalReferenceNumber = approval.retrievalReferenceNumber
        approved.approvedAt = approvedAt
        let answered = NetworkConversation.answered(
            answerMTI, trace: trace, approvalCode: approval.approvalCode, at: approvedAt)
        do {
            if let outcome = try await settle(
                approved, event: .approved(captured: capture), code: nil, messages: [answered],
                completion: completion)
            {
                return outcome
            }
            // Crash recovery in another process aborted it meanwhile and reversed it: what is stored stands.
            return try await storedOutcome(of: payment, completion: completion)
        } catch {
            // Its kind only: a database's message can quote the values it was given.
            logger.error(
                "the approval's write failed",
                metadata: ["paymentKey": "\(payment.paymentKey)", "error": "\(DatabaseFailure.kind(of: error))"])
            return try await approvalNotRecorded(approved, answered: answered, completion: completion)
        }
    }

    /// The card company approved but the outcome could not be written. What is stored decides: an outcome written
    /// after all (the commit went through, its acknowledgement did not) stands; a payment still IN_PROGRESS is
    /// reversed, and only once the reversal is kept is it marked ABORTED. When the reversal cannot be kept either,
    /// the payment stays IN_PROGRESS, where crash recovery reverses and aborts it.
    private func approvalNotRecorded(
        _ approved: PaymentRecord, answered: NetworkMessageRecord, completion: Completion?
    ) async throws -> Outcome {
        guard let stored = try? await store.payment(id: approved.id) else {
            logger.critical(
                "approval could not be recorded nor read back; recovery will reverse it",
                metadata: ["paymentKey": "\(approved.paymentKey)"])
            throw KeyInError(.failedInternalSystemProcessing)
        }
        guard stored.status == .inProgress else { return try await storedOutcome(of: approved, completion: completion) }
        logger.critical("approval could not be recorded; reversing", metadata: ["paymentKey": "\(approved.paymentKey)"])
        guard let trace = approved.trace else { throw KeyInError(.failedInternalSystemProcessing) }
        do {
            try await links.link(for: approved.mode).reverse(
                approved.capture ? .financialRequest : .authorizationRequest, trace: trace, of: approved)
        } catch {
            logger.critical(
                "approval could not be recorded nor its reversal kept; recovery will reverse it",
                metadata: ["paymentKey": "\(approved.paymentKey)"])
            throw KeyInError(.failedInternalSystemProcessing)
        }
        return try await fail(
            stored, with: KeyInError(.failedInternalSystemProcessing),
            messages: [answered, NetworkConversation.reversalQueued(trace: trace, note: "승인 기록 실패: 망취소", at: now())],
            completion: completion
        ).outcome
    }

    /// The payment as stored, as the outcome of this request (its answer stored for the request's key).
    func storedOutcome(of payment: PaymentRecord, completion: Completion?) async throws -> Outcome {
        let stored = try await store.payment(id: payment.id) ?? payment
        var outcome = Outcome(settled: stored) ?? Outcome(payment: stored, error: nil)
        outcome.answer = try await complete(completion, with: outcome)
        return outcome
    }

    /// Marks a payment ABORTED with the catalog code, frees its order id for another attempt, and destroys the
    /// card data, which no refund will need. When another process settled it first (crash recovery on a shared
    /// database), the stored outcome stands: `settledHere` is false and the outcome shows what is stored.
    package func fail(
        _ payment: PaymentRecord, with error: KeyInError, messages: [NetworkMessageRecord],
        counting: [AttemptWindowStore.Increment] = [], completion: Completion? = nil
    ) async throws -> (outcome: Outcome, settledHere: Bool) {
        var failed = payment
        failed.failureCode = error.code
        failed.holdsOrder = false
        if let outcome = try await settle(
            failed, from: payment.status, event: .failed, code: error.code, messages: messages, shredCard: true,
            counting: counting, completion: completion)
        {
            logger.notice(
                "payment aborted", metadata: ["paymentKey": "\(payment.paymentKey)", "code": "\(error.code.rawValue)"])
            return (outcome, true)
        }
        return (try await storedOutcome(of: payment, completion: completion), false)
    }

    /// Applies a state-machine event to a payment still `from` (IN_PROGRESS, unless it waits for its challenge) and
    /// commits it with everything that goes with it. Nil when the payment was settled elsewhere first (its stored
    /// outcome stands). A change the machine refuses is not made.
    func settle(
        _ payment: PaymentRecord, from: PaymentStatus = .inProgress, event: PaymentEvent, code: ErrorCode?,
        messages: [NetworkMessageRecord], shredCard: Bool = false, counting: [AttemptWindowStore.Increment] = [],
        completion: Completion?
    ) async throws -> Outcome? {
        guard let to = PaymentStateMachine.next(after: from, on: event) else {
            logger.error(
                "refused status change", metadata: ["paymentKey": "\(payment.paymentKey)", "event": "\(event)"])
            throw KeyInError(.failedInternalSystemProcessing)
        }
        var settled = payment
        settled.status = to
        var outcome = Outcome(payment: settled, error: code.map { KeyInError($0) })
        var settlement = PaymentStore.Settlement(payment: settled, from: from, code: code, onlyIfUnchanged: true)
        settlement.messages = messages
        settlement.shredCard = shredCard
        settlement.counting = counting
        // Merchants hear of outcomes; a payment that only goes on to its authorization has none yet.
        if to != .inProgress {
            settlement.webhooks = [
                WebhookPayloads.paymentStatusChanged(settled, cancels: [], baseURL: publicBaseURL, at: now())
            ]
        }
        if let completion {
            if let claim = completion.claim {
                outcome.answer = completion.response(outcome)
                settlement.completing = outcome.answer.map { (claim, $0) }
            }
            if to != .aborted { settlement.paysLink = completion.paysLink }
        }
        guard try await store.settle(settlement, at: now()) else {
            logger.warning(
                "status change refused: the payment was settled elsewhere",
                metadata: ["paymentKey": "\(payment.paymentKey)", "event": "\(event)"])
            return nil
        }
        return outcome
    }

    /// Stores the answer of a request whose payment was settled elsewhere (its own settlement wrote nothing).
    private func complete(_ completion: Completion?, with outcome: Outcome) async throws -> StoredResponse? {
        guard let completion, let claim = completion.claim else { return nil }
        let answer = completion.response(outcome)
        try await idempotency.complete(claim, with: answer)
        return answer
    }

    // MARK: Request checks

    package struct Order {
        package let id: OrderID
        package let name: String
        /// The customer's name, e-mail and phone, checked and trimmed.
        package let contact: ContactCheck
    }

    /// An order id as merchants may choose it: 6–64 of `A–Z a–z 0–9 - _` (payments and payment links alike).
    package static func checkOrderID(_ id: String?) throws -> OrderID {
        guard let id, (6...64).contains(id.count),
            id.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_")
            })
        else { throw KeyInError(.invalidRequest, param: "orderId", detail: "6-64 of A-Z a-z 0-9 - _") }
        return OrderID(id)
    }

    /// The tax-free part of an amount (면세): 0 up to the whole amount; 0 when left out.
    package static func checkTaxFreeAmount(_ taxFree: Int64?, of amount: Int64) throws -> Int64 {
        guard let taxFree else { return 0 }
        guard (0...amount).contains(taxFree) else {
            throw KeyInError(.invalidRequest, param: "taxFreeAmount", detail: "0 to amount")
        }
        return taxFree
    }

    /// A 3-D Secure result as it goes to the card company: the authentication value (28 base64 characters for a
    /// CAVV, at most 40) and the 2-digit ECI are needed together; the transaction id (XID, or a 3-D Secure 2
    /// transaction UUID) is optional. The card company judges the value; this only keeps malformed ones off the wire.
    package static func checkAuthenticationResult(
        _ result: KeyInPaymentRequest.AuthenticationResult?
    ) throws -> (cavv: String, eci: String, xid: String?)? {
        guard let result, result.cavv != nil || result.xid != nil || result.eci != nil else { return nil }
        let base64 = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
        func fits(_ text: String, _ allowed: CharacterSet, _ lengths: ClosedRange<Int>) -> Bool {
            lengths.contains(text.count) && text.unicodeScalars.allSatisfy(allowed.contains)
        }
        guard let cavv = result.cavv, fits(cavv, base64, 1...40) else {
            throw KeyInError(.invalidRequest, param: "vbv.cavv", detail: "base64, at most 40 characters")
        }
        guard let eci = result.eci, fits(eci, CharacterSet(charactersIn: "0123456789"), 2...2) else {
            throw KeyInError(.invalidRequest, param: "vbv.eci", detail: "2 digits")
        }
        if let xid = result.xid, !fits(xid, base64.union(CharacterSet(charactersIn: "-")), 1...40) {
            throw KeyInError(.invalidRequest, param: "vbv.xid", detail: "base64 or a UUID, at most 40 characters")
        }
        return (cavv, eci, result.xid)
    }

    /// An order name: 1–100 characters once trimmed.
    package static func checkOrderName(_ name: String?) throws -> String {
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty, name.count <= 100
        else { throw KeyInError(.invalidRequest, param: "orderName", detail: "1-100 characters") }
        return name
    }

    package static func checkOrder(_ input: KeyInPaymentRequest) throws -> Order {
        let id = try checkOrderID(input.orderId)
        let name = try checkOrderName(input.orderName)
        if let metadata = input.metadata {
            guard metadata.count <= 10,
                metadata.allSatisfy({ (1...40).contains($0.key.count) && $0.value.count <= 500 })
            else { throw KeyInError(.invalidRequest, param: "metadata", detail: "up to 10 pairs") }
        }
        // The name as given (a payment has always taken any); the e-mail and phone as every contact is read.
        let contact = try ContactCheck(name: nil, email: input.customerEmail, mobilePhone: input.customerMobilePhone)
        return Order(id: id, name: name, contact: contact)
    }

    /// `cardExpirationMonth` "12" and `cardExpirationYear` "29" or "2029" as `MM/YY[YY]`.
    package static func expiryText(year: String?, month: String?) -> String? {
        guard let year = year?.trimmingCharacters(in: .whitespaces),
            let month = month?.trimmingCharacters(in: .whitespaces),
            !year.isEmpty, !month.isEmpty
        else { return nil }
        return "\(month)/\(year)"
    }

    package static func newPaymentKey() -> PaymentKey {
        PaymentKey("pay_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
    }

    /// Element 41 for a merchant's payments: 8 characters derived from its id.
    package static func terminalID(for merchantID: MerchantID) -> String {
        "K" + String(merchantID.rawValue.uuidString.replacingOccurrences(of: "-", with: "").prefix(7))
    }

    /// Element 42: 15 characters derived from the merchant id.
    package static func acceptorID(for merchantID: MerchantID) -> String {
        String(merchantID.rawValue.uuidString.replacingOccurrences(of: "-", with: "").prefix(15))
    }
}

extension Optional where Wrapped == String {
    /// The text trimmed of white space, as the card-entry checks saw it; nil when nothing is left.
    package var nonEmpty: String? {
        guard let trimmed = self?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
