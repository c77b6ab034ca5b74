import Foundation

/// Where a customer can be reached: a mobile phone number or an e-mail address, as a person types it. Parsed once,
/// the same way wherever a contact is given (a payment, a payment link, an inquiry, a chat, the shop's support
/// number): surrounding spaces dropped, then checked.
public enum CustomerContact: Sendable, Hashable {
    /// Digits and hyphens, at least nine digits: `010-1234-5678`, `0212345678`.
    case mobilePhone(String)
    /// An `@` in at most 100 characters (the mail server judges the rest).
    case email(String)

    /// A phone number as typed, trimmed; nil when it is not one.
    public static func mobilePhone(parsing text: String) -> CustomerContact? {
        let phone = text.trimmingCharacters(in: .whitespaces)
        guard phone.filter(\.isNumber).count >= 9, phone.allSatisfy({ $0.isNumber || $0 == "-" }) else { return nil }
        return .mobilePhone(phone)
    }

    /// An e-mail address as typed, trimmed; nil when it is not one.
    public static func email(parsing text: String) -> CustomerContact? {
        let email = text.trimmingCharacters(in: .whitespaces)
        guard email.contains("@"), email.count <= 100 else { return nil }
        return .email(email)
    }

    /// Either kind, told apart by the `@`.
    public init?(parsing text: String) {
        guard let contact = text.contains("@") ? Self.email(parsing: text) : Self.mobilePhone(parsing: text) else {
            return nil
        }
        self = contact
    }

    /// The contact as stored and shown.
    public var text: String {
        switch self {
        case .mobilePhone(let phone): phone
        case .email(let email): email
        }
    }
}
