import KeyInCore
import PropertyBased
import Testing

@Suite("Luhn check digit")
struct LuhnTests {
    static let digitString = Gen.number.string(of: 11...18)

    @Test("A number completed with its check digit passes")
    func completedNumberPasses() async {
        await propertyCheck(input: Self.digitString) { payload in
            let digit = try #require(Luhn.checkDigit(for: payload))
            #expect(Luhn.isValid(payload + String(digit)))
        }
    }

    @Test("Any single-digit change breaks the check")
    func singleDigitChangeBreaks() async {
        await propertyCheck(input: Self.digitString, Gen.int(in: 0...18), Gen.int(in: 1...9)) {
            payload, rawIndex, delta in
            let number = Array(payload + String(Luhn.checkDigit(for: payload)!))
            let index = rawIndex % number.count
            var changed = number
            changed[index] = Character(String((number[index].wholeNumberValue! + delta) % 10))
            #expect(!Luhn.isValid(String(changed)), "changing digit \(index) of \(String(number)) went unnoticed")
        }
    }

    @Test("Swapping two neighbouring different digits is caught, except 09 and 90")
    func adjacentSwapBreaks() async {
        await propertyCheck(input: Self.digitString, Gen.int(in: 0...17)) { payload, rawIndex in
            let number = Array(payload + String(Luhn.checkDigit(for: payload)!))
            let index = rawIndex % (number.count - 1)
            let pair = String(number[index...index + 1])
            guard number[index] != number[index + 1], pair != "09", pair != "90" else { return }
            var swapped = number
            swapped.swapAt(index, index + 1)
            #expect(!Luhn.isValid(String(swapped)))
        }
    }

    @Test(
        "Published test card numbers pass",
        arguments: [
            "4242424242424242", "5555555555554444", "378282246310005", "3566002020360505", "6200000000000005",
            "30569309025904", "6011111111111117", "4000000000000002", "4000000000009995",
        ])
    func knownNumbersPass(number: String) {
        #expect(Luhn.isValid(number))
    }

    @Test("Non-digits and too-short input never pass", arguments: ["", "0", "4242a42424242424", "４２４２"])
    func malformedInputFails(text: String) {
        #expect(!Luhn.isValid(text))
    }
}
