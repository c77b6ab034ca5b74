import KeyInCore
import PropertyBased
import Testing

@Suite("Birth date and business registration number")
struct CustomerIdentityNumberTests {
    @Test(
        "Published valid business registration numbers pass", arguments: ["124-81-00998", "220-81-62517", "1248100998"])
    func validBusinessNumbers(text: String) {
        #expect(BusinessRegistrationNumber.hasValidCheckDigit(text.filter(\.isNumber)))
        #expect(CustomerIdentityNumber(parsing: text) == .businessRegistrationNumber(text.filter(\.isNumber)))
    }

    @Test("A wrong check digit fails", arguments: ["123-45-67890", "124-81-00999"])
    func invalidBusinessNumbers(text: String) {
        #expect(CustomerIdentityNumber(parsing: text) == nil)
    }

    @Test("Exactly one last digit completes any nine digits")
    func checkDigitIsUnique() async {
        await propertyCheck(input: Gen.number.string(of: 9)) { firstNine in
            let check = try #require(BusinessRegistrationNumber.checkDigit(forFirstNine: firstNine))
            let valid = (0...9).filter { BusinessRegistrationNumber.hasValidCheckDigit(firstNine + String($0)) }
            #expect(valid == [check])
        }
    }

    @Test(
        "Birth dates must exist on the calendar",
        arguments: [
            ("900101", true), ("000229", true), ("280229", true), ("250229", false), ("901301", false),
            ("900431", false), ("900100", false), ("991231", true),
        ])
    func birthDates(text: String, valid: Bool) {
        #expect(BirthDate.isRealDate(yymmdd: text) == valid)
        #expect((CustomerIdentityNumber(parsing: text) != nil) == valid)
    }

    @Test("Other lengths and letters are refused", arguments: ["90010", "9001011", "12481009", "9001O1", ""])
    func otherInput(text: String) {
        #expect(CustomerIdentityNumber(parsing: text) == nil)
    }

    @Test("Printing never shows the number")
    func redacted() throws {
        let birth = try #require(CustomerIdentityNumber(parsing: "900101"))
        let business = try #require(CustomerIdentityNumber(parsing: "1248100998"))
        var dumped = ""
        dump([birth, business], to: &dumped)
        for text in ["\(birth)", "\(business)", String(reflecting: birth), dumped] {
            #expect(!text.contains("900101") && !text.contains("1248100998"), "\(text)")
        }
    }
}
