import KeyInCore
import PropertyBased
import Testing

@Suite("Amounts and installment plans")
struct PaymentAmountRulesTests {
    @Test(
        "KRW amounts",
        arguments: [
            (Int64(99), ErrorCode?.some(.belowMinimumAmount)), (100, nil), (0, .invalidAmount), (-100, .invalidAmount),
            (999_999_999_999, nil), (1_000_000_000_000, .invalidAmount),
        ])
    func krwAmounts(amount: Int64, problem: ErrorCode?) {
        #expect(PaymentAmountRules.problem(amount: amount, currency: .krw) == problem)
    }

    @Test("Installments need 50,000 KRW or more, and 0 (일시불) is always fine")
    func installmentThreshold() async {
        await propertyCheck(input: Gen.int64(in: 100...200_000), Gen.int(in: 2...12)) { amount, months in
            let problem = PaymentAmountRules.problem(installmentMonths: months, amount: .krw(amount))
            #expect(problem == (amount < 50_000 ? .notSupportedMonthlyInstallmentPlanBelowAmount : nil))
            #expect(PaymentAmountRules.problem(installmentMonths: 0, amount: .krw(amount)) == nil)
        }
    }

    @Test("Only 0 and 2 to 12 months exist", arguments: [1, 13, -1, 24])
    func invalidMonths(months: Int) {
        #expect(
            PaymentAmountRules.problem(installmentMonths: months, amount: .krw(100_000)) == .invalidCardInstallmentPlan)
    }

    @Test("Installments are for KRW payments only")
    func foreignCurrency() {
        let dollars = Money(minorUnits: 100_000, currency: .usd)
        #expect(
            PaymentAmountRules.problem(installmentMonths: 3, amount: dollars)
                == .notSupportedInstallmentPlanCardOrMerchant)
    }

    @Test("Money prints with its currency's decimals")
    func moneyDescription() {
        #expect(Money.krw(1_234_500).description == "1,234,500 KRW")
        #expect(Money(minorUnits: 1250, currency: .usd).description == "12.50 USD")
        #expect(Money(minorUnits: 5, currency: .usd).description == "0.05 USD")
        #expect(Money.krw(100).description == "100 KRW")
    }

    @Test("Currencies by alphabetic and numeric code")
    func currencies() {
        #expect(Currency(code: "krw") == .krw)
        #expect(Currency(numericCode: "410") == .krw)
        #expect(Currency(code: "XYZ") == nil)
    }
}
