import CardNetworkLink
import CardholderAuthentication
import Foundation
import KeyInCore
import KeyInPersistence

/// What a 3-D Secure result means for the payment.
enum AuthenticationStep: Sendable, Equatable {
    /// Y or A: authorize with the result's value and ECI.
    case authorize(AuthenticationResult)
    /// C: the cardholder answers the card company's challenge first.
    case challenge(AuthenticationResult)
    /// Not authenticated, and not required to be: authorized as a key-in payment without it.
    case proceedUnauthenticated
    /// Ended without an authorization.
    case fail(ErrorCode)

    var sendsAuthorization: Bool {
        switch self {
        case .authorize, .proceedUnauthenticated: true
        case .challenge, .fail: false
        }
    }

    var result: AuthenticationResult? {
        if case .authorize(let result) = self { result } else { nil }
    }

    /// The step a result (or no result: the ACS could not be reached or did not answer soundly) leads to. A
    /// result is believed only when the client checked its signature.
    init(_ fetched: Result<AuthenticationResult, AuthenticationClient.Failure>, required: Bool) {
        // Not performed (no sound answer, U, or Y/A without the value that proves it): only a required
        // authentication fails the payment.
        let notPerformed: Self = required ? .fail(.cardholderAuthenticationUnavailable) : .proceedUnauthenticated
        guard case .success(let result) = fetched else {
            self = notPerformed
            return
        }
        switch result.transStatus {
        case .authenticated, .attempted:
            self = result.authenticationValue != nil && result.eci != nil ? .authorize(result) : notPerformed
        case .challengeRequired: self = .challenge(result)
        case .notAuthenticated where result.statusReason == .timedOut: self = .fail(.cardholderAuthenticationExpired)
        case .notAuthenticated, .rejected: self = .fail(.cardholderAuthenticationFailed)
        case .unavailable: self = notPerformed
        }
    }
}

extension PaymentService {
    /// `threeDSecure`, checked: `AUTO` or `CHALLENGE`; not with a `vbv` the merchant got elsewhere.
    package static func checkAuthenticationRequest(
        _ text: String?, given result: (cavv: String, eci: String, xid: String?)?
    ) throws -> AuthenticationPolicy.Request? {
        guard let text else { return nil }
        guard let requested = AuthenticationPolicy.Request(rawValue: text) else {
            throw KeyInError(.invalidRequest, param: "threeDSecure", detail: "AUTO or CHALLENGE")
        }
        if result != nil {
            throw KeyInError(
                .invalidRequest, param: "threeDSecure", detail: "not with vbv: the payment is authenticated already")
        }
        return requested
    }

    /// How this payment is authenticated, or nil when it is not: the request and the merchant's policy decide
    /// whether, the amount and the card's recent declines how hard.
    func authenticationPlan(
        _ payment: PaymentRecord, requested: AuthenticationPolicy.Request?, origin: PaymentOrigin,
        policy: AuthenticationPolicy, decisions: PaymentDecisionPoint
    ) async throws -> AuthenticationPolicy.Plan? {
        // The risk is read only when it matters: a challenge mandated, or no authentication at all, needs none.
        guard
            let plan = policy.plan(requested: requested, origin: origin, riskIsHigh: false)
        else { return nil }
        guard plan.preference == .noPreference else { return plan }
        let high = try await decisions.authenticationRiskIsHigh(payment, challengeAmount: policy.challengeAmount)
        return policy.plan(requested: requested, origin: origin, riskIsHigh: high)
    }

    /// Asks the mode's ACS to authenticate the cardholder. The CVC, birth date and password digits the payment was
    /// keyed in with go to the card company here, which checks them; a challenged payment keeps none of them.
    /// `merchant`: the payment's merchant when the caller read it already (its name goes to the card company).
    func authenticate(
        _ payment: PaymentRecord, number: CardNumber, expiry: CardExpiry, input: KeyInPaymentRequest,
        plan: AuthenticationPolicy.Plan, merchant: MerchantRecord?
    ) async throws -> (step: AuthenticationStep, record: PaymentAuthentication?) {
        guard let client = authenticators.client(for: payment.mode) else {
            return (AuthenticationStep(.failure(.unreachable), required: plan.required), nil)
        }
        let merchantName: String
        if let merchant {
            merchantName = merchant.name
        } else {
            merchantName = try await merchants.merchant(id: payment.merchantID)?.name ?? ""
        }
        let request = AuthenticationRequest(
            serverTransactionID: Self.serverTransactionID(of: payment), cardNumber: number.digits,
            cardExpiry: expiry.yymm, cvc: input.cardCvc.nonEmpty,
            customerIdentity: input.customerIdentityNumber.nonEmpty,
            cardPasswordDigits: input.cardPassword.nonEmpty, amount: payment.totalAmount,
            currencyCode: Currency(code: payment.currency)?.numericCode ?? "410", merchantName: merchantName,
            acquirerMerchantID: Self.acceptorID(for: payment.merchantID), challengePreference: plan.preference,
            returnURL: "\(publicBaseURL)/3ds/return/\(payment.paymentKey.rawValue)")
        let fetched: Result<AuthenticationResult, AuthenticationClient.Failure>
        do {
            fetched = .success(try await client.authenticate(request))
        } catch {
            logger.warning(
                "3-D Secure could not be performed",
                metadata: ["paymentKey": "\(payment.paymentKey)", "error": "\(error)"])
            fetched = .failure(error)
        }
        let step = AuthenticationStep(fetched, required: plan.required)
        guard case .success(let result) = fetched else { return (step, nil) }
        var record = PaymentAuthentication(
            acsTransactionID: result.acsTransactionID, transStatus: result.transStatus, eci: result.eci,
            required: plan.required)
        if case .challenge = step {
            record.challengeURL = result.challengeURL
            // The card company's deadline, but never past the gateway's own ten minutes.
            let limit = payment.requestedAt.addingTimeInterval(Self.challengeLifetime)
            record.expiresAt = min(result.challengeExpiresAt ?? limit, limit)
            record.cardExpiry = expiry.yymm
        }
        return (step, record)
    }

    /// How long a cardholder has for a challenge before the payment expires.
    package static let challengeLifetime: TimeInterval = 600

    /// The gateway's id for a payment's authentication (EMV's `threeDSServerTransID`): the payment's own.
    static func serverTransactionID(of payment: PaymentRecord) -> String {
        payment.id.uuidString.lowercased()
    }

    /// Settles a payment waiting for its challenge from what the card company's ACS says now (never from what a
    /// browser brought back): authorized on Y or A, ended on N or R, expired once its time is up with the challenge
    /// still open or the ACS silent. Nil while the challenge is open; the stored outcome when the payment is no longer
    /// waiting (another process, or another request, settled it).
    package func completeAuthentication(of payment: PaymentRecord) async throws -> Outcome? {
        guard payment.status == .waitingForAuthentication, let waiting = payment.authentication else {
            return Outcome(settled: payment)
        }
        let fetched: Result<AuthenticationResult, AuthenticationClient.Failure>
        if let client = authenticators.client(for: payment.mode) {
            do {
                fetched = .success(try await client.result(serverTransactionID: Self.serverTransactionID(of: payment)))
            } catch {
                fetched = .failure(error)
            }
        } else {
            fetched = .failure(.unreachable)
        }
        let expired = now() >= (waiting.expiresAt ?? payment.requestedAt.addingTimeInterval(Self.challengeLifetime))
        var ended = waiting
        ended.challengeURL = nil
        ended.expiresAt = nil
        ended.cardExpiry = nil
        switch fetched {
        case .success(let result) where result.transStatus != .challengeRequired:
            ended.transStatus = result.transStatus
            ended.eci = result.eci
            switch AuthenticationStep(fetched, required: waiting.required) {
            case .authorize(let result):
                return try await authorizeAfterChallenge(payment, authentication: ended, result: result)
            case .proceedUnauthenticated:
                return try await authorizeAfterChallenge(payment, authentication: ended, result: nil)
            case .fail(let code):
                return try await endWaiting(payment, authentication: ended, code: code)
            case .challenge:
                return nil
            }
        default:
            // Open, or no sound answer: the payment waits until its time is up.
            guard expired else { return nil }
            return try await endWaiting(payment, authentication: ended, code: .cardholderAuthenticationExpired)
        }
    }

    private func endWaiting(_ payment: PaymentRecord, authentication: PaymentAuthentication, code: ErrorCode)
        async throws -> Outcome
    {
        var ended = payment
        ended.authentication = authentication
        let failure = try await fail(ended, with: KeyInError(code), messages: [])
        if failure.settledHere {
            logger.notice(
                "payment ended at its 3-D Secure challenge",
                metadata: ["paymentKey": "\(payment.paymentKey)", "code": "\(code.rawValue)"])
        }
        return failure.outcome
    }

    /// The challenge is passed (or, not required, could not be performed): one conditional change to IN_PROGRESS
    /// with the request recorded and this process as its owner, committed before the request is sent, then the
    /// authorization and its outcome as for any payment.
    private func authorizeAfterChallenge(
        _ payment: PaymentRecord, authentication: PaymentAuthentication, result: AuthenticationResult?
    ) async throws -> Outcome? {
        let link = try links.link(for: payment.mode)
        guard let opening = payment.trace, let sealed = try await store.card(of: payment.id),
            let number = try? vault.open(sealed), let expiry = payment.authentication?.cardExpiry,
            let expiryDate = CardExpiry(yymm: expiry), let currency = Currency(code: payment.currency)
        else {
            return try await endWaiting(payment, authentication: authentication, code: .failedInternalSystemProcessing)
        }
        // A new trace: the one recorded at the start is minutes old by now, and a card company may refuse a
        // request whose element 7 is that far from its clock. Stored with the change below, before it is sent, so
        // crash recovery reverses exactly this one.
        let trace = link.newTrace(terminalID: opening.terminalID, merchantID: opening.merchantID)
        var opened = payment
        opened.authentication = authentication
        opened.openedBy = processID
        opened.trace = trace
        guard
            try await settle(
                opened, from: .waitingForAuthentication, event: .authenticated, code: nil,
                messages: [
                    NetworkConversation.sent(payment.capture ? "0200" : "0100", trace: trace, note: "승인 요청", at: now())
                ], completion: nil) != nil
        else {
            // Another request or process took it first: its outcome, once there is one.
            return try await store.payment(id: payment.id).flatMap(Outcome.init(settled:))
        }
        opened.status = .inProgress
        // A hosted page's payment: it pays its link, and its declines count against the link, as they would have
        // without the challenge. (The payer's address is not kept, so it is not counted by.)
        let origin = PaymentOrigin(recordedFor: payment)
        let request = CardAuthorizationRequest(
            cardNumber: number, expiry: expiryDate, amount: Money(minorUnits: payment.totalAmount, currency: currency),
            installmentMonths: payment.installmentMonths, authenticationValue: result?.authenticationValue,
            eci: result?.eci, authenticationTransactionID: result?.acsTransactionID,
            merchantPaysInterest: payment.usesFreeInstallmentPlan, capture: payment.capture,
            posCondition: origin.posCondition, companyCode: payment.cardCompanyCode)
        var decisions = self.decisions
        decisions.rules =
            CardTestingSettings(stored: try await merchants.merchant(id: payment.merchantID)?.cardTesting)
            .rules
        var paysLink: UUID?
        if let linkKey = origin.linkKey { paysLink = try await paymentLinks.link(key: linkKey)?.id }
        return try await authorizeAndSettle(
            opened, request: request, trace: trace, link: link,
            declineCounts: decisions.declineIncrements(of: opened, origin: origin),
            completion: Completion(
                claim: nil, response: { _ in StoredResponse(status: 200, body: "") }, paysLink: paysLink))
    }

    /// Every payment waiting for its challenge, settled where the card company has the answer or its time is up
    /// (the background sweep, every few seconds and at start-up). Returns how many were settled.
    @discardableResult
    package func settleWaitingAuthentications() async throws -> Int {
        var settled = 0
        for payment in try await store.waitingForAuthentication() {
            do {
                if try await completeAuthentication(of: payment) != nil { settled += 1 }
            } catch {
                logger.error(
                    "a payment waiting for its challenge could not be settled yet",
                    metadata: [
                        "paymentKey": "\(payment.paymentKey)", "error": "\(String(describing: type(of: error)))",
                    ])
            }
        }
        return settled
    }
}
