import Foundation
import KeyInCore
import Testing

@Suite("Checking a keyed-in card")
struct CardEntryValidatorTests {
    /// 24 November 2026, noon in Seoul.
    let validator = CardEntryValidator(now: { Date(timeIntervalSince1970: 1_795_489_200) })

    @Test("A complete, correct Korean key-in entry passes")
    func validEntry() {
        let check = validator.check(
            CardEntry(
                cardNumber: "4242 4242 4242 4242", expiry: "12/29", cvc: "123", customerIdentityNumber: "900101",
                cardPassword: "12", amount: 50_000, installmentMonths: 3),
            requiring: Set(CardEntryField.allCases))
        #expect(check.problems == [])
        #expect(check.isValid)
        #expect(check.brand == .visa)
        #expect(check.company?.code == "41")
        #expect(check.maskedNumber == "424242******4242")
        #expect(check.amount == .krw(50_000))
    }

    @Test("Every problem is reported at once, in form order")
    func everyProblemAtOnce() {
        let check = validator.check(
            CardEntry(
                cardNumber: "4242 4242 4242 4241", expiry: "10/26", cvc: "12", customerIdentityNumber: "900230",
                cardPassword: "1", amount: 30_000, installmentMonths: 6))
        #expect(
            check.problems.map(\.field) == [
                .cardNumber, .cardExpiration, .cardCvc, .customerIdentityNumber, .cardPassword, .cardInstallmentPlan,
            ])
        #expect(
            check.problems.map(\.code) == [
                .invalidCardNumber, .expiredCard, .invalidCardCVC, .invalidCardIdentityFormat,
                .invalidCardPasswordFormat, .notSupportedMonthlyInstallmentPlanBelowAmount,
            ])
        for problem in check.problems {
            #expect(problem.message == KeyInError(problem.code).customerMessage)
            #expect(!problem.message.ko.isEmpty && !problem.message.en.isEmpty)
        }
    }

    @Test(
        "Each kind of card-number mistake has its own code",
        arguments: [
            ("4242 4242 4242 424", ErrorCode.invalidCardNumberLength),
            ("", .invalidCardNumberLength),
            ("3", .invalidCardNumberLength),
            ("1234 5678 9012 3456", .notSupportedCardType),
            ("4242 4242 4242 424x", .invalidCardNumberFormat),
            ("3782 822463 10006", .invalidCardNumber),
            ("3782 8224 6310 0050", .invalidCardNumberLength),
        ])
    func cardNumberMistakes(typed: String, code: ErrorCode) {
        let check = validator.check(CardEntry(cardNumber: typed))
        #expect(check.problems.map(\.code) == [code])
        #expect(check.problems.first?.field == .cardNumber)
    }

    @Test("Missing required fields are reported; a domestic card needs no CVC")
    func requiredFields() {
        let required: Set<CardEntryField> = [
            .cardExpiration, .cardCvc, .customerIdentityNumber, .cardPassword, .amount,
        ]
        let visa = validator.check(CardEntry(cardNumber: "4242424242424242", cvc: "  "), requiring: required)
        #expect(
            visa.problems.map(\.code) == [
                .invalidCardExpiration, .invalidCardCVC, .invalidCardIdentityFormat, .invalidCardPasswordFormat,
                .invalidAmount,
            ])
        let domestic = validator.check(CardEntry(cardNumber: "9409110000000005"), requiring: required)
        #expect(!domestic.problems.map(\.field).contains(.cardCvc))
        #expect(domestic.brand == .koreanDomestic && domestic.company?.code == "11")
    }

    @Test("American Express takes four CVC digits, other cards three")
    func cvcLengthByBrand() {
        #expect(validator.check(CardEntry(cardNumber: "378282246310005", cvc: "1234")).isValid)
        #expect(
            validator.check(CardEntry(cardNumber: "378282246310005", cvc: "123")).problems.map(\.code) == [
                .invalidCardCVC
            ])
        #expect(
            validator.check(CardEntry(cardNumber: "4242424242424242", cvc: "1234")).problems.map(\.code) == [
                .invalidCardCVC
            ])
    }

    @Test("A business registration number identifies a corporate card")
    func corporateCard() {
        #expect(
            validator.check(CardEntry(cardNumber: "4242424242424242", customerIdentityNumber: "124-81-00998")).isValid)
    }

    @Test("Unsupported currency and its amount")
    func currency() {
        let check = validator.check(CardEntry(cardNumber: "4242424242424242", amount: 1000, currency: "BTC"))
        #expect(check.problems.map(\.code) == [.notSupportedCurrency])
        #expect(
            validator.check(CardEntry(cardNumber: "4242424242424242", amount: 99)).problems.map(\.code) == [
                .belowMinimumAmount
            ])
    }

    @Test("The entry never prints what was typed")
    func entryIsRedacted() {
        let entry = CardEntry(
            cardNumber: "4242424242424242", cvc: "123", customerIdentityNumber: "900101", cardPassword: "12")
        var dumped = ""
        dump(entry, to: &dumped)
        for text in ["\(entry)", String(reflecting: entry), dumped] {
            #expect(!text.contains("4242424242424242") && !text.contains("900101") && !text.contains("123"))
        }
    }
}
