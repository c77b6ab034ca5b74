/// The card network a number belongs to, decided from its leading digits (the IIN ranges).
public enum CardBrand: String, CaseIterable, Sendable, Codable {
    case visa
    case mastercard
    case americanExpress = "amex"
    case jcb
    case unionPay = "unionpay"
    case dinersClub = "diners"
    case discover
    /// Cards issued by Korean card companies for use in Korea only; their numbers start with 9.
    case koreanDomestic = "domestic"

    public var displayName: LocalizedText {
        switch self {
        case .visa: LocalizedText(ko: "비자", en: "Visa")
        case .mastercard: LocalizedText(ko: "마스터카드", en: "Mastercard")
        case .americanExpress: LocalizedText(ko: "아메리칸 익스프레스", en: "American Express")
        case .jcb: LocalizedText(ko: "JCB", en: "JCB")
        case .unionPay: LocalizedText(ko: "은련", en: "UnionPay")
        case .dinersClub: LocalizedText(ko: "다이너스클럽", en: "Diners Club")
        case .discover: LocalizedText(ko: "디스커버", en: "Discover")
        case .koreanDomestic: LocalizedText(ko: "국내전용", en: "Korean domestic")
        }
    }

    /// The numbers of digits a card of this brand can have.
    public var validLengths: Set<Int> {
        switch self {
        case .visa: [13, 16, 19]
        case .mastercard: [16]
        case .americanExpress: [15]
        case .jcb: Set(16...19)
        case .unionPay: Set(16...19)
        case .dinersClub: Set(14...19)
        case .discover: Set(16...19)
        case .koreanDomestic: [16]
        }
    }

    public var maximumLength: Int { validLengths.max() ?? 19 }

    /// CVC digits printed on the card: four on the front of an American Express card, three elsewhere.
    public var cvcLength: Int { self == .americanExpress ? 4 : 3 }

    /// Korean domestic cards are keyed in with birth date and card password instead of a CVC.
    public var requiresCVC: Bool { self != .koreanDomestic }

    /// Leading-digit ranges, each compared against as many leading digits as its bounds have.
    var iinRanges: [IINRange] {
        switch self {
        case .visa: [IINRange("4")]
        case .mastercard: [IINRange("51", "55"), IINRange("2221", "2720")]
        case .americanExpress: [IINRange("34"), IINRange("37")]
        case .jcb: [IINRange("3528", "3589")]
        case .unionPay: [IINRange("62"), IINRange("81")]
        case .dinersClub: [IINRange("300", "305"), IINRange("309"), IINRange("36"), IINRange("38", "39")]
        case .discover: [IINRange("6011"), IINRange("644", "649"), IINRange("65")]
        case .koreanDomestic: [IINRange("9")]
        }
    }
}

/// A range of issuer identification numbers of one fixed width, such as 2221–2720.
struct IINRange: Sendable {
    let low: Int
    let high: Int
    let width: Int

    init(_ low: String, _ high: String? = nil) {
        self.width = low.count
        self.low = Int(low)!
        self.high = Int(high ?? low)!
    }

    /// Whether a number starting with `prefix` can still fall in this range, and whether it certainly does.
    func match(prefix: [Int]) -> (possible: Bool, certain: Bool) {
        if prefix.count >= width {
            let leading = prefix.prefix(width).reduce(0) { $0 * 10 + $1 }
            let inside = (low...high).contains(leading)
            return (inside, inside)
        }
        // Fewer digits typed than the range needs: the number is possible when some completion lands inside.
        var smallest = prefix.reduce(0) { $0 * 10 + $1 }
        var largest = smallest
        for _ in prefix.count..<width {
            smallest = smallest * 10
            largest = largest * 10 + 9
        }
        return (largest >= low && smallest <= high, false)
    }
}

/// What the leading digits typed so far say about the brand.
public enum BrandDetection: Equatable, Sendable {
    /// Exactly one brand fits, and no further digit can change that.
    case known(CardBrand)
    /// More digits are needed to tell.
    case undetermined
    /// No supported brand starts this way.
    case unsupported
}

extension CardBrand {
    /// The brand for a complete or partly typed number of ASCII digits.
    public static func detect(digits: some StringProtocol) -> BrandDetection {
        let prefix = digits.compactMap(\.asciiDigitValue)
        guard !prefix.isEmpty else { return .undetermined }
        var possible: [CardBrand] = []
        var certain: CardBrand?
        for brand in CardBrand.allCases {
            for range in brand.iinRanges {
                let match = range.match(prefix: prefix)
                if match.possible && !possible.contains(brand) { possible.append(brand) }
                if match.certain { certain = brand }
            }
        }
        if let certain { return .known(certain) }
        return possible.isEmpty ? .unsupported : .undetermined
    }
}
