import Foundation
import KeyInCore
import Testing

@Suite("Log lines lose what they must not show")
struct SecretRedactionTests {
    @Test(
        "Card numbers, plain or as the hex of their digits, credentials and card fields are starred out",
        arguments: [
            ("card 4242424242424242 declined", "4242424242424242"),
            ("authorization: Basic dGVzdF9za19hYmM6", "dGVzdF9za19hYmM6"),
            (#"["Authorization": "Bearer abc.def"]"#, "abc.def"),
            ("key test_sk_0123456789abcdef rotated", "0123456789abcdef"),
            ("cookie: keyin_console=Zm9vYmFy; Path=/console", "Zm9vYmFy"),
            (#"{"cardCvc":"737","amount":1}"#, "737"),
            (#"{"cardPassword": "58"}"#, "58"),
            (#"{"customerIdentityNumber":"870312"}"#, "870312"),
            ("email=a%40b.example&password=hunter2hunter2", "hunter2hunter2"),
            ("bytes [7b2263617264223a2234323432343234323432343234323432227d]", "34323432343234323432343234323432"),
            (
                "bytes 34 32 34 32 34 32 34 32 34 32 34 32 34 32 34 32 end",
                "34 32 34 32 34 32 34 32 34 32 34 32 34 32 34 32"
            ),
        ])
    func redacts(line: String, secret: String) {
        let redacted = SecretRedaction.redacted(line)
        #expect(!redacted.contains(secret), "\(redacted)")
    }

    @Test("Ordinary lines pass unchanged")
    func keepsTheRest() {
        for line in [
            "POST /v1/payments/key-in 200 12ms", "paymentKey=pay_0123abcd amount=15000",
            "order 20261201-000123 for 010-1234-5678", "hex 3031 is not a card", "the password was wrong",
        ] {
            #expect(SecretRedaction.redacted(line) == line)
        }
    }
}
