/// The Luhn (mod 10) check digit that every payment card number carries, so that a single mistyped digit or
/// most swaps of two neighbouring digits are caught before anything is sent to a card company.
public enum Luhn {
    /// Whether `digits` (ASCII digits only) end in a correct check digit.
    public static func isValid(_ digits: some StringProtocol) -> Bool {
        guard digits.count >= 2, let sum = weightedSum(digits, doublingFirst: false) else { return false }
        return sum % 10 == 0
    }

    /// The digit that makes `payload + digit` pass the check.
    public static func checkDigit(for payload: some StringProtocol) -> Character? {
        guard let sum = weightedSum(payload, doublingFirst: true) else { return nil }
        return Character(String((10 - sum % 10) % 10))
    }

    /// Sum of the digits from the right, every second one doubled (and 9 subtracted when it exceeds 9).
    private static func weightedSum(_ digits: some StringProtocol, doublingFirst: Bool) -> Int? {
        var sum = 0
        var double = doublingFirst
        for character in digits.reversed() {
            guard let value = character.asciiDigitValue else { return nil }
            if double {
                let doubled = value * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += value
            }
            double.toggle()
        }
        return sum
    }
}

extension Character {
    /// 0–9 for the ASCII digits, nil for anything else (including other scripts' digits).
    var asciiDigitValue: Int? {
        guard let ascii = asciiValue, ascii >= 48, ascii <= 57 else { return nil }
        return Int(ascii - 48)
    }
}
