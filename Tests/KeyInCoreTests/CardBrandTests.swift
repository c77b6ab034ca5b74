import KeyInCore
import Testing

@Suite("Card brand from the leading digits")
struct CardBrandTests {
    @Test(
        "Complete numbers map to their brand",
        arguments: [
            ("4242424242424242", CardBrand.visa),
            ("5555555555554444", .mastercard),
            ("2221000000000009", .mastercard),
            ("2720990000000007", .mastercard),
            ("378282246310005", .americanExpress),
            ("341111111111111", .americanExpress),
            ("3566002020360505", .jcb),
            ("6200000000000005", .unionPay),
            ("30569309025904", .dinersClub),
            ("36227206271667", .dinersClub),
            ("6011111111111117", .discover),
            ("6445644564456445", .discover),
            ("9409110000000005", .koreanDomestic),
        ])
    func brandOfCompleteNumber(number: String, brand: CardBrand) {
        #expect(CardBrand.detect(digits: number) == .known(brand))
    }

    @Test("The Mastercard 2-series ends exactly at 2221 and 2720", arguments: ["2220", "2721", "1234", "0000", "7000"])
    func outsideEveryRange(prefix: String) {
        #expect(CardBrand.detect(digits: prefix) == .unsupported)
    }

    @Test(
        "A brand is known as soon as the typed digits decide it",
        arguments: [
            ("4", BrandDetection.known(.visa)),
            ("9", .known(.koreanDomestic)),
            ("3", .undetermined),
            ("34", .known(.americanExpress)),
            ("35", .undetermined),
            ("3528", .known(.jcb)),
            ("2", .undetermined),
            ("22", .undetermined),
            ("2221", .known(.mastercard)),
            ("5", .undetermined),
            ("55", .known(.mastercard)),
            ("", .undetermined),
        ])
    func brandWhileTyping(prefix: String, expected: BrandDetection) {
        #expect(CardBrand.detect(digits: prefix) == expected)
    }

    @Test("American Express takes a 4-digit CVC, domestic cards none")
    func cvcRules() {
        #expect(CardBrand.americanExpress.cvcLength == 4)
        #expect(CardBrand.visa.cvcLength == 3)
        #expect(!CardBrand.koreanDomestic.requiresCVC)
        #expect(CardBrand.mastercard.requiresCVC)
    }
}
