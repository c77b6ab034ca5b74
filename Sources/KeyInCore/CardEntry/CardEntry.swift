/// What was keyed in, as typed. Empty fields mean "not given". Its description is redacted: the values are
/// card data.
public struct CardEntry: Sendable {
    public var cardNumber: String
    public var expiry: String?
    public var cvc: String?
    public var customerIdentityNumber: String?
    public var cardPassword: String?
    /// Minor units of `currency`.
    public var amount: Int64?
    /// ISO 4217 alphabetic code; KRW when not given.
    public var currency: String?
    /// 0 for 일시불 (pay in full), otherwise the number of months.
    public var installmentMonths: Int?

    public init(
        cardNumber: String, expiry: String? = nil, cvc: String? = nil, customerIdentityNumber: String? = nil,
        cardPassword: String? = nil, amount: Int64? = nil, currency: String? = nil, installmentMonths: Int? = nil
    ) {
        self.cardNumber = cardNumber
        self.expiry = expiry
        self.cvc = cvc
        self.customerIdentityNumber = customerIdentityNumber
        self.cardPassword = cardPassword
        self.amount = amount
        self.currency = currency
        self.installmentMonths = installmentMonths
    }
}

extension CardEntry: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "CardEntry(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
