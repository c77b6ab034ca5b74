/// Card numbers in free text — a chat line, an inquiry, a survey comment, a cancel reason — masked before the text is
/// stored or relayed: customers and staff type them where they should not, and no such text may keep one.
///
/// A card number here is a run of 13 to 19 digits that passes the Luhn check, written straight or in groups split by
/// single spaces or hyphens (`4242 4242 4242 4242`, `4242-4242-4242-4242`). It becomes its first 6 and last 4
/// digits with the rest starred, as everywhere else a number is shown. Other numbers (a phone number, an order id,
/// an amount) stay as typed: they fail the length or the Luhn check.
public enum CardNumberMasking {
    public static func masked(_ text: String) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            guard characters[index].isASCIIDigit else {
                output.append(characters[index])
                index += 1
                continue
            }
            let run = Run(characters, from: index)
            output += run.maskingCardNumbers()
            index = run.end
        }
        return output
    }

    /// Digits in groups joined by single spaces or hyphens, as a person types a long number.
    struct Run {
        /// Each group's digits, and the separator that follows it (nil after the last).
        var groups: [(digits: String, separator: Character?)] = []
        /// Where the run ends in the text.
        var end: Int

        init(_ characters: [Character], from start: Int) {
            var index = start
            while true {
                var digits = ""
                while index < characters.count, characters[index].isASCIIDigit {
                    digits.append(characters[index])
                    index += 1
                }
                // A separator continues the run only when a digit follows it.
                if index + 1 < characters.count, characters[index] == " " || characters[index] == "-",
                    characters[index + 1].isASCIIDigit
                {
                    groups.append((digits, characters[index]))
                    index += 1
                } else {
                    groups.append((digits, nil))
                    break
                }
            }
            end = index
        }

        /// The run as text, every card number in it masked: from each group, the longest stretch of whole groups
        /// that is one is masked, and the search goes on after it.
        func maskingCardNumbers() -> String {
            var output = ""
            var first = 0
            while first < groups.count {
                var last = groups.count - 1
                var found: Int?
                while last >= first {
                    let digits = groups[first...last].map(\.digits).joined()
                    if (13...19).contains(digits.count), Luhn.isValid(digits) {
                        found = last
                        break
                    }
                    last -= 1
                }
                if let found {
                    let digits = groups[first...found].map(\.digits).joined()
                    output += CardNumber(typed: digits)?.masked ?? String(repeating: "*", count: digits.count)
                    if let separator = groups[found].separator { output.append(separator) }
                    first = found + 1
                } else {
                    output += groups[first].digits
                    if let separator = groups[first].separator { output.append(separator) }
                    first += 1
                }
            }
            return output
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// This text with every card number in it masked (`CardNumberMasking`).
    public var cardNumbersMasked: String { CardNumberMasking.masked(self) }
}
