/// What a Korean key-in payment uses to tie the card to its holder: the holder's birth date for a personal
/// card, the company's business registration number (사업자등록번호) for a corporate card.
///
/// Sent to the card company and then forgotten: it is never stored, and its description is redacted.
public enum CustomerIdentityNumber: Hashable, Sendable {
    /// `YYMMDD`.
    case birthDate(String)
    /// Ten digits.
    case businessRegistrationNumber(String)

    /// Accepts 6 digits that make a real calendar date, or 10 digits (hyphens and spaces allowed, as in
    /// `124-81-00998`) whose last digit is the business number check digit.
    public init?(parsing text: String) {
        let digits = text.filter { !CardNumber.isSeparator($0) }
        guard digits.allSatisfy({ $0.asciiDigitValue != nil }) else { return nil }
        switch digits.count {
        case 6 where BirthDate.isRealDate(yymmdd: digits): self = .birthDate(digits)
        case 10 where BusinessRegistrationNumber.hasValidCheckDigit(digits): self = .businessRegistrationNumber(digits)
        default: return nil
        }
    }

    /// The digits as the card company expects them.
    public var digits: String {
        switch self {
        case .birthDate(let digits), .businessRegistrationNumber(let digits): digits
        }
    }
}

extension CustomerIdentityNumber: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        switch self {
        case .birthDate: "birthDate(******)"
        case .businessRegistrationNumber: "businessRegistrationNumber(**********)"
        }
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}

public enum BirthDate {
    /// Whether `YYMMDD` is a date that exists in 19YY or 20YY (so 000229 is, being 29 February 2000, and 250229
    /// is not).
    public static func isRealDate(yymmdd: some StringProtocol) -> Bool {
        let values = yymmdd.compactMap(\.asciiDigitValue)
        guard values.count == 6 else { return false }
        let yy = values[0] * 10 + values[1]
        let month = values[2] * 10 + values[3]
        let day = values[4] * 10 + values[5]
        return [1900 + yy, 2000 + yy].contains { year in
            (1...12).contains(month) && (1...daysIn(month: month, year: year)).contains(day)
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
}

/// 사업자등록번호: ten digits, the last a check digit over the first nine.
public enum BusinessRegistrationNumber {
    static let weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]

    /// The check digit for the first nine digits: weighted sum (1,3,7,1,3,7,1,3,5), plus the tens of the ninth
    /// digit times five, and the digit that brings the sum to a multiple of ten.
    public static func checkDigit(forFirstNine digits: some StringProtocol) -> Int? {
        let values = digits.compactMap(\.asciiDigitValue)
        guard values.count == 9, digits.count == 9 else { return nil }
        var sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        sum += values[8] * 5 / 10
        return (10 - sum % 10) % 10
    }

    public static func hasValidCheckDigit(_ digits: some StringProtocol) -> Bool {
        guard digits.count == 10, let last = digits.last?.asciiDigitValue else { return false }
        return checkDigit(forFirstNine: digits.prefix(9)) == last
    }
}
