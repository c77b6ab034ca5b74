/// What kind of card a number belongs to, as the card company's BIN list says: a credit card, a check (debit) card
/// drawing on a bank account, or a prepaid gift card. `unknown` where the table does not say (a card issued abroad),
/// as Toss Payments answers `미확인`.
public enum CardKind: String, Sendable, Codable, CaseIterable {
    case credit, check, gift, unknown

    /// The word Korean PGs use in their API (`card.cardType`): 신용, 체크, 기프트, 미확인.
    public var koreanName: String {
        switch self {
        case .credit: "신용"
        case .check: "체크"
        case .gift: "기프트"
        case .unknown: "미확인"
        }
    }
}

/// Who holds the card: a person, or a business (법인카드, whose receipts a company's accounts need).
public enum CardOwnerType: String, Sendable, Codable, CaseIterable {
    case personal, corporate, unknown

    /// `card.ownerType` as Korean PGs spell it: 개인, 법인, 미확인.
    public var koreanName: String {
        switch self {
        case .personal: "개인"
        case .corporate: "법인"
        case .unknown: "미확인"
        }
    }
}

extension CardBrand {
    /// The card-company code Korean PGs give an international brand's card when no Korean company issued it (a
    /// Visa card from abroad is `4V`), so a payment always names who issued its card. Nil for domestic-only cards.
    public var internationalCompanyCode: String? {
        switch self {
        case .visa: "4V"
        case .mastercard: "4M"
        case .americanExpress: "7A"
        case .jcb: "4J"
        case .unionPay: "3C"
        case .dinersClub: "6D"
        case .discover: "6I"
        case .koreanDomestic: nil
        }
    }
}
