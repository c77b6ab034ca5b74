/// The kind of failure, as merchants sort them: the first four are what a merchant sees go wrong with key-in
/// payments; the last three are KeyIn's own checks.
public enum ErrorCategory: String, CaseIterable, Sendable, Codable {
    /// The card details typed in are wrong or the card cannot be used as typed.
    case cardInfo = "card_info"
    /// The path to the card company failed: timeouts, lost connections, card-company system errors.
    case network
    /// The card company declined by its rules: limits, restrictions, lost or stolen cards.
    case cardCompanyPolicy = "card_company_policy"
    /// The card company is in a maintenance window.
    case maintenance
    /// KeyIn's fraud detection stopped the payment.
    case fraud
    /// The caller or the cardholder could not be authenticated.
    case authentication
    /// The request itself is wrong: fields, state, idempotency.
    case request

    public var displayName: LocalizedText {
        switch self {
        case .cardInfo: LocalizedText(ko: "카드 정보", en: "Card information")
        case .network: LocalizedText(ko: "네트워크", en: "Network")
        case .cardCompanyPolicy: LocalizedText(ko: "카드사 정책", en: "Card company policy")
        case .maintenance: LocalizedText(ko: "점검", en: "Maintenance")
        case .fraud: LocalizedText(ko: "이상거래", en: "Fraud")
        case .authentication: LocalizedText(ko: "인증", en: "Authentication")
        case .request: LocalizedText(ko: "요청", en: "Request")
        }
    }
}
