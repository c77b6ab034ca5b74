/// Every failure KeyIn can report, as the stable code clients program against.
///
/// Codes follow the Korean PGs' names where one exists, so a merchant switching to KeyIn keeps its error
/// handling. The catalog itself (`ErrorCode.entry`) is a `switch`, so the compiler refuses a code without one.
public enum ErrorCode: String, CaseIterable, Sendable, Codable {
    // Card details as typed.
    case invalidCardNumber = "INVALID_CARD_NUMBER"
    case invalidCardNumberLength = "INVALID_CARD_NUMBER_LENGTH"
    case invalidCardNumberFormat = "INVALID_CARD_NUMBER_FORMAT"
    case notSupportedCardType = "NOT_SUPPORTED_CARD_TYPE"
    case invalidCardExpiration = "INVALID_CARD_EXPIRATION"
    case expiredCard = "EXPIRED_CARD"
    case invalidCardCVC = "INVALID_CARD_CVC"
    case invalidCardIdentityFormat = "INVALID_BIRTH_DAY_FORMAT"
    case invalidCardIdentity = "INVALID_CARD_IDENTITY"
    case invalidCardPasswordFormat = "INVALID_CARD_PASSWORD_FORMAT"
    case invalidCardPassword = "INVALID_CARD_PASSWORD"

    // Card-company rules.
    case notSupportedMonthlyInstallmentPlanBelowAmount = "NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT"
    case notSupportedInstallmentPlanCardOrMerchant = "NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT"
    case rejectCardCompany = "REJECT_CARD_COMPANY"
    case invalidCardLostOrStolen = "INVALID_CARD_LOST_OR_STOLEN"
    case rejectCardPayment = "REJECT_CARD_PAYMENT"
    case exceedMaxOneDayAmount = "EXCEED_MAX_PAYMENT_AMOUNT"
    case exceedMaxAmount = "EXCEED_MAX_AMOUNT"
    case invalidStoppedCard = "INVALID_STOPPED_CARD"
    case notAllowedCardTransaction = "NOT_ALLOWED_CARD_TRANSACTION"
    case rejectInvalidTransaction = "REJECT_INVALID_TRANSACTION"
    case cardCompanyUnknownResponse = "CARD_COMPANY_UNKNOWN_RESPONSE"
    case refundRejected = "REFUND_REJECTED"

    // The road to the card company.
    case cardCompanyResponseTimeout = "CARD_COMPANY_RESPONSE_TIMEOUT"
    case cardCompanyConnectionLost = "CARD_COMPANY_CONNECTION_LOST"
    case cardCompanyUnavailable = "CARD_COMPANY_UNAVAILABLE"
    case cardProcessingError = "CARD_PROCESSING_ERROR"
    case cardCompanyFormatError = "CARD_COMPANY_FORMAT_ERROR"
    case cardCompanyDuplicateTransmission = "CARD_COMPANY_DUPLICATE_TRANSMISSION"
    case cancelOrCaptureNotCompleted = "CANCEL_OR_CAPTURE_NOT_COMPLETED"
    case failedInternalSystemProcessing = "FAILED_INTERNAL_SYSTEM_PROCESSING"

    // Maintenance.
    case notAvailablePayment = "NOT_AVAILABLE_PAYMENT"

    // Fraud detection.
    case fdsError = "FDS_ERROR"
    case exceedMaxAuthCount = "EXCEED_MAX_AUTH_COUNT"
    case exceedMaxDailyPaymentCount = "EXCEED_MAX_DAILY_PAYMENT_COUNT"

    // Authentication of the caller, the cardholder and console staff.
    case unauthorizedKey = "UNAUTHORIZED_KEY"
    case incorrectBasicAuthFormat = "INCORRECT_BASIC_AUTH_FORMAT"
    case forbiddenRequest = "FORBIDDEN_REQUEST"
    case liveModeNotConfigured = "LIVE_MODE_NOT_CONFIGURED"
    case cardholderAuthenticationFailed = "CARDHOLDER_AUTHENTICATION_FAILED"
    case cardholderAuthenticationExpired = "CARDHOLDER_AUTHENTICATION_EXPIRED"
    case cardholderAuthenticationRejected = "CARDHOLDER_AUTHENTICATION_REJECTED"
    case cardholderAuthenticationUnavailable = "CARDHOLDER_AUTHENTICATION_UNAVAILABLE"
    case invalidLogin = "INVALID_LOGIN"
    case accountLocked = "ACCOUNT_LOCKED"
    case sessionExpired = "SESSION_EXPIRED"
    case invalidPasswordResetLink = "INVALID_PASSWORD_RESET_LINK"
    case invalidCSRFToken = "INVALID_CSRF_TOKEN"

    // The request.
    case invalidRequest = "INVALID_REQUEST"
    case invalidRequestBody = "INVALID_REQUEST_BODY"
    case payloadTooLarge = "PAYLOAD_TOO_LARGE"
    case notFoundRoute = "NOT_FOUND_ROUTE"
    case methodNotAllowed = "METHOD_NOT_ALLOWED"
    case upgradeRequired = "UPGRADE_REQUIRED"
    case tooManyRequests = "TOO_MANY_REQUESTS"
    case invalidAmount = "INVALID_AMOUNT"
    case belowMinimumAmount = "BELOW_MINIMUM_AMOUNT"
    case notSupportedCurrency = "NOT_SUPPORTED_CURRENCY"
    case invalidCardInstallmentPlan = "INVALID_CARD_INSTALLMENT_PLAN"
    case notFoundPayment = "NOT_FOUND_PAYMENT"
    case duplicatedOrderID = "DUPLICATED_ORDER_ID"
    case alreadyProcessedPayment = "ALREADY_PROCESSED_PAYMENT"
    case notCapturablePayment = "NOT_CAPTURABLE_PAYMENT"
    case alreadyCanceledPayment = "ALREADY_CANCELED_PAYMENT"
    case notCancelableAmount = "NOT_CANCELABLE_AMOUNT"
    case notCancelablePayment = "NOT_CANCELABLE_PAYMENT"
    case notMatchesRefundableAmount = "NOT_MATCHES_REFUNDABLE_AMOUNT"
    case forbiddenConsecutiveRequest = "FORBIDDEN_CONSECUTIVE_REQUEST"
    case idempotentRequestProcessing = "IDEMPOTENT_REQUEST_PROCESSING"
    case idempotentRequestConflict = "IDEMPOTENT_REQUEST_CONFLICT"
    case invalidIdempotencyKey = "INVALID_IDEMPOTENCY_KEY"
    case notFoundPaymentLink = "NOT_FOUND_PAYMENT_LINK"
    case expiredPaymentLink = "EXPIRED_PAYMENT_LINK"
    case alreadyPaidPaymentLink = "ALREADY_PAID_PAYMENT_LINK"
    case paymentLinkBeingPaid = "PAYMENT_LINK_BEING_PAID"
    case notFoundWebhook = "NOT_FOUND_WEBHOOK"
    case notFoundInquiry = "NOT_FOUND_INQUIRY"
    case notFoundStaffMember = "NOT_FOUND_STAFF_MEMBER"
    case invalidWebhookURL = "INVALID_WEBHOOK_URL"
}

extension ErrorCode: CustomStringConvertible {
    public var description: String { rawValue }
}

extension ErrorCode {
    /// What someone paying without an account (on a payment link's page) is told when the card company answers
    /// this. Its verdicts on a card's details — identity, password, CVC, a lost or stolen card, a limit, no such
    /// number — would tell a card tester which guess was wrong, so they read as one plain decline, which says what
    /// to do next. The merchant (API, console, webhooks) still gets the precise code. Mistakes KeyIn finds itself
    /// before contacting anyone keep theirs: they never reach the card company.
    public var forAnonymousPayer: ErrorCode {
        switch self {
        case .invalidCardIdentity, .invalidCardPassword, .invalidCardCVC, .invalidCardLostOrStolen,
            .rejectCardPayment, .exceedMaxOneDayAmount, .invalidStoppedCard, .expiredCard, .invalidCardNumber,
            .notAllowedCardTransaction, .cardholderAuthenticationRejected:
            .rejectCardCompany
        default: self
        }
    }
}
