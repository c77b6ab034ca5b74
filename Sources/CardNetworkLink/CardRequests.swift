import ISO8583
import KeyInCore

/// How the card data reached the merchant, as element 25 tells the card company.
public enum POSCondition: String, Sendable, Codable {
    /// 08: mail or telephone order, keyed in by staff.
    case mailOrTelephoneOrder = "08"
    /// 59: e-commerce, keyed in by the customer on a payment page.
    case ecommerce = "59"
}

/// A request to authorize a keyed-in card: 0200 (authorize and capture) or 0100 (authorization only).
public struct CardAuthorizationRequest: Sendable {
    public var cardNumber: CardNumber
    public var expiry: CardExpiry
    public var amount: Money
    public var cvc: String?
    public var customerIdentity: CustomerIdentityNumber?
    public var cardPasswordDigits: String?
    /// 0 for 일시불.
    public var installmentMonths: Int
    /// 3-D Secure result, when the cardholder was authenticated: the authentication value (CAVV), its ECI and the
    /// transaction it belongs to. The card company verifies the value.
    public var authenticationValue: String?
    public var eci: String?
    public var authenticationTransactionID: String?
    /// The merchant pays the installment interest (무이자 할부).
    public var merchantPaysInterest: Bool
    /// True for a sale (0200); false to only hold the amount (0100) until a capture.
    public var capture: Bool
    public var posCondition: POSCondition
    /// The card company, which decides the host; nil goes to the default host.
    public var companyCode: String?

    public init(
        cardNumber: CardNumber, expiry: CardExpiry, amount: Money, cvc: String? = nil,
        customerIdentity: CustomerIdentityNumber? = nil, cardPasswordDigits: String? = nil, installmentMonths: Int = 0,
        authenticationValue: String? = nil, eci: String? = nil, authenticationTransactionID: String? = nil,
        merchantPaysInterest: Bool = false, capture: Bool = true, posCondition: POSCondition = .mailOrTelephoneOrder,
        companyCode: String? = nil
    ) {
        self.cardNumber = cardNumber
        self.expiry = expiry
        self.amount = amount
        self.cvc = cvc
        self.customerIdentity = customerIdentity
        self.cardPasswordDigits = cardPasswordDigits
        self.installmentMonths = installmentMonths
        self.authenticationValue = authenticationValue
        self.eci = eci
        self.authenticationTransactionID = authenticationTransactionID
        self.merchantPaysInterest = merchantPaysInterest
        self.capture = capture
        self.posCondition = posCondition
        self.companyCode = companyCode
    }
}

/// A capture (0220) of an earlier authorization, or a refund (0200, processing code 200000) of an earlier sale
/// or capture. Both name the original by its RRN.
public struct CardFollowUpRequest: Sendable {
    public enum Kind: Sendable {
        case capture
        case refund
    }

    public var kind: Kind
    public var cardNumber: CardNumber
    public var amount: Money
    public var originalRRN: String
    public var companyCode: String?
    public var posCondition: POSCondition

    public init(
        kind: Kind, cardNumber: CardNumber, amount: Money, originalRRN: String, companyCode: String? = nil,
        posCondition: POSCondition = .mailOrTelephoneOrder
    ) {
        self.kind = kind
        self.cardNumber = cardNumber
        self.amount = amount
        self.originalRRN = originalRRN
        self.companyCode = companyCode
        self.posCondition = posCondition
    }
}

/// What a card company says when it approves.
public struct CardApproval: Hashable, Sendable, Codable {
    /// Element 38, the number printed on receipts (승인번호).
    public let approvalCode: String
    /// Element 37, which captures and refunds quote.
    public let retrievalReferenceNumber: String
    public let trace: TransactionTrace
}

/// Processing codes (element 3). A reversal repeats its original's.
public enum ProcessingCode {
    public static let purchase = "000000"
    public static let refund = "200000"
}
