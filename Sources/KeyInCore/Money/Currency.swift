/// An ISO 4217 currency KeyIn can charge in.
///
/// The numeric code travels in ISO 8583 element 49; the minor-unit exponent says how an integer amount is read
/// (KRW has no minor unit, so 15000 is ₩15,000; USD has two, so 15000 is $150.00).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let numericCode: String
    public let minorUnitDigits: Int
    /// The smallest amount a card company accepts for one payment, in minor units.
    public let minimumAmount: Int64

    public static let krw = Currency(code: "KRW", numericCode: "410", minorUnitDigits: 0, minimumAmount: 100)
    public static let usd = Currency(code: "USD", numericCode: "840", minorUnitDigits: 2, minimumAmount: 50)
    public static let jpy = Currency(code: "JPY", numericCode: "392", minorUnitDigits: 0, minimumAmount: 50)
    public static let eur = Currency(code: "EUR", numericCode: "978", minorUnitDigits: 2, minimumAmount: 50)
    public static let cny = Currency(code: "CNY", numericCode: "156", minorUnitDigits: 2, minimumAmount: 100)

    public static let supported: [Currency] = [.krw, .usd, .jpy, .eur, .cny]

    /// The currency for an alphabetic code such as `"krw"` or `"KRW"`; nil when KeyIn does not support it.
    public init?(code: String) {
        let upper = code.uppercased()
        guard let found = Currency.supported.first(where: { $0.code == upper }) else { return nil }
        self = found
    }

    /// The currency for an ISO 4217 numeric code such as `"410"`.
    public init?(numericCode: String) {
        guard let found = Currency.supported.first(where: { $0.numericCode == numericCode }) else { return nil }
        self = found
    }

    private init(code: String, numericCode: String, minorUnitDigits: Int, minimumAmount: Int64) {
        self.code = code
        self.numericCode = numericCode
        self.minorUnitDigits = minorUnitDigits
        self.minimumAmount = minimumAmount
    }

    public var description: String { code }
}
