import CardholderAuthentication
import Foundation
import KeyInCore

/// The simulated card companies' access control server (ACS) for 3-D Secure: it decides frictionless or challenge,
/// "sends" the cardholder a one-time code (shown on `sentCodes`, as a text message would reach the phone), runs the
/// challenge page and issues the authentication value (CAVV) the simulated card companies check when the payment is
/// authorized. It speaks the documented protocol of docs/three-d-secure.md; `AccessControlHTTP` puts it on HTTP.
///
/// Test cards: 4000000000003006 is always challenged; 4000000000003014 is refused (N); 4000000000003022 is not
/// authenticated by its card company, which vouches for the attempt (A). Other cards: frictionless (Y) unless the
/// gateway requests or mandates a challenge.
public actor AccessControlServer {
    public static let alwaysChallengedCard = "4000000000003006"
    public static let refusedCard = "4000000000003014"
    public static let attemptedCard = "4000000000003022"
    /// The key the embedded simulator and the gateway's test mode share (a real ACS agrees its own with the gateway).
    public static let defaultSigningKey = "keyin-simulator-acs-key"
    /// How long a challenge waits for its answer.
    public static let challengeLifetime: TimeInterval = 600
    /// Wrong codes before the challenge ends N.
    public static let allowedAttempts = 3
    /// Transactions remembered; the oldest finished ones are forgotten first.
    static let retainedTransactions = 10_000

    public nonisolated let configuration: IssuerConfiguration
    /// Where the challenge pages are reached by a cardholder's browser (scheme, host, port, any path prefix).
    public nonisolated let publicBaseURL: String
    private let now: @Sendable () -> Date
    private var transactions: [String: Transaction] = [:]
    private var order: [String] = []

    struct Transaction {
        let request: AuthenticationRequest
        var result: AuthenticationResult
        var code: String?
        var wrongAnswers = 0
    }

    /// A code the card company "sent": what the cardholder's phone would show.
    public struct SentCode: Codable, Sendable, Equatable {
        public let acsTransactionID: String
        public let serverTransactionID: String
        /// The card's last four digits, as a text message names it.
        public let cardLastFour: String
        public let code: String
        public let expiresAt: Date
    }

    public init(
        configuration: IssuerConfiguration = .default, publicBaseURL: String,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.now = now
    }

    /// An authentication request: its result, frictionless or a challenge. A request sent again (a gateway retrying
    /// after a timeout) gets the same transaction, not a second challenge.
    public func authenticate(_ request: AuthenticationRequest) -> AuthenticationResult {
        if let known = transactions[request.serverTransactionID] { return current(known.request.serverTransactionID) }
        let acsID = UUID().uuidString.lowercased()
        var result = AuthenticationResult(
            serverTransactionID: request.serverTransactionID, acsTransactionID: acsID, transStatus: .notAuthenticated)
        var code: String?
        if !Luhn.isValid(request.cardNumber) || !detailsMatch(request) {
            result.statusReason = .authenticationFailed
        } else if request.cardNumber == Self.refusedCard {
            result.statusReason = .refusedByIssuer
        } else if request.cardNumber == Self.attemptedCard {
            issue(&result, status: .attempted, eci: "06", for: request)
        } else if request.cardNumber == Self.alwaysChallengedCard || request.challengePreference != .noPreference {
            result.transStatus = .challengeRequired
            result.challengeURL = publicBaseURL + AuthenticationRoutes.challenge(acsID)
            result.challengeExpiresAt = now().addingTimeInterval(Self.challengeLifetime)
            code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        } else {
            issue(&result, status: .authenticated, eci: "05", for: request)
        }
        remember(Transaction(request: request, result: result, code: code))
        return result
    }

    /// The transaction's result now: a challenge past its time has ended N (timed out). Nil for a transaction this
    /// ACS does not know.
    public func result(serverTransactionID: String) -> AuthenticationResult? {
        transactions[serverTransactionID] == nil ? nil : current(serverTransactionID)
    }

    /// The codes of the challenges still waiting, newest first.
    public func sentCodes() -> [SentCode] {
        let at = now()
        return order.reversed().compactMap { id in
            guard let transaction = transactions[id], let code = transaction.code,
                transaction.result.transStatus == .challengeRequired,
                let expires = transaction.result.challengeExpiresAt, expires > at
            else { return nil }
            return SentCode(
                acsTransactionID: transaction.result.acsTransactionID, serverTransactionID: id,
                cardLastFour: String(transaction.request.cardNumber.suffix(4)), code: code, expiresAt: expires)
        }
    }

    /// What the cardholder did on the challenge page.
    public enum ChallengeAnswer: Sendable, Equatable {
        case code(String)
        case cancel
    }

    /// Where a challenge stands after an answer: still open (a wrong code, with the tries left), or ended, the
    /// browser sent back to the gateway.
    public enum ChallengeState: Sendable, Equatable {
        case open(merchantName: String, amount: Int64, currencyCode: String, cardLastFour: String, triesLeft: Int)
        case ended(returnURL: String, status: TransactionStatus)
        case unknown
    }

    public func challenge(acsTransactionID: String) -> ChallengeState {
        guard let id = serverID(acs: acsTransactionID) else { return .unknown }
        return state(id)
    }

    public func answer(_ answer: ChallengeAnswer, acsTransactionID: String) -> ChallengeState {
        guard let id = serverID(acs: acsTransactionID), var transaction = transactions[id] else { return .unknown }
        transaction.result = current(id)
        guard transaction.result.transStatus == .challengeRequired else { return state(id) }
        switch answer {
        case .cancel:
            end(&transaction, status: .notAuthenticated, reason: .cardholderCancelled)
        case .code(let given):
            if given.trimmingCharacters(in: .whitespaces) == transaction.code {
                issue(&transaction.result, status: .authenticated, eci: "05", for: transaction.request)
                transaction.code = nil
            } else {
                transaction.wrongAnswers += 1
                if transaction.wrongAnswers >= Self.allowedAttempts {
                    end(&transaction, status: .notAuthenticated, reason: .authenticationFailed)
                }
            }
        }
        transactions[id] = transaction
        return state(id)
    }

    // MARK: -

    private func state(_ id: String) -> ChallengeState {
        guard let transaction = transactions[id] else { return .unknown }
        let result = current(id)
        if result.transStatus == .challengeRequired {
            return .open(
                merchantName: transaction.request.merchantName, amount: transaction.request.amount,
                currencyCode: transaction.request.currencyCode,
                cardLastFour: String(transaction.request.cardNumber.suffix(4)),
                triesLeft: Self.allowedAttempts - transaction.wrongAnswers)
        }
        return .ended(returnURL: transaction.request.returnURL, status: result.transStatus)
    }

    private func current(_ id: String) -> AuthenticationResult {
        guard var transaction = transactions[id] else { preconditionFailure("known transaction") }
        if transaction.result.transStatus == .challengeRequired,
            let expires = transaction.result.challengeExpiresAt, expires <= now()
        {
            end(&transaction, status: .notAuthenticated, reason: .timedOut)
            transactions[id] = transaction
        }
        return transaction.result
    }

    private func end(_ transaction: inout Transaction, status: TransactionStatus, reason: StatusReason) {
        transaction.result.transStatus = status
        transaction.result.statusReason = reason
        transaction.result.challengeURL = nil
        transaction.code = nil
    }

    /// A final result with its ECI and the value the card companies check (`IssuerConfiguration.authenticationValue`,
    /// over the card, the ACS transaction id, the ECI and the amount the cardholder authenticated).
    private func issue(
        _ result: inout AuthenticationResult, status: TransactionStatus, eci: String, for request: AuthenticationRequest
    ) {
        result.transStatus = status
        result.eci = eci
        result.challengeURL = nil
        result.authenticationValue = configuration.authenticationValue(
            cardNumber: request.cardNumber, transactionID: result.acsTransactionID, eci: eci, amount: request.amount,
            currencyCode: request.currencyCode)
    }

    /// The card company checks the secrets it was given, as its authorization would: a mismatch is N, never which.
    private func detailsMatch(_ request: AuthenticationRequest) -> Bool {
        if let identity = request.customerIdentity,
            identity != configuration.cardholderBirthDate && identity != configuration.cardholderBusinessNumber
        {
            return false
        }
        if let digits = request.cardPasswordDigits, digits != configuration.cardPasswordDigits { return false }
        if let cvc = request.cvc, !(3...4).contains(cvc.count) || !cvc.allSatisfy(\.isNumber) { return false }
        return true
    }

    private func serverID(acs: String) -> String? {
        // Few are waiting at once; a scan over the retained ones is cheap next to a page.
        transactions.first(where: { $0.value.result.acsTransactionID == acs })?.key
    }

    private func remember(_ transaction: Transaction) {
        let id = transaction.request.serverTransactionID
        transactions[id] = transaction
        order.append(id)
        if order.count > Self.retainedTransactions {
            let forgotten = order.takeFirst(order.count / 10)
            for old in forgotten { transactions[old] = nil }
        }
    }
}

extension Array {
    fileprivate mutating func takeFirst(_ count: Int) -> [Element] {
        let head = Array(self[..<count])
        removeSubrange(..<count)
        return head
    }
}
