/// How a card payment's amount divides for tax (부가세), the way Korean PGs report it: VAT is a tenth of the
/// taxable price, so it is one eleventh of the taxable part of what the customer paid, rounded to the nearest unit;
/// the supplied amount (공급가액) is the taxable part without it. Tax-free goods (면세: books, fresh food) carry no
/// VAT.
///
/// After partial cancels the split is made again on what remains, so the figures always describe the balance.
public struct TaxAmounts: Equatable, Sendable {
    /// The part with no VAT on it.
    public let taxFree: Int64
    /// 부가세.
    public let vat: Int64
    /// 공급가액: taxable, VAT taken out.
    public let supplied: Int64

    /// `amount` (minor units) of which `taxFree` is tax-free. `taxFree` beyond `amount` is taken as all of it.
    public init(amount: Int64, taxFree: Int64) {
        let amount = max(0, amount)
        let taxFree = min(max(0, taxFree), amount)
        let taxable = amount - taxFree
        // Round half up on integers: taxable / 11, never a float (x/11 is never exactly .5 anyway).
        let vat = (taxable * 2 + 11) / 22
        self.taxFree = taxFree
        self.vat = vat
        self.supplied = taxable - vat
    }
}
