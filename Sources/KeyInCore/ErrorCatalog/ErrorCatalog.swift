/// The one table of failures. Every code has exactly one entry; `ErrorCatalog.entries` lists them in the order
/// of `ErrorCode.allCases`, which is the order of the README table and the help pages.
public enum ErrorCatalog {
    public static var entries: [CatalogEntry] { ErrorCode.allCases.map(\.entry) }

    public static func entry(for code: String) -> CatalogEntry? {
        ErrorCode(rawValue: code)?.entry
    }
}

/// Customer messages shared by several codes, kept in one place so they cannot drift apart.
enum SharedCustomerMessage {
    /// A decline whose reason the customer may not be told: lost and stolen cards get this one too, so a thief
    /// learns nothing from the message.
    static let declined = LocalizedText(
        ko: "카드사에서 결제를 거절했습니다. 카드사 고객센터에 문의하시거나 다른 카드로 결제해 주세요.",
        en: "Your card company declined the payment. Please call your card company or pay with another card."
    )
    /// Something only the merchant can fix (keys, configuration, the amount it asks for).
    static let askMerchant = LocalizedText(
        ko: "가맹점 설정 문제로 결제할 수 없습니다. 가맹점에 문의해 주세요.",
        en: "This payment can't be made because of a problem on the merchant's side. Please contact the merchant."
    )
    /// A passing fault after which nothing was charged.
    static let tryAgainShortly = LocalizedText(
        ko: "일시적인 오류로 결제하지 못했습니다. 청구된 금액은 없으니 잠시 후 다시 결제해 주세요.",
        en: "A temporary problem stopped the payment. You have not been charged; please try again in a moment."
    )
}

extension CatalogEntry {
    init(
        _ code: ErrorCode, _ category: ErrorCategory, _ httpStatus: Int, _ retry: RetryRule,
        explanation: LocalizedText, customer: LocalizedText
    ) {
        self.init(
            code: code, category: category, httpStatus: httpStatus, retry: retry, explanation: explanation,
            customerMessage: customer)
    }
}

extension ErrorCode {
    // swift-format-ignore
    public var entry: CatalogEntry {
        switch self {
        case .invalidCardNumber:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "카드번호의 검증 숫자(Luhn)가 맞지 않거나 카드사에 없는 번호입니다(응답코드 14). 대부분 숫자 하나를 잘못 눌렀거나 두 숫자의 순서가 바뀐 경우입니다.",
                    en: "The card number fails its check digit (Luhn) or the card company does not know it (response 14). Usually one digit was mistyped or two were swapped."),
                customer: .init(
                    ko: "카드번호를 다시 확인해 주세요. 숫자 하나가 잘못 입력되었을 수 있습니다.",
                    en: "Please check the card number again; one of the digits may be wrong."))
        case .invalidCardNumberLength:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "카드번호 자릿수가 카드 종류에 맞지 않습니다(대부분 16자리, 아멕스 15자리, 다이너스 14자리).",
                    en: "The number has the wrong number of digits for its brand (16 for most cards, 15 for American Express, 14 for Diners Club)."),
                customer: .init(
                    ko: "카드번호 자릿수가 맞지 않습니다. 카드에 적힌 번호를 빠짐없이 입력해 주세요.",
                    en: "The card number has too few or too many digits. Please enter every digit shown on the card."))
        case .invalidCardNumberFormat:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "카드번호에 숫자, 공백, 하이픈(-) 말고 다른 문자가 들어 있습니다.",
                    en: "The card number contains characters other than digits, spaces and hyphens."),
                customer: .init(
                    ko: "카드번호는 숫자만 입력해 주세요.",
                    en: "Please enter only the digits of the card number."))
        case .notSupportedCardType:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "카드번호 앞자리가 KeyIn이 받는 카드 브랜드(비자, 마스터, 아멕스, JCB, 은련, 다이너스, 디스커버, 국내전용)에 해당하지 않습니다.",
                    en: "The leading digits match no brand KeyIn accepts (Visa, Mastercard, American Express, JCB, UnionPay, Diners Club, Discover, Korean domestic)."),
                customer: .init(
                    ko: "결제할 수 없는 카드입니다. 카드번호를 확인하시거나 다른 카드로 결제해 주세요.",
                    en: "This card can't be used here. Please check the number or pay with another card."))
        case .invalidCardExpiration:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "유효기간을 읽을 수 없거나(MM/YY 형식이 아니거나 월이 1~12가 아님) 20년 넘게 남은 있을 수 없는 날짜입니다.",
                    en: "The expiry date cannot be read (not MM/YY, or a month outside 1–12) or lies more than 20 years ahead."),
                customer: .init(
                    ko: "유효기간을 카드에 적힌 대로 월/년(MM/YY) 순서로 입력해 주세요.",
                    en: "Please enter the expiry date as shown on the card, month then year (MM/YY)."))
        case .expiredCard:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "유효기간이 지난 카드입니다. 입력한 유효기간이 이미 지났거나 카드사가 만료된 카드라고 응답했습니다(응답코드 54).",
                    en: "The card has expired: the expiry date entered is in the past, or the card company answered 54 (expired card)."),
                customer: .init(
                    ko: "유효기간이 지난 카드입니다. 유효기간을 다시 확인하시거나 다른 카드로 결제해 주세요.",
                    en: "This card has expired. Please check the expiry date or pay with another card."))
        case .invalidCardCVC:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "CVC가 형식에 맞지 않거나(3자리, 아멕스는 4자리) 카드사가 CVC 불일치로 거절했습니다(응답코드 N7).",
                    en: "The CVC is malformed (3 digits, 4 for American Express) or the card company reported a CVC mismatch (response N7)."),
                customer: .init(
                    ko: "CVC를 다시 확인해 주세요. 카드 뒷면 서명란 옆의 숫자 3자리입니다(아멕스는 앞면의 4자리).",
                    en: "Please check the CVC: the 3 digits next to the signature strip on the back (4 digits on the front of an American Express card)."))
        case .invalidCardIdentityFormat:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "본인확인 번호가 생년월일 6자리(YYMMDD, 달력에 있는 날짜)도 아니고 검증 숫자가 맞는 사업자등록번호 10자리도 아닙니다.",
                    en: "The identity number is neither a 6-digit birth date (YYMMDD, a real calendar date) nor a 10-digit business registration number with a valid check digit."),
                customer: .init(
                    ko: "개인카드는 생년월일 6자리(예: 900101), 법인카드는 사업자등록번호 10자리를 입력해 주세요.",
                    en: "Enter your date of birth as 6 digits (YYMMDD, e.g. 900101) for a personal card, or the 10-digit business registration number for a corporate card."))
        case .invalidCardIdentity:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "입력한 생년월일 또는 사업자등록번호가 카드 소유자 정보와 다르다고 카드사가 응답했습니다(응답코드 Q1).",
                    en: "The card company reports that the birth date or business number does not match the cardholder (response Q1)."),
                customer: .init(
                    ko: "입력하신 생년월일(법인카드는 사업자등록번호)이 카드 소유자 정보와 일치하지 않습니다. 다시 확인해 주세요.",
                    en: "The date of birth (business number for a corporate card) does not match the cardholder's details. Please check it."))
        case .invalidCardPasswordFormat:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "카드 비밀번호 칸에는 비밀번호 앞 2자리 숫자만 들어가야 합니다.",
                    en: "The card password field takes exactly the first 2 digits of the card's password."),
                customer: .init(
                    ko: "카드 비밀번호 앞 2자리를 숫자로 입력해 주세요.",
                    en: "Please enter the first 2 digits of your card password."))
        case .invalidCardPassword:
            CatalogEntry(self, .cardInfo, 400, .afterCorrection,
                explanation: .init(
                    ko: "카드사가 비밀번호 앞 2자리가 틀렸다고 응답했습니다(응답코드 55). 여러 번 틀리면 카드사가 카드 사용을 막을 수 있습니다.",
                    en: "The card company reports the first 2 password digits are wrong (response 55). Repeated mistakes can get the card blocked by its company."),
                customer: .init(
                    ko: "카드 비밀번호가 맞지 않습니다. 앞 2자리를 다시 확인해 주세요. 여러 번 틀리면 카드 사용이 정지될 수 있습니다.",
                    en: "The card password is incorrect. Please check its first 2 digits; several wrong tries can get the card blocked."))

        case .notSupportedMonthlyInstallmentPlanBelowAmount:
            CatalogEntry(self, .cardCompanyPolicy, 400, .afterCorrection,
                explanation: .init(
                    ko: "5만 원 미만 결제는 할부를 할 수 없습니다(국내 카드사 공통 기준). 일시불(0)로 요청하세요.",
                    en: "Installments are only available from 50,000 KRW (a rule of every Korean card company). Send 0 (pay in full)."),
                customer: .init(
                    ko: "5만 원 미만 결제는 할부가 되지 않습니다. 일시불로 결제해 주세요.",
                    en: "Payments under 50,000 KRW can't be split into installments. Please pay in full."))
        case .notSupportedInstallmentPlanCardOrMerchant:
            CatalogEntry(self, .cardCompanyPolicy, 400, .afterCorrection,
                explanation: .init(
                    ko: "이 카드나 결제에는 할부를 쓸 수 없습니다. 할부는 원화(KRW) 결제에서만 됩니다.",
                    en: "Installments are not available for this card or payment; they exist for KRW payments only."),
                customer: .init(
                    ko: "이 카드로는 할부 결제를 할 수 없습니다. 일시불로 결제해 주세요.",
                    en: "Installments aren't available for this card. Please pay in full."))
        case .rejectCardCompany:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "카드사가 사유를 밝히지 않고 승인을 거절했습니다(응답코드 05). 사유는 카드 소유자만 카드사에 물어볼 수 있습니다.",
                    en: "The card company declined without giving a reason (response 05); only the cardholder can ask it why."),
                customer: SharedCustomerMessage.declined)
        case .invalidCardLostOrStolen:
            CatalogEntry(self, .cardCompanyPolicy, 402, .never,
                explanation: .init(
                    ko: "분실 또는 도난 신고된 카드입니다(응답코드 41, 43). 고객에게는 일반 거절과 같은 안내가 나갑니다. 이 카드로 다시 시도하지 마세요.",
                    en: "The card is reported lost or stolen (responses 41, 43). The customer sees the same message as a plain decline. Do not try this card again."),
                customer: SharedCustomerMessage.declined)
        case .rejectCardPayment:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "한도 초과 또는 잔액 부족으로 카드사가 거절했습니다(응답코드 51).",
                    en: "The card company declined because the credit limit or balance is not enough (response 51)."),
                customer: .init(
                    ko: "카드 한도가 초과되었거나 잔액이 부족합니다. 다른 카드로 결제하시거나 카드사에 한도를 확인해 주세요.",
                    en: "Your card's limit or balance isn't enough for this payment. Please pay with another card or check your limit with your card company."))
        case .exceedMaxOneDayAmount:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "카드의 하루 이용 한도를 넘었습니다(응답코드 61).",
                    en: "The card's daily spending limit is used up (response 61)."),
                customer: .init(
                    ko: "오늘 이 카드로 결제할 수 있는 한도를 넘었습니다. 다른 카드로 결제하시거나 카드사에 한도 상향을 요청해 주세요.",
                    en: "This card has reached its limit for today. Please pay with another card or ask your card company to raise the limit."))
        case .exceedMaxAmount:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "카드사가 이 금액을 받아들이지 않았습니다(응답코드 13). 1회 결제 한도를 넘었거나 이 카드에 허용되지 않는 금액입니다.",
                    en: "The card company refused the amount (response 13): it exceeds the single-payment limit or is not allowed for this card."),
                customer: .init(
                    ko: "이 카드로 결제할 수 있는 금액을 넘었습니다. 다른 카드로 결제하시거나 카드사에 문의해 주세요.",
                    en: "This amount is more than this card allows. Please pay with another card or call your card company."))
        case .invalidStoppedCard:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "사용이 제한되거나 정지된 카드입니다(응답코드 62).",
                    en: "The card is restricted or suspended (response 62)."),
                customer: .init(
                    ko: "사용이 제한된 카드입니다. 카드사에 문의하시거나 다른 카드로 결제해 주세요.",
                    en: "This card is restricted. Please call your card company or pay with another card."))
        case .notAllowedCardTransaction:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "카드 소유자에게 허용되지 않은 거래입니다(응답코드 57). 이 카드는 수기(키인) 결제나 비대면 결제가 막혀 있을 수 있습니다.",
                    en: "The transaction is not permitted to this cardholder (response 57); the card may be blocked for keyed-in or card-not-present payments."),
                customer: .init(
                    ko: "이 카드는 수기 결제가 허용되지 않습니다. 다른 카드로 결제하시거나 카드사에 문의해 주세요.",
                    en: "This card can't be used for keyed-in payments. Please pay with another card or call your card company."))
        case .rejectInvalidTransaction:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "카드사가 유효하지 않은 거래라고 응답했습니다(응답코드 12). 이 카드사가 해당 거래 유형을 지원하지 않을 수 있습니다.",
                    en: "The card company answered 'invalid transaction' (response 12); it may not support this kind of transaction."),
                customer: .init(
                    ko: "카드사에서 처리할 수 없는 거래입니다. 다른 카드로 결제하시거나 카드사에 문의해 주세요.",
                    en: "Your card company can't process this kind of payment. Please pay with another card or call your card company."))
        case .cardCompanyUnknownResponse:
            CatalogEntry(self, .cardCompanyPolicy, 402, .afterCorrection,
                explanation: .init(
                    ko: "카드사가 KeyIn이 모르는 응답코드로 거절했습니다. 응답코드는 결제 상세에 남아 있으니 KeyIn 운영팀에 알려 주세요.",
                    en: "The card company declined with a response code KeyIn does not know. The code is kept in the payment's details; please report it to KeyIn operations."),
                customer: SharedCustomerMessage.declined)
        case .refundRejected:
            CatalogEntry(self, .cardCompanyPolicy, 402, .never,
                explanation: .init(
                    ko: "카드사가 취소(환불) 요청을 거절했습니다. 결제 잔액은 바뀌지 않았습니다.",
                    en: "The card company refused the cancellation (refund). The payment's balance is unchanged."),
                customer: .init(
                    ko: "결제 취소가 처리되지 않았습니다. 가맹점에 문의해 주세요.",
                    en: "The cancellation could not be processed. Please contact the merchant."))

        case .cardCompanyResponseTimeout:
            CatalogEntry(self, .network, 504, .afterDelay(seconds: 5),
                explanation: .init(
                    ko: "카드사가 제한 시간 안에 응답하지 않아 KeyIn이 승인을 망취소했습니다. 청구된 금액은 없으며 다시 결제해도 이중으로 결제되지 않습니다.",
                    en: "The card company did not answer in time, so KeyIn sent a reversal for the authorization. Nothing was charged, and paying again cannot charge twice."),
                customer: .init(
                    ko: "카드사 응답이 늦어 결제를 자동으로 취소했습니다. 청구된 금액은 없으니 잠시 후 다시 결제해 주세요.",
                    en: "Your card company took too long to answer, so the payment was cancelled automatically. You have not been charged; please try again in a moment."))
        case .cardCompanyConnectionLost:
            CatalogEntry(self, .network, 502, .afterDelay(seconds: 5),
                explanation: .init(
                    ko: "카드사 응답을 받기 전에 연결이 끊겨 KeyIn이 승인을 망취소했습니다. 청구된 금액은 없으며 다시 결제해도 이중으로 결제되지 않습니다.",
                    en: "The connection to the card company broke before its answer, so KeyIn sent a reversal for the authorization. Nothing was charged, and paying again cannot charge twice."),
                customer: .init(
                    ko: "카드사와의 연결이 끊겨 결제를 자동으로 취소했습니다. 청구된 금액은 없으니 잠시 후 다시 결제해 주세요.",
                    en: "The connection to your card company was lost, so the payment was cancelled automatically. You have not been charged; please try again in a moment."))
        case .cancelOrCaptureNotCompleted:
            CatalogEntry(self, .network, 504, .afterDelay(seconds: 5),
                explanation: .init(
                    ko: "카드사가 취소(또는 매입) 요청에 제때 응답하지 않았거나 연결이 끊겨, KeyIn이 그 요청을 망취소했습니다. 결제는 요청 전 상태 그대로이니 잠시 후 같은 요청을 다시 보내면 됩니다.",
                    en: "The card company did not answer the cancel (or capture) in time, or the connection broke, so KeyIn withdrew the request with a reversal. The payment is as it was before the request; send the same request again in a moment."),
                customer: .init(
                    ko: "카드사 응답이 늦어 요청을 처리하지 못했습니다. 결제 내역은 요청 전 그대로이니 잠시 후 다시 시도해 주세요.",
                    en: "Your card company took too long to answer, so the request was not completed. Your payment is unchanged; please try again in a moment."))
        case .cardCompanyUnavailable:
            CatalogEntry(self, .network, 503, .afterDelay(seconds: 30),
                explanation: .init(
                    ko: "카드사에 연결할 수 없어 승인 요청을 보내지 않았습니다(연결 실패, 응답코드 91, 또는 장애가 이어져 잠시 차단 중). 청구된 금액은 없습니다.",
                    en: "The card company cannot be reached, so no authorization was sent (connection failure, response 91, or a pause after repeated faults). Nothing was charged."),
                customer: .init(
                    ko: "카드사 연결이 원활하지 않아 결제하지 못했습니다. 청구된 금액은 없으니 잠시 후 다시 결제해 주세요.",
                    en: "We couldn't reach your card company. You have not been charged; please try again in a moment."))
        case .cardProcessingError:
            CatalogEntry(self, .network, 502, .afterDelay(seconds: 30),
                explanation: .init(
                    ko: "카드사 시스템 오류입니다(응답코드 96). 승인되지 않았습니다.",
                    en: "The card company's system failed (response 96). Nothing was authorized."),
                customer: .init(
                    ko: "카드사에서 일시적인 오류가 발생했습니다. 청구된 금액은 없으니 잠시 후 다시 결제해 주세요.",
                    en: "Your card company had a temporary problem. You have not been charged; please try again in a moment."))
        case .cardCompanyFormatError:
            CatalogEntry(self, .network, 502, .never,
                explanation: .init(
                    ko: "카드사가 전문 형식 오류로 거절했습니다(응답코드 30). KeyIn과 카드사 사이의 설정 문제이니 KeyIn 운영팀에 알려 주세요.",
                    en: "The card company rejected the message format (response 30): a configuration problem between KeyIn and the card company. Please report it to KeyIn operations."),
                customer: .init(
                    ko: "결제 처리 중 오류가 발생했습니다. 청구된 금액은 없습니다. 가맹점에 문의해 주세요.",
                    en: "Something went wrong while processing the payment. You have not been charged. Please contact the merchant."))
        case .cardCompanyDuplicateTransmission:
            CatalogEntry(self, .network, 502, .afterDelay(seconds: 5),
                explanation: .init(
                    ko: "카드사가 중복 전문으로 거절했습니다(응답코드 94). 같은 거래 추적번호가 이미 쓰였다는 뜻이며, 다시 보내면 새 번호로 나갑니다.",
                    en: "The card company rejected a duplicate transmission (response 94): the trace number was already used. A new attempt goes out with a new number."),
                customer: SharedCustomerMessage.tryAgainShortly)
        case .failedInternalSystemProcessing:
            CatalogEntry(self, .network, 500, .afterDelay(seconds: 10),
                explanation: .init(
                    ko: "KeyIn 내부 오류로 요청을 끝내지 못했습니다. 결제는 자동으로 정리되니 같은 Idempotency-Key로 다시 보내세요.",
                    en: "An internal KeyIn fault stopped the request. Payments are settled automatically; send it again with the same Idempotency-Key."),
                customer: SharedCustomerMessage.tryAgainShortly)

        case .notAvailablePayment:
            CatalogEntry(self, .maintenance, 503, .afterMaintenance,
                explanation: .init(
                    ko: "카드사 점검 시간이라 승인을 받을 수 없습니다. 점검이 끝나는 시각은 오류의 retryAfter에 있습니다.",
                    en: "The card company is in a maintenance window and cannot authorize. The error's retryAfter says when the window ends."),
                customer: .init(
                    ko: "카드사 점검 시간이라 지금은 결제할 수 없습니다. {retryAt} 이후에 다시 결제해 주세요.",
                    en: "Your card company is under maintenance. Please try again after {retryAt}."))

        case .fdsError:
            CatalogEntry(self, .fraud, 403, .never,
                explanation: .init(
                    ko: "KeyIn 이상거래탐지(FDS)가 위험한 거래로 판단해 카드사에 보내지 않았습니다. 정상 거래라면 콘솔에서 검토한 뒤 다시 시도하세요.",
                    en: "KeyIn's fraud detection judged the payment risky and did not send it to the card company. If it is genuine, review it in the console and try again."),
                // A card tester must not learn that a rule stopped it: the customer reads a plain decline.
                customer: SharedCustomerMessage.declined)
        case .exceedMaxAuthCount:
            CatalogEntry(self, .fraud, 429, .afterDelay(seconds: 1800),
                explanation: .init(
                    ko: "같은 카드로 실패한 시도가 너무 많아 30분 동안 결제를 막았습니다(카드번호 대입 공격 방지).",
                    en: "Too many failed attempts with the same card; payments with it are paused for 30 minutes (protection against card testing)."),
                customer: SharedCustomerMessage.declined)
        case .exceedMaxDailyPaymentCount:
            CatalogEntry(self, .fraud, 429, .afterCorrection,
                explanation: .init(
                    ko: "같은 카드의 하루 결제 횟수 한도를 넘었습니다.",
                    en: "The card has reached the number of payments allowed per day."),
                customer: .init(
                    ko: "이 카드의 오늘 결제 횟수를 초과했습니다. 내일 다시 시도하시거나 다른 카드로 결제해 주세요.",
                    en: "This card has reached today's number of payments. Please try again tomorrow or pay with another card."))

        case .unauthorizedKey:
            CatalogEntry(self, .authentication, 401, .afterCorrection,
                explanation: .init(
                    ko: "API 시크릿 키가 없거나 맞지 않습니다. 콘솔의 API 키 화면에서 키를 확인하세요.",
                    en: "The API secret key is missing or wrong. Check it on the console's API keys page."),
                customer: SharedCustomerMessage.askMerchant)
        case .incorrectBasicAuthFormat:
            CatalogEntry(self, .authentication, 401, .afterCorrection,
                explanation: .init(
                    ko: "Authorization 헤더 형식이 틀렸습니다. 'Basic ' 뒤에 base64(시크릿 키 + ':')를 넣으세요.",
                    en: "The Authorization header is malformed. Send 'Basic ' followed by base64(secret key + ':')."),
                customer: SharedCustomerMessage.askMerchant)
        case .forbiddenRequest:
            CatalogEntry(self, .authentication, 403, .never,
                explanation: .init(
                    ko: "이 키나 계정으로는 허용되지 않은 요청입니다(권한이 없는 역할, 테스트 키로 실거래 요청 등).",
                    en: "This key or account may not make this request (a role without the permission, a test key asking for a live payment, …)."),
                customer: SharedCustomerMessage.askMerchant)
        case .liveModeNotConfigured:
            CatalogEntry(self, .authentication, 403, .never,
                explanation: .init(
                    ko: "라이브 키(live_sk_)로 요청했지만 이 서버에는 카드사 연결(KEYIN_ISSUER_HOSTS)이 설정되어 있지 않아 실결제를 할 수 없습니다. 연동을 시험하려면 테스트 키(test_sk_)를 쓰고, 실결제는 카드사 연결을 설정한 서버에서 하세요.",
                    en: "A live key (live_sk_) was used, but this server has no card-company hosts configured (KEYIN_ISSUER_HOSTS), so it cannot take live payments. Use a test key (test_sk_) to try the integration, and take live payments on a server with card-company hosts configured."),
                customer: SharedCustomerMessage.askMerchant)
        case .cardholderAuthenticationFailed:
            CatalogEntry(self, .authentication, 403, .afterCorrection,
                explanation: .init(
                    ko: "카드 소유자 인증(3-D Secure)에 실패했거나 고객이 인증을 취소했습니다. 승인 요청은 보내지 않았습니다.",
                    en: "Cardholder authentication (3-D Secure) failed or the customer cancelled it. No authorization was sent."),
                customer: .init(
                    ko: "카드 본인 인증에 실패했습니다. 다시 결제하시고 카드사 인증 화면의 안내에 따라 인증해 주세요.",
                    en: "Card authentication failed. Please pay again and follow your card company's verification steps."))
        case .cardholderAuthenticationExpired:
            CatalogEntry(self, .authentication, 400, .afterCorrection,
                explanation: .init(
                    ko: "고객이 카드사 본인 인증을 10분 안에 마치지 않아 결제가 만료되었습니다. 승인 요청은 보내지 않았고 청구된 금액은 없습니다.",
                    en: "The customer did not finish the card company's verification within 10 minutes, so the payment expired. No authorization was sent and nothing was charged."),
                customer: .init(
                    ko: "본인 인증 시간(10분)이 지났습니다. 청구된 금액은 없으니 처음부터 다시 결제해 주세요.",
                    en: "The verification time (10 minutes) has run out. You have not been charged; please start the payment again."))
        case .cardholderAuthenticationRejected:
            CatalogEntry(self, .authentication, 403, .afterCorrection,
                explanation: .init(
                    ko: "카드사가 함께 보낸 3-D Secure 인증값(vbv.cavv)을 확인하지 못해 결제를 거절했습니다. 다른 결제에서 받은 값이거나 잘못 옮겨 적은 값일 수 있습니다. 청구된 금액은 없습니다.",
                    en: "The card company could not verify the 3-D Secure authentication value (vbv.cavv) sent with the payment and declined it. It may belong to another payment or have been copied wrongly. Nothing was charged."),
                customer: .init(
                    ko: "카드 본인 인증 결과를 카드사에서 확인하지 못했습니다. 청구된 금액은 없으니 처음부터 다시 결제해 주세요.",
                    en: "Your card company could not confirm the card verification. Nothing was charged; please start the payment again."))
        case .cardholderAuthenticationUnavailable:
            CatalogEntry(self, .authentication, 503, .afterDelay(seconds: 60),
                explanation: .init(
                    ko: "이 결제는 카드사 본인 인증(3-D Secure)이 필요하지만 카드사 인증 서버에 연결할 수 없거나 인증을 진행할 수 없다는 답을 받았습니다. 승인 요청은 보내지 않았고 청구된 금액은 없습니다.",
                    en: "This payment needs 3-D Secure cardholder authentication, but the card company's authentication server could not be reached or could not perform it. No authorization was sent and nothing was charged."),
                customer: .init(
                    ko: "카드사 본인 인증을 지금 진행할 수 없습니다. 청구된 금액은 없으니 잠시 후 다시 결제해 주세요.",
                    en: "Your card company's verification is not available right now. You have not been charged; please try again in a moment."))
        case .invalidLogin:
            CatalogEntry(self, .authentication, 401, .afterCorrection,
                explanation: .init(
                    ko: "콘솔 로그인 이메일 또는 비밀번호가 틀렸습니다. 어느 쪽이 틀렸는지는 알려 주지 않습니다.",
                    en: "The console e-mail or password is wrong; which one is not disclosed."),
                customer: .init(
                    ko: "이메일 또는 비밀번호가 맞지 않습니다. 다시 확인해 주세요.",
                    en: "The e-mail or password is incorrect. Please check them."))
        case .accountLocked:
            CatalogEntry(self, .authentication, 429, .afterDelay(seconds: 900),
                explanation: .init(
                    ko: "로그인 실패가 반복되어 콘솔 계정을 15분 동안 잠갔습니다.",
                    en: "Repeated failed sign-ins locked the console account for 15 minutes."),
                customer: .init(
                    ko: "로그인에 여러 번 실패해 계정이 잠시 잠겼습니다. 15분 후에 다시 시도해 주세요.",
                    en: "Too many failed sign-ins locked the account. Please try again in 15 minutes."))
        case .sessionExpired:
            CatalogEntry(self, .authentication, 401, .afterCorrection,
                explanation: .init(
                    ko: "콘솔 로그인 세션이 만료되었습니다.",
                    en: "The console session has expired."),
                customer: .init(
                    ko: "로그인 시간이 지났습니다. 다시 로그인해 주세요.",
                    en: "You've been signed out. Please sign in again."))
        case .invalidPasswordResetLink:
            CatalogEntry(self, .authentication, 400, .afterCorrection,
                explanation: .init(
                    ko: "비밀번호 재설정 링크가 없거나, 이미 쓰였거나, 보낸 지 30분이 지나 만료되었습니다.",
                    en: "The password reset link does not exist, was already used, or expired 30 minutes after it was sent."),
                customer: .init(
                    ko: "비밀번호 재설정 링크를 쓸 수 없습니다. 로그인 화면의 '비밀번호를 잊으셨나요?'에서 새 링크를 받아 주세요.",
                    en: "This password reset link cannot be used. Ask for a new one with 'Forgot your password?' on the sign-in page."))
        case .invalidCSRFToken:
            CatalogEntry(self, .authentication, 403, .afterCorrection,
                explanation: .init(
                    ko: "요청의 CSRF 토큰이 없거나 세션과 맞지 않습니다. 다른 사이트가 보낸 요청일 수 있습니다.",
                    en: "The request's CSRF token is missing or does not match the session; another site may have sent it."),
                customer: .init(
                    ko: "페이지를 오래 열어 두어 요청이 만료되었습니다. 새로고침한 뒤 다시 시도해 주세요.",
                    en: "The page has been open too long. Please reload it and try again."))

        case .invalidRequest:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "요청 값이 빠졌거나 형식이 틀렸습니다. 오류의 param이 문제가 된 필드를 가리킵니다.",
                    en: "A request value is missing or malformed; the error's param names the field."),
                customer: SharedCustomerMessage.askMerchant)
        case .invalidRequestBody:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "요청 본문이 올바른 JSON이 아니거나 Content-Type이 application/json이 아닙니다.",
                    en: "The request body is not valid JSON, or its Content-Type is not application/json."),
                customer: SharedCustomerMessage.askMerchant)
        case .payloadTooLarge:
            CatalogEntry(self, .request, 413, .afterCorrection,
                explanation: .init(
                    ko: "요청 본문이 이 경로에서 받는 크기를 넘었습니다. 경로마다 한도가 다르니 /openapi.yaml에서 확인하세요(API는 64KB, 콘솔 양식은 1~16KB).",
                    en: "The request body is larger than this route takes. Limits differ by route: see /openapi.yaml (64 KB for the API, 1 to 16 KB for console forms)."),
                customer: SharedCustomerMessage.askMerchant)
        case .notFoundRoute:
            CatalogEntry(self, .request, 404, .never,
                explanation: .init(
                    ko: "없는 API 경로입니다. /openapi.yaml에서 경로를 확인하세요.",
                    en: "No such API path. See /openapi.yaml."),
                customer: SharedCustomerMessage.askMerchant)
        case .methodNotAllowed:
            CatalogEntry(self, .request, 405, .afterCorrection,
                explanation: .init(
                    ko: "이 경로는 이 HTTP 메서드를 받지 않습니다. 받는 메서드는 Allow 헤더에 있습니다.",
                    en: "This path does not take this HTTP method. The Allow header lists the methods it takes."),
                customer: SharedCustomerMessage.askMerchant)
        case .upgradeRequired:
            CatalogEntry(self, .request, 426, .afterCorrection,
                explanation: .init(
                    ko: "WebSocket 경로입니다. WebSocket 연결 요청(Upgrade: websocket)으로만 열 수 있습니다.",
                    en: "This is a WebSocket route: it opens only with a WebSocket handshake (Upgrade: websocket)."),
                customer: SharedCustomerMessage.askMerchant)
        case .tooManyRequests:
            CatalogEntry(self, .request, 429, .afterDelay(seconds: 1),
                explanation: .init(
                    ko: "짧은 시간에 요청이 너무 많습니다. retryAfter만큼 기다렸다가 다시 보내세요.",
                    en: "Too many requests in a short time. Wait for retryAfter, then send again."),
                customer: SharedCustomerMessage.tryAgainShortly)
        case .invalidAmount:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "금액은 통화의 최소 단위로 센 0보다 큰 정수여야 하고 12자리를 넘을 수 없습니다(원화는 원 단위).",
                    en: "The amount must be a positive integer of the currency's minor units, at most 12 digits (whole won for KRW)."),
                customer: SharedCustomerMessage.askMerchant)
        case .belowMinimumAmount:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "결제 금액이 통화별 최소 금액보다 적습니다(원화는 100원 이상).",
                    en: "The amount is below its currency's minimum (100 KRW)."),
                customer: SharedCustomerMessage.askMerchant)
        case .notSupportedCurrency:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "KeyIn이 받지 않는 통화입니다. KRW, USD, JPY, EUR, CNY를 쓸 수 있습니다.",
                    en: "KeyIn does not take this currency. Use KRW, USD, JPY, EUR or CNY."),
                customer: SharedCustomerMessage.askMerchant)
        case .invalidCardInstallmentPlan:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "할부 개월 수는 0(일시불) 또는 2~12만 쓸 수 있습니다.",
                    en: "Installment months must be 0 (pay in full) or 2 to 12."),
                customer: .init(
                    ko: "할부 개월 수를 다시 선택해 주세요. 일시불 또는 2~12개월 할부를 고를 수 있습니다.",
                    en: "Please choose the installment plan again: pay in full, or 2 to 12 months."))
        case .notFoundPayment:
            CatalogEntry(self, .request, 404, .never,
                explanation: .init(
                    ko: "그런 결제가 없거나 이 가맹점의 결제가 아닙니다.",
                    en: "No such payment, or it belongs to another merchant."),
                customer: SharedCustomerMessage.askMerchant)
        case .duplicatedOrderID:
            CatalogEntry(self, .request, 409, .afterCorrection,
                explanation: .init(
                    ko: "이미 쓴 주문번호(orderId)입니다. 주문번호는 가맹점 안에서 겹치면 안 됩니다. 같은 요청을 다시 보내려면 Idempotency-Key를 쓰세요.",
                    en: "This orderId is already used; order ids must be unique per merchant. To resend the same request safely, use an Idempotency-Key."),
                customer: SharedCustomerMessage.askMerchant)
        case .alreadyProcessedPayment:
            CatalogEntry(self, .request, 409, .never,
                explanation: .init(
                    ko: "이미 매입까지 끝난 결제입니다.",
                    en: "The payment is already captured."),
                customer: .init(
                    ko: "이미 처리된 결제입니다. 결제 내역을 확인해 주세요.",
                    en: "This payment has already been completed. Please check your payment history."))
        case .notCapturablePayment:
            CatalogEntry(self, .request, 409, .never,
                explanation: .init(
                    ko: "승인만 된(WAITING_FOR_CAPTURE) 결제만 매입할 수 있습니다. 실패했거나 처리 중인 결제입니다.",
                    en: "Only an authorized payment (WAITING_FOR_CAPTURE) can be captured; this one failed or is still in progress."),
                customer: SharedCustomerMessage.askMerchant)
        case .alreadyCanceledPayment:
            CatalogEntry(self, .request, 409, .never,
                explanation: .init(
                    ko: "이미 전액 취소된 결제입니다.",
                    en: "The payment is already fully cancelled."),
                customer: .init(
                    ko: "이미 취소된 결제입니다.",
                    en: "This payment has already been cancelled."))
        case .notCancelableAmount:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "취소 금액이 남은 결제 금액(balanceAmount)보다 크거나 0 이하입니다.",
                    en: "The cancel amount is more than the remaining balance (balanceAmount), or not positive."),
                customer: SharedCustomerMessage.askMerchant)
        case .notCancelablePayment:
            CatalogEntry(self, .request, 409, .never,
                explanation: .init(
                    ko: "취소할 수 없는 상태의 결제입니다(처리 중이거나 실패한 결제).",
                    en: "The payment cannot be cancelled in its state (still in progress, or failed)."),
                customer: SharedCustomerMessage.askMerchant)
        case .notMatchesRefundableAmount:
            CatalogEntry(self, .request, 409, .afterCorrection,
                explanation: .init(
                    ko: "refundableAmount가 지금 취소할 수 있는 금액과 다릅니다. 다른 요청이 먼저 취소했을 수 있으니 결제를 다시 조회하세요.",
                    en: "refundableAmount differs from the amount that can be cancelled now; another request may have cancelled first. Fetch the payment again."),
                customer: SharedCustomerMessage.askMerchant)
        case .forbiddenConsecutiveRequest:
            CatalogEntry(self, .request, 429, .afterDelay(seconds: 1),
                explanation: .init(
                    ko: "같은 결제에 대한 취소 요청이 1초 안에 연달아 들어왔습니다. 실수로 두 번 누른 요청을 막기 위한 규칙입니다.",
                    en: "Two cancel requests for the same payment came within one second; this stops accidental double submissions."),
                customer: SharedCustomerMessage.tryAgainShortly)
        case .idempotentRequestProcessing:
            CatalogEntry(self, .request, 409, .afterDelay(seconds: 1),
                explanation: .init(
                    ko: "같은 Idempotency-Key로 보낸 이전 요청이 아직 처리 중입니다. 잠시 뒤 같은 키로 다시 보내면 그 결과를 받습니다.",
                    en: "An earlier request with the same Idempotency-Key is still being processed. Send it again with the same key shortly to get its result."),
                customer: .init(
                    ko: "결제를 처리하고 있습니다. 잠시 기다려 주세요.",
                    en: "Your payment is being processed. Please wait a moment."))
        case .idempotentRequestConflict:
            CatalogEntry(self, .request, 422, .afterCorrection,
                explanation: .init(
                    ko: "같은 Idempotency-Key로 내용이 다른 요청이 들어왔습니다. 새 요청에는 새 키를 쓰세요.",
                    en: "A different request arrived with an Idempotency-Key already used. Use a new key for a new request."),
                customer: SharedCustomerMessage.askMerchant)
        case .invalidIdempotencyKey:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "Idempotency-Key는 1~300자의 출력 가능한 ASCII 문자여야 합니다.",
                    en: "An Idempotency-Key must be 1 to 300 printable ASCII characters."),
                customer: SharedCustomerMessage.askMerchant)
        case .notFoundPaymentLink:
            CatalogEntry(self, .request, 404, .never,
                explanation: .init(
                    ko: "그런 결제 링크가 없거나 이 가맹점의 링크가 아닙니다.",
                    en: "No such payment link, or it belongs to another merchant."),
                customer: .init(
                    ko: "결제 링크를 찾을 수 없습니다. 받으신 링크 주소가 맞는지 확인하시거나 가맹점에 문의해 주세요.",
                    en: "We couldn't find this payment link. Please check the address you received or contact the merchant."))
        case .expiredPaymentLink:
            CatalogEntry(self, .request, 410, .never,
                explanation: .init(
                    ko: "결제 링크의 유효기간이 지났습니다. 새 링크를 만들어 보내세요.",
                    en: "The payment link has expired; create and send a new one."),
                customer: .init(
                    ko: "결제 링크의 유효기간이 지났습니다. 가맹점에 새 링크를 요청해 주세요.",
                    en: "This payment link has expired. Please ask the merchant for a new one."))
        case .alreadyPaidPaymentLink:
            CatalogEntry(self, .request, 409, .never,
                explanation: .init(
                    ko: "이미 결제가 끝난 결제 링크입니다. 링크 하나로는 한 번만 결제할 수 있습니다.",
                    en: "The payment link has already been paid; a link can be paid once."),
                customer: .init(
                    ko: "이미 결제가 완료된 링크입니다. 결제 내역은 문자나 이메일로 받으신 영수증에서 확인해 주세요.",
                    en: "This link has already been paid. Your receipt was sent by text message or e-mail."))
        case .paymentLinkBeingPaid:
            CatalogEntry(self, .request, 409, .afterDelay(seconds: 30),
                explanation: .init(
                    ko: "고객이 지금 이 링크로 결제하고 있어 중지할 수 없습니다. 결과가 나온 뒤 다시 확인하세요. 승인되면 결제 취소로 처리할 수 있습니다.",
                    en: "A customer is paying with this link right now, so it cannot be stopped. Check again once the payment has a result; an approved payment can be cancelled."),
                customer: SharedCustomerMessage.askMerchant)
        case .notFoundWebhook:
            CatalogEntry(self, .request, 404, .never,
                explanation: .init(
                    ko: "그런 웹훅 엔드포인트가 없거나 이 가맹점의 것이 아닙니다.",
                    en: "No such webhook endpoint, or it belongs to another merchant."),
                customer: SharedCustomerMessage.askMerchant)
        case .notFoundInquiry:
            CatalogEntry(self, .request, 404, .never,
                explanation: .init(
                    ko: "그런 문의가 없거나 이 가맹점의 문의가 아닙니다.",
                    en: "No such inquiry, or it belongs to another merchant."),
                customer: SharedCustomerMessage.askMerchant)
        case .notFoundStaffMember:
            CatalogEntry(self, .request, 404, .never,
                explanation: .init(
                    ko: "그런 직원 계정이 없거나 이 가맹점의 계정이 아닙니다.",
                    en: "No such staff account, or it belongs to another merchant."),
                customer: SharedCustomerMessage.askMerchant)
        case .invalidWebhookURL:
            CatalogEntry(self, .request, 400, .afterCorrection,
                explanation: .init(
                    ko: "웹훅 URL은 http 또는 https로 시작하는 절대 주소여야 하고, 운영 환경에서는 내부망 주소(localhost, 10.x, 192.168.x 등)를 쓸 수 없습니다.",
                    en: "A webhook URL must be an absolute http or https address, and in production not an internal one (localhost, 10.x, 192.168.x and the like)."),
                customer: SharedCustomerMessage.askMerchant)
        }
    }
}
