/// An amount of money as an integer count of the currency's minor units, never a floating-point number.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    /// ISO 8583 element 4 holds 12 digits, so no single payment can be larger than this.
    public static let largestMinorUnits: Int64 = 999_999_999_999

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func krw(_ won: Int64) -> Money { Money(minorUnits: won, currency: .krw) }

    /// The amount as people write it: `₩15,000`-style grouping without the symbol, e.g. `"15,000 KRW"` or
    /// `"150.00 USD"`.
    public var description: String {
        "\(formattedNumber) \(currency.code)"
    }

    /// Digits grouped by thousands with the currency's decimal places, e.g. `"1,234,500"` or `"12.50"`.
    public var formattedNumber: String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        let digits = currency.minorUnitDigits
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let whole = String(magnitude / divisor)
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        if digits > 0 {
            let fraction = String(magnitude % divisor)
            grouped += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return (negative ? "-" : "") + grouped
    }
}
