import Foundation

/// The outcome of a cardholder authentication, as EMV 3-D Secure 2 names it (`transStatus`).
public enum TransactionStatus: String, Codable, Sendable, CaseIterable {
    /// Authenticated: the authentication value proves it.
    case authenticated = "Y"
    /// Not authenticated: a wrong code, a cancelled challenge, or the card company refused.
    case notAuthenticated = "N"
    /// Attempted: the card company does not authenticate this card, and vouches for the attempt with a value.
    case attempted = "A"
    /// Could not be performed (a fault at the card company): no value.
    case unavailable = "U"
    /// Rejected: the card company refuses the payment outright; it must not be authorized.
    case rejected = "R"
    /// The cardholder must answer a challenge first (only in an authentication response).
    case challengeRequired = "C"

    /// Whether the payment may be authorized with the result's value and ECI.
    public var allowsAuthorization: Bool { self == .authenticated || self == .attempted }
    /// Whether the result is the last word on the transaction (a challenge may still change a C).
    public var isFinal: Bool { self != .challengeRequired }
}

/// What the gateway asks of the card company about a challenge (EMV's `threeDSRequestorChallengeInd`).
public enum ChallengePreference: String, Codable, Sendable {
    /// The card company decides: frictionless when its own risk is low.
    case noPreference = "01"
    /// The gateway's risk is high: challenge the cardholder.
    case requested = "03"
    /// The merchant requires a challenge (per payment, or for all of its payments).
    case mandated = "04"
}

/// Starting an authentication (EMV's AReq): what the gateway sends the card company's access control server (ACS).
/// The card's secrets the payment was keyed in with go here, to the card company, and nowhere else: the gateway keeps
/// none of them while the cardholder answers the challenge, and authorizes with the authentication value instead.
public struct AuthenticationRequest: Codable, Sendable, Equatable {
    /// The gateway's id for this authentication (EMV's `threeDSServerTransID`): a UUID, one per payment.
    public var serverTransactionID: String
    public var cardNumber: String
    /// `YYMM`, as element 14 carries it.
    public var cardExpiry: String
    /// The CVC, birth date or business number and card password digits, when the payment was keyed in with them:
    /// the card company checks them as part of the authentication.
    public var cvc: String?
    public var customerIdentity: String?
    public var cardPasswordDigits: String?
    /// Minor units, and the ISO 4217 numeric currency (element 49's form).
    public var amount: Int64
    public var currencyCode: String
    public var merchantName: String
    /// Element 42: the merchant as the card company knows it.
    public var acquirerMerchantID: String
    public var challengePreference: ChallengePreference
    /// Where the cardholder's browser goes when the challenge ends (EMV's `notificationURL`). Nothing the browser
    /// brings back is believed: the gateway then asks the ACS for the result itself.
    public var returnURL: String

    public init(
        serverTransactionID: String, cardNumber: String, cardExpiry: String, cvc: String? = nil,
        customerIdentity: String? = nil, cardPasswordDigits: String? = nil, amount: Int64, currencyCode: String,
        merchantName: String, acquirerMerchantID: String, challengePreference: ChallengePreference, returnURL: String
    ) {
        self.serverTransactionID = serverTransactionID
        self.cardNumber = cardNumber
        self.cardExpiry = cardExpiry
        self.cvc = cvc
        self.customerIdentity = customerIdentity
        self.cardPasswordDigits = cardPasswordDigits
        self.amount = amount
        self.currencyCode = currencyCode
        self.merchantName = merchantName
        self.acquirerMerchantID = acquirerMerchantID
        self.challengePreference = challengePreference
        self.returnURL = returnURL
    }
}

/// Where an authentication stands (EMV's ARes, and the result the gateway fetches after a challenge, EMV's RReq):
/// final with Y, A (with ECI and authentication value), N, U or R; or C with the page the cardholder answers on.
public struct AuthenticationResult: Codable, Sendable, Equatable {
    public var serverTransactionID: String
    /// The ACS's id for the transaction; the authorization carries it in element 48 tag 09.
    public var acsTransactionID: String
    public var transStatus: TransactionStatus
    /// Two digits: 05 authenticated, 06 attempted (Visa's values; the card company's own otherwise).
    public var eci: String?
    /// The CAVV: base64, at most 40 characters; the card company checks it when the payment is authorized.
    public var authenticationValue: String?
    /// With C: the challenge page, for the cardholder's browser.
    public var challengeURL: String?
    /// With C: when the challenge ends unanswered.
    public var challengeExpiresAt: Date?
    /// Why a result is N, U or R (never which card detail was wrong).
    public var statusReason: StatusReason?

    public init(
        serverTransactionID: String, acsTransactionID: String, transStatus: TransactionStatus, eci: String? = nil,
        authenticationValue: String? = nil, challengeURL: String? = nil, challengeExpiresAt: Date? = nil,
        statusReason: StatusReason? = nil
    ) {
        self.serverTransactionID = serverTransactionID
        self.acsTransactionID = acsTransactionID
        self.transStatus = transStatus
        self.eci = eci
        self.authenticationValue = authenticationValue
        self.challengeURL = challengeURL
        self.challengeExpiresAt = challengeExpiresAt
        self.statusReason = statusReason
    }
}

/// Why an authentication did not succeed (EMV's `transStatusReason`, its values that matter to a key-in payment).
public enum StatusReason: String, Codable, Sendable {
    /// A wrong one-time code too often, or card details that do not match the card company's.
    case authenticationFailed = "01"
    /// The card company refuses to authenticate this card.
    case refusedByIssuer = "11"
    /// The cardholder cancelled the challenge.
    case cardholderCancelled = "13"
    /// The challenge was not answered in time.
    case timedOut = "14"
    /// A fault at the card company.
    case technicalProblem = "15"
}

/// The protocol's JSON: ISO 8601 dates, sorted keys (a signature covers the exact bytes sent).
public enum AuthenticationJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }
}
