import KeyInCore
import Testing

@Suite("Customer contacts: one way to read a phone number or an e-mail address")
struct CustomerContactTests {
    @Test(
        "Phone numbers as Koreans type them are kept, trimmed",
        arguments: ["010-1234-5678", " 01012345678 ", "02-123-4567", "0212345678", "０１０-１２３４-５６７８"])
    func phones(text: String) {
        #expect(CustomerContact(parsing: text) == .mobilePhone(text.trimmingCharacters(in: .whitespaces)))
        #expect(CustomerContact.mobilePhone(parsing: text)?.text == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(
        "Too few digits, letters or other signs are not phone numbers",
        arguments: [
            "010-123", "010 1234 5678", "010-1234-567a", "+82 10 1234 5678", "", "---------", "02.123.4567",
            "①②③④⑤⑥⑦⑧⑨", "٠١٢٣٤٥٦٧٨٩", "010-1234-5678\u{0301}",
        ])
    func notPhones(text: String) {
        #expect(CustomerContact.mobilePhone(parsing: text) == nil)
    }

    @Test("E-mail addresses: an @ in at most 100 characters, trimmed")
    func emails() {
        #expect(CustomerContact(parsing: " shop@example.kr ") == .email("shop@example.kr"))
        #expect(CustomerContact.email(parsing: String(repeating: "a", count: 95) + "@b.com") == nil)
        #expect(CustomerContact.email(parsing: "no-at-sign") == nil)
        #expect(CustomerContact(parsing: "no-at-sign") == nil)
        // An @ with a combining mark on it is still the @ (what a mail server and the API's pattern see).
        #expect(CustomerContact.email(parsing: "a@\u{0301}b.kr") == .email("a@\u{0301}b.kr"))
    }
}
