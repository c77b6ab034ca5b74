import Crypto
import Foundation
import KeyInCore

/// How the simulated card companies behave: accounts, maintenance windows, faults. Read from JSON
/// (`keyin issuer --config FILE`); any key left out keeps the built-in default.
public struct IssuerConfiguration: Sendable, Codable, Equatable {
    /// A daily window, Asia/Seoul wall-clock `HH:mm`, during which a card company answers 91. It may cross
    /// midnight (23:50–00:10).
    public struct MaintenanceWindow: Sendable, Codable, Equatable {
        public var company: String
        public var start: String
        public var end: String

        public init(company: String, start: String, end: String) {
            self.company = company
            self.start = start
            self.end = end
        }
    }

    /// Injected faults, for chaos tests: every request may be delayed, lost, or cut off with its connection.
    public struct Faults: Sendable, Codable, Equatable {
        /// Extra latency before each answer, uniformly distributed between the two bounds.
        public var minimumLatencyMilliseconds = 0
        public var maximumLatencyMilliseconds = 0
        /// Probability (0–1) that a request is lost before the host sees it: no answer, no ledger entry.
        public var dropRate = 0.0
        /// Probability (0–1) that a request makes the host close the connection before processing it.
        public var disconnectRate = 0.0
        /// Where the fault decisions start: the same seed gives the same sequence of drops, cuts and delays, so a
        /// chaos run that found something can be run again. Without one, each start picks its own and logs it.
        public var seed: UInt64?

        public init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            minimumLatencyMilliseconds =
                try container.decodeIfPresent(Int.self, forKey: .minimumLatencyMilliseconds) ?? 0
            maximumLatencyMilliseconds =
                try container.decodeIfPresent(Int.self, forKey: .maximumLatencyMilliseconds) ?? 0
            dropRate = try container.decodeIfPresent(Double.self, forKey: .dropRate) ?? 0
            disconnectRate = try container.decodeIfPresent(Double.self, forKey: .disconnectRate) ?? 0
            seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
        }
    }

    /// A card account. Numbers not listed are approved while the default limit lasts.
    public struct Account: Sendable, Codable, Equatable {
        public var cardNumber: String
        /// Minor units of KRW the card may hold at once.
        public var creditLimit: Int64?
        /// Always answer this response code instead of deciding.
        public var responseCode: String?
        public var behaviour: Behaviour?

        public init(
            cardNumber: String, creditLimit: Int64? = nil, responseCode: String? = nil, behaviour: Behaviour? = nil
        ) {
            self.cardNumber = cardNumber
            self.creditLimit = creditLimit
            self.responseCode = responseCode
            self.behaviour = behaviour
        }
    }

    /// How a scripted card misbehaves on the wire. In each case the host has already approved and recorded the
    /// request: the gateway must reverse it.
    public enum Behaviour: String, Sendable, Codable, Equatable {
        case neverAnswers = "never_answers"
        case answersLate = "answers_late"
        case dropsConnection = "drops_connection"
        /// Sales and authorizations are answered; captures and refunds are processed and recorded but never
        /// answered.
        case neverAnswersFollowUps = "never_answers_follow_ups"
    }

    /// How a simulated host treats element 37 (retrieval reference number) of approvals, as real hosts differ:
    /// assign its own, echo the one the acquirer (KeyIn) sent, or leave it out of the answer.
    public enum ReferenceNumbers: String, Sendable, Codable, Equatable {
        case assigns
        case echoes
        case omits
    }

    public var accounts: [Account]
    public var maintenanceWindows: [MaintenanceWindow]
    public var faults: Faults
    public var referenceNumbers: ReferenceNumbers = .assigns
    /// How long a `answers_late` card waits before answering; set it above the gateway's timeout.
    public var lateAnswerMilliseconds: Int
    public var defaultCreditLimit: Int64
    /// The largest amount one payment may have (minor units); above it the answer is 13.
    public var maximumAmount: Int64
    /// Every account's cardholder: birth date, business registration number, card password digits.
    public var cardholderBirthDate: String
    public var cardholderBusinessNumber: String
    public var cardPasswordDigits: String
    /// The secret the simulated card companies issue and check 3-D Secure authentication values (CAVV) with: an
    /// authorization whose value was not made with it, or whose value already approved a payment, is declined (Q2),
    /// as a real issuer declines a value it never issued or sees again.
    public var authenticationKey: String
    /// How many transactions the books keep (the ledger, and the card numbers behind it). Older ones are closed, a
    /// tenth at a time: they leave the ledger, a capture, refund or reversal of one is answered as of an unknown
    /// original, and a card with no transaction left in the books has its balance settled (its credit free again),
    /// as a card company closes a billing period. Keeps a long-running simulator's memory flat.
    public var retainedTransactions = 100_000

    public static let `default`: IssuerConfiguration = {
        guard let url = Bundle.module.url(forResource: "issuer-default", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let configuration = try? JSONDecoder().decode(IssuerConfiguration.self, from: data, over: .builtIn)
        else {
            fatalError("IssuerSimulator's bundled issuer-default.json is missing or unreadable")
        }
        return configuration
    }()

    init(
        accounts: [Account], maintenanceWindows: [MaintenanceWindow], faults: Faults, lateAnswerMilliseconds: Int,
        defaultCreditLimit: Int64, maximumAmount: Int64, cardholderBirthDate: String, cardholderBusinessNumber: String,
        cardPasswordDigits: String, authenticationKey: String
    ) {
        self.accounts = accounts
        self.maintenanceWindows = maintenanceWindows
        self.faults = faults
        self.lateAnswerMilliseconds = lateAnswerMilliseconds
        self.defaultCreditLimit = defaultCreditLimit
        self.maximumAmount = maximumAmount
        self.cardholderBirthDate = cardholderBirthDate
        self.cardholderBusinessNumber = cardholderBusinessNumber
        self.cardPasswordDigits = cardPasswordDigits
        self.authenticationKey = authenticationKey
    }

    /// Reads a configuration file; keys it leaves out keep the built-in defaults (the bundled test cards and
    /// maintenance window among them). A file replaces a list by naming it, `"accounts": []` included.
    public static func load(json data: Data) throws -> IssuerConfiguration {
        try JSONDecoder().decode(IssuerConfiguration.self, from: data, over: .default)
    }

    /// What a key left out of the bundled file itself falls back to: no accounts, no windows, no faults.
    static let builtIn = IssuerConfiguration(
        accounts: [], maintenanceWindows: [], faults: Faults(), lateAnswerMilliseconds: 15_000,
        defaultCreditLimit: 5_000_000, maximumAmount: 100_000_000, cardholderBirthDate: "900101",
        cardholderBusinessNumber: "1248100998", cardPasswordDigits: "12",
        authenticationKey: "keyin-simulator-3ds-key")

    /// The configuration that keys left out of a decoded file keep (see `JSONDecoder.decode(_:from:over:)`).
    static let baseKey = CodingUserInfoKey(rawValue: "KeyIn.IssuerConfiguration.base")!

    enum CodingKeys: String, CodingKey {
        case accounts, maintenanceWindows, faults, lateAnswerMilliseconds, defaultCreditLimit, maximumAmount,
            cardholderBirthDate, cardholderBusinessNumber, cardPasswordDigits, authenticationKey, referenceNumbers,
            retainedTransactions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let base = decoder.userInfo[Self.baseKey] as? IssuerConfiguration ?? .default
        accounts = try container.decodeIfPresent([Account].self, forKey: .accounts) ?? base.accounts
        maintenanceWindows =
            try container.decodeIfPresent([MaintenanceWindow].self, forKey: .maintenanceWindows)
            ?? base.maintenanceWindows
        faults = try container.decodeIfPresent(Faults.self, forKey: .faults) ?? base.faults
        referenceNumbers =
            try container.decodeIfPresent(ReferenceNumbers.self, forKey: .referenceNumbers) ?? base.referenceNumbers
        retainedTransactions =
            try container.decodeIfPresent(Int.self, forKey: .retainedTransactions) ?? base.retainedTransactions
        lateAnswerMilliseconds =
            try container.decodeIfPresent(Int.self, forKey: .lateAnswerMilliseconds) ?? base.lateAnswerMilliseconds
        defaultCreditLimit =
            try container.decodeIfPresent(Int64.self, forKey: .defaultCreditLimit) ?? base.defaultCreditLimit
        maximumAmount = try container.decodeIfPresent(Int64.self, forKey: .maximumAmount) ?? base.maximumAmount
        cardholderBirthDate =
            try container.decodeIfPresent(String.self, forKey: .cardholderBirthDate) ?? base.cardholderBirthDate
        cardholderBusinessNumber =
            try container.decodeIfPresent(String.self, forKey: .cardholderBusinessNumber)
            ?? base.cardholderBusinessNumber
        cardPasswordDigits =
            try container.decodeIfPresent(String.self, forKey: .cardPasswordDigits) ?? base.cardPasswordDigits
        authenticationKey =
            try container.decodeIfPresent(String.self, forKey: .authenticationKey) ?? base.authenticationKey
    }

    /// The 3-D Secure authentication value (CAVV) these card companies issue for a card, a transaction id, an ECI
    /// and the amount authenticated (minor units, ISO 4217 numeric currency): 20 bytes of HMAC-SHA256 under
    /// `authenticationKey`, in base64 (28 characters, a CAVV's length). Bound to the amount, so a value the
    /// cardholder approved for 1,000원 authorizes 1,000원 and nothing larger. Tests and demos ask for one here, as a
    /// merchant gets one from a 3-D Secure provider.
    public func authenticationValue(
        cardNumber: String, transactionID: String?, eci: String, amount: Int64, currencyCode: String
    ) -> String {
        let message = Data("\(cardNumber)|\(transactionID ?? "")|\(eci)|\(amount)|\(currencyCode)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(authenticationKey.utf8)))
        return Data(Data(mac).prefix(20)).base64EncodedString()
    }

    /// Checks what decoding cannot: times, rates and card numbers.
    public func validate() throws(IssuerConfigurationError) {
        for window in maintenanceWindows {
            guard MaintenanceSchedule.minutes(window.start) != nil, MaintenanceSchedule.minutes(window.end) != nil
            else {
                throw IssuerConfigurationError("maintenance window for \(window.company) must use HH:mm times")
            }
        }
        for rate in [faults.dropRate, faults.disconnectRate] where !(0...1).contains(rate) {
            throw IssuerConfigurationError("fault rates must be between 0 and 1")
        }
        guard faults.minimumLatencyMilliseconds >= 0,
            faults.maximumLatencyMilliseconds >= faults.minimumLatencyMilliseconds
        else { throw IssuerConfigurationError("latency bounds must satisfy 0 <= minimum <= maximum") }
        guard retainedTransactions >= 1 else {
            throw IssuerConfigurationError("retainedTransactions must be at least 1")
        }
        for account in accounts where !Luhn.isValid(account.cardNumber) {
            throw IssuerConfigurationError(
                "account \(CardNumber(typed: account.cardNumber)?.masked ?? "?") fails the Luhn check")
        }
    }
}

extension JSONDecoder {
    /// Decodes a simulator configuration whose left-out keys keep `base`'s values.
    fileprivate func decode(
        _ type: IssuerConfiguration.Type, from data: Data, over base: IssuerConfiguration
    ) throws -> IssuerConfiguration {
        userInfo[IssuerConfiguration.baseKey] = base
        return try decode(type, from: data)
    }
}

public struct IssuerConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
