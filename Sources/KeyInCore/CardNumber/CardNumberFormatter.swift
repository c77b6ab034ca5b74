/// Groups a card number as the customer types it and keeps the caret where the customer expects it.
///
/// Offsets are UTF-16 code units, the unit of `selectionStart` in a browser text field, so the page and a
/// native app can hand their field state over unchanged.
public enum CardNumberFormatter {
    public struct FieldState: Equatable, Sendable {
        public var text: String
        /// The caret, as a UTF-16 offset into `text`.
        public var caret: Int

        public init(text: String, caret: Int) {
            self.text = text
            self.caret = caret
        }
    }

    /// Reformats the field after an edit. Everything but digits is dropped, digits beyond the longest number the
    /// brand allows are dropped, and the caret lands after the same digit it followed before.
    public static func format(_ state: FieldState) -> FieldState {
        let caretOffset = max(0, min(state.caret, state.text.utf16.count))
        var digits = ""
        var digitsBeforeCaret = 0
        var utf16Offset = 0
        for character in state.text {
            if let value = character.keyedDigitValue {
                digits.append(Character(String(value)))
                if utf16Offset < caretOffset { digitsBeforeCaret += 1 }
            }
            utf16Offset += character.utf16.count
        }
        let limit = CardBrand.detect(digits: digits).maximumLength
        if digits.count > limit { digits = String(digits.prefix(limit)) }
        digitsBeforeCaret = min(digitsBeforeCaret, digits.count)

        let grouped = group(digits)
        return FieldState(text: grouped, caret: offset(afterDigit: digitsBeforeCaret, in: grouped))
    }

    /// The digits grouped with single spaces: 4-4-4-4 for most cards, 4-6-5 for American Express, 4-6-4 for a
    /// 14-digit Diners Club card, 4-4-4-4-3 for 19 digits.
    public static func group(_ digits: String) -> String {
        var result = ""
        var remaining = Substring(digits)
        for size in groupSizes(for: digits) where !remaining.isEmpty {
            if !result.isEmpty { result.append(" ") }
            result += remaining.prefix(size)
            remaining = remaining.dropFirst(size)
        }
        return result
    }

    static func groupSizes(for digits: String) -> [Int] {
        switch CardBrand.detect(digits: digits) {
        case .known(.americanExpress): [4, 6, 5]
        case .known(.dinersClub) where digits.count <= 14: [4, 6, 4]
        default: [4, 4, 4, 4, 3]
        }
    }

    /// The UTF-16 offset just after the `count`-th digit (0 means the start of the field).
    static func offset(afterDigit count: Int, in grouped: String) -> Int {
        guard count > 0 else { return 0 }
        var seen = 0
        var offset = 0
        for character in grouped {
            offset += character.utf16.count
            if character.asciiDigitValue != nil {
                seen += 1
                if seen == count { return offset }
            }
        }
        return offset
    }
}

extension BrandDetection {
    /// How many digits the field may hold while the brand is what it is now.
    var maximumLength: Int {
        if case .known(let brand) = self { return brand.maximumLength }
        return 19
    }
}
