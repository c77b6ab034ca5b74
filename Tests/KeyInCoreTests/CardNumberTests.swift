import Foundation
import KeyInCore
import Testing

@Suite("Card number input and display")
struct CardNumberTests {
    @Test(
        "Spaces, hyphens and full-width digits are accepted",
        arguments: ["4242 4242 4242 4242", "4242-4242-4242-4242", " 4242424242424242 ", "４２４２４２４２４２４２４２４２"])
    func separatorsAreDropped(typed: String) throws {
        let number = try #require(CardNumber(typed: typed))
        #expect(number.digits == "4242424242424242")
    }

    @Test(
        "Letters and other symbols are refused", arguments: ["4242 4242 4242 424O", "4242.4242.4242.4242", "4242/4242"])
    func otherCharactersAreRefused(typed: String) {
        #expect(CardNumber(typed: typed) == nil)
    }

    @Test("Masked as first six and last four")
    func masking() throws {
        #expect(try #require(CardNumber(typed: "4242424242424242")).masked == "424242******4242")
        #expect(try #require(CardNumber(typed: "378282246310005")).masked == "378282*****0005")
        #expect(try #require(CardNumber(typed: "424242")).masked == "******")
    }

    @Test("Printing, debugging and dumping never show the full number")
    func neverPrintsTheFullNumber() throws {
        let number = try #require(CardNumber(typed: "4242424242424242"))
        var dumped = ""
        dump(number, to: &dumped)
        for rendering in ["\(number)", String(reflecting: number), dumped, "\([number])"] {
            #expect(!rendering.contains("4242424242424242"), "\(rendering)")
            #expect(rendering.contains("424242******4242"))
        }
    }
}
