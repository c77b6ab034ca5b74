/// Which amounts and installment plans can be sent to a Korean card company.
public enum PaymentAmountRules {
    /// Korean card companies allow installments from 50,000 KRW.
    public static let installmentMinimum = Money.krw(50_000)
    /// 0 is 일시불 (pay in full); 1 month is not a plan.
    public static let installmentMonths: Set<Int> = Set([0] + Array(2...12))

    /// The problem with an amount, or nil when it can be charged.
    public static func problem(amount: Int64, currency: Currency) -> ErrorCode? {
        if amount <= 0 || amount > Money.largestMinorUnits { return .invalidAmount }
        if amount < currency.minimumAmount { return .belowMinimumAmount }
        return nil
    }

    /// The problem with an installment plan for this amount, or nil when it is allowed.
    public static func problem(installmentMonths months: Int, amount: Money?) -> ErrorCode? {
        guard installmentMonths.contains(months) else { return .invalidCardInstallmentPlan }
        guard months > 0, let amount else { return nil }
        guard amount.currency == .krw else { return .notSupportedInstallmentPlanCardOrMerchant }
        if amount.minorUnits < installmentMinimum.minorUnits { return .notSupportedMonthlyInstallmentPlanBelowAmount }
        return nil
    }
}
