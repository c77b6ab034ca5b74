import KeyInCore
import PropertyBased
import Testing

@Suite("Formatting the card number as it is typed")
struct CardNumberFormatterTests {
    typealias State = CardNumberFormatter.FieldState

    @Test("Formatting then stripping gives the digits back")
    func roundTrip() async {
        await propertyCheck(input: Gen.number.string(of: 0...19)) { digits in
            let formatted = CardNumberFormatter.format(State(text: digits, caret: digits.count))
            let stripped = formatted.text.filter { $0 != " " }
            let limit = CardNumber(typed: digits)?.brand?.maximumLength ?? 19
            #expect(stripped == String(digits.prefix(limit)))
            #expect(!formatted.text.hasSuffix(" ") && !formatted.text.contains("  "))
        }
    }

    @Test("Formatting is idempotent and keeps the caret after the same digit")
    func caretStaysAfterSameDigit() async {
        await propertyCheck(input: Gen.number.string(of: 1...16), Gen.int(in: 0...16)) { digits, rawCaret in
            let caret = rawCaret % (digits.count + 1)
            let once = CardNumberFormatter.format(State(text: digits, caret: caret))
            #expect(CardNumberFormatter.format(once) == once)
            let digitsBeforeCaret = once.text.prefix(once.caret).filter { $0 != " " }.count
            // Digits past the brand's length (a 16th on an Amex number) are dropped: the caret stays after the last.
            let limit = CardNumber(typed: digits)?.brand?.maximumLength ?? 19
            #expect(digitsBeforeCaret == min(caret, limit))
        }
    }

    @Test(
        "Groups by brand",
        arguments: [
            ("4242424242424242", "4242 4242 4242 4242"),
            ("378282246310005", "3782 822463 10005"),
            ("30569309025904", "3056 930902 5904"),
            ("3056930902590412", "3056 9309 0259 0412"),
            ("4242424242424242424", "4242 4242 4242 4242 424"),
            ("42424", "4242 4"),
            ("3782822", "3782 822"),
        ])
    func grouping(digits: String, grouped: String) {
        #expect(CardNumberFormatter.group(digits) == grouped)
    }

    @Test("Typing digit by digit keeps the caret at the end")
    func typingDigitByDigit() {
        var state = State(text: "", caret: 0)
        for digit in "4242424242424242" {
            state.text.append(digit)
            state.caret = state.text.utf16.count
            state = CardNumberFormatter.format(state)
            #expect(state.caret == state.text.utf16.count)
        }
        #expect(state.text == "4242 4242 4242 4242")
    }

    @Test("A digit inserted in the middle leaves the caret right after it")
    func insertingInTheMiddle() {
        // "4242 4242" with a 9 typed after the third digit.
        let edited = CardNumberFormatter.format(State(text: "42492 4242", caret: 4))
        #expect(edited.text == "4249 2424 2")
        #expect(edited.caret == 4)
        // A digit typed at a group boundary: the caret lands after it, past the space the grouping adds.
        let afterFourth = CardNumberFormatter.format(State(text: "424292 4242", caret: 5))
        #expect(afterFourth.text == "4242 9242 42")
        #expect(afterFourth.caret == 6)
    }

    @Test("Pasting a formatted or oversized number works")
    func pasting() {
        let pasted = CardNumberFormatter.format(State(text: "4242-4242-4242-4242", caret: 19))
        #expect(pasted == State(text: "4242 4242 4242 4242", caret: 19))
        let amex = CardNumberFormatter.format(State(text: "3782 8224 6310 0059 99", caret: 22))
        #expect(amex.text == "3782 822463 10005")
        #expect(amex.caret == amex.text.count)
    }

    @Test("Letters typed into the field are dropped without moving the caret past a digit")
    func lettersAreDropped() {
        let state = CardNumberFormatter.format(State(text: "4242a", caret: 5))
        #expect(state == State(text: "4242", caret: 4))
    }
}
