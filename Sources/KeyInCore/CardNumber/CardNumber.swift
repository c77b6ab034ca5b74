/// A card number reduced to its digits. Its `description` is the masked form, so interpolating it into a log
/// line or an error message can never leak the full number.
public struct CardNumber: Hashable, Sendable {
    /// The full number: send it to a card company or encrypt it, never print it.
    public let digits: String

    /// Parses what a person typed: digits with any spaces or hyphens between them. Full-width digits, which some
    /// Korean input methods produce, count as digits. Returns nil when anything else is in the text.
    public init?(typed text: String) {
        var digits = ""
        for character in text {
            if let value = character.keyedDigitValue {
                digits.append(Character(String(value)))
            } else if !CardNumber.isSeparator(character) {
                return nil
            }
        }
        self.digits = digits
    }

    static func isSeparator(_ character: Character) -> Bool {
        character == " " || character == "-" || character == "\u{00A0}" || character == "\t"
    }

    public var brandDetection: BrandDetection { CardBrand.detect(digits: digits) }

    public var brand: CardBrand? {
        if case .known(let brand) = brandDetection { return brand }
        return nil
    }

    /// The first six digits (the BIN), which identify the issuer and may be shown and stored in the clear.
    public var bin: Substring { digits.prefix(6) }

    public var last4: Substring { digits.suffix(4) }

    /// First six and last four digits with the rest starred, e.g. `424242******4242`, the most PCI DSS allows
    /// to be displayed. Numbers too short to have both parts are starred completely.
    public var masked: String {
        guard digits.count >= 10 else { return String(repeating: "*", count: digits.count) }
        return String(bin) + String(repeating: "*", count: digits.count - 10) + String(last4)
    }
}

extension CardNumber: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { masked }
    public var debugDescription: String { "CardNumber(\(masked))" }
    /// `dump` and debuggers walk the mirror; show them the masked form only.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked]) }
}

extension Character {
    /// ASCII digits and the full-width digits ０–９ that Korean input methods can type.
    var keyedDigitValue: Int? {
        if let ascii = asciiDigitValue { return ascii }
        guard let scalar = unicodeScalars.first, unicodeScalars.count == 1,
            (0xFF10...0xFF19).contains(scalar.value)
        else { return nil }
        return Int(scalar.value - 0xFF10)
    }
}
