import KeyInCore
import Testing

@Suite("Customer contacts: one way to read a phone number or an e-mail address")
struct CustomerContactTests {
    @Test(
        "Phone numbers as Koreans type them are kept, trimmed",
        arguments: ["010-1234-5678", " 01012345678 ", "02-123-4567", "0212345678"])
    func phones(text: String) {
        #expect(CustomerContact(parsing: text) == .mobilePhone(text.trimmingCharacters(in: .whitespaces)))
        #expect(CustomerContact.mobilePhone(parsing: text)?.text == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(
        "Too few digits, letters or other signs are not phone numbers",
        arguments: ["010-123", "010 1234 5678", "010-1234-567a", "+82 10 1234 5678", "", "---------"])
    func notPhones(text: String) {
        #expect(CustomerContact.mobilePhone(parsing: text) == nil)
    }

    @Test("E-mail addresses: one @ with something either side, no spaces inside, at most 100 characters")
    func emails() {
        #expect(CustomerContact(parsing: " shop@example.kr ") == .email("shop@example.kr"))
        for bad in [
            "@example.kr", "shop@", "shop@@example.kr", "shop @example.kr", "a@b@c",
            String(repeating: "a", count: 95) + "@b.com",
        ] {
            #expect(CustomerContact.email(parsing: bad) == nil, "\(bad)")
        }
        #expect(CustomerContact(parsing: "no-at-sign") == nil)
    }
}
