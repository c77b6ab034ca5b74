import KeyInCore
import Testing

@Suite("Card numbers typed into free text are masked")
struct CardNumberMaskingTests {
    @Test(
        "A card number, straight or grouped by spaces or hyphens, keeps only its first 6 and last 4 digits",
        arguments: [
            ("카드번호 4242424242424242 입니다", "카드번호 424242******4242 입니다"),
            ("4242 4242 4242 4242로 결제", "424242******4242로 결제"),
            ("번호: 4242-4242-4242-4242.", "번호: 424242******4242."),
            ("아멕스 3782 822463 10005", "아멕스 378282*****0005"),
            ("두 장: 4242424242424242, 5555555555554444", "두 장: 424242******4242, 555555******4444"),
            ("주문 12345 4242 4242 4242 4242 감사", "주문 12345 424242******4242 감사"),
        ])
    func masks(text: String, masked: String) {
        #expect(text.cardNumbersMasked == masked)
    }

    @Test(
        "Numbers that are not card numbers stay as typed",
        arguments: [
            "연락처 010-1234-5678", "주문번호 20261201-000123", "금액 1,500,000원", "4242424242424241",
            "계좌 110-123-456789", "123456789012", "생일 900101", "4242  4242 4242 4242 (두 칸 띄움)",
        ])
    func keeps(text: String) {
        #expect(text.cardNumbersMasked == text)
    }
}
