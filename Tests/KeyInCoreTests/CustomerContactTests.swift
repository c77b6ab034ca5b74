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
        arguments: ["010-123", "010 1234 5678", "010-1234-567a", "+82 10 1234 5678", "", "---------", "02.123.4567"])
    func notPhones(text: String) {
        #expect(CustomerContact.mobilePhone(parsing: text) == nil)
    }

    @Test("E-mail addresses: an @ in at most 100 characters, trimmed")
    func emails() {
        #expect(CustomerContact(parsing: " shop@example.kr ") == .email("shop@example.kr"))
        #expect(CustomerContact.email(parsing: String(repeating: "a", count: 95) + "@b.com") == nil)
        #expect(CustomerContact.email(parsing: "no-at-sign") == nil)
        #expect(CustomerContact(parsing: "no-at-sign") == nil)
    }
}
