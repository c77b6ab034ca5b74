/// The fields of a key-in form, named as the API names them so an error's `param` points at the right one.
public enum CardEntryField: String, CaseIterable, Sendable, Codable {
    case cardNumber
    case cardExpiration
    case cardCvc
    case customerIdentityNumber
    case cardPassword
    case amount
    case currency
    case cardInstallmentPlan
}

/// One thing wrong with one field, with the catalog code and the customer message to show next to it.
public struct FieldProblem: Hashable, Sendable {
    public let field: CardEntryField
    public let code: ErrorCode
    public let message: LocalizedText

    public init(_ field: CardEntryField, _ code: ErrorCode) {
        self.field = field
        self.code = code
        self.message = KeyInError(code, param: field.rawValue).customerMessage
    }

    public var error: KeyInError { KeyInError(code, param: field.rawValue) }
}
