import Foundation

/// Where a customer can be reached: a mobile phone number or an e-mail address, as a person types it. Parsed once,
/// the same way wherever a contact is given (a payment, a payment link, an inquiry, a chat, the shop's support
/// number): surrounding spaces dropped, then checked.
public enum CustomerContact: Sendable, Hashable {
    /// Digits and hyphens, at least nine digits: `010-1234-5678`, `0212345678`.
    case mobilePhone(String)
    /// An `@` in at most 100 characters (the mail server judges the rest).
    case email(String)

    /// A phone number as typed, trimmed; nil when it is not one. Digits are ASCII or full-width (a Korean keyboard's
    /// other digits), judged one code point at a time: other numerals (①, 一, ٣) and combining marks are not digits
    /// of a phone number.
    public static func mobilePhone(parsing text: String) -> CustomerContact? {
        let phone = text.trimmingCharacters(in: .whitespaces)
        let scalars = phone.unicodeScalars
        guard scalars.filter(isPhoneDigit).count >= 9, scalars.allSatisfy({ isPhoneDigit($0) || $0 == "-" }) else {
            return nil
        }
        return .mobilePhone(phone)
    }

    private static func isPhoneDigit(_ scalar: Unicode.Scalar) -> Bool {
        (0x30...0x39).contains(scalar.value) || (0xFF10...0xFF19).contains(scalar.value)
    }

    /// An e-mail address as typed, trimmed; nil when it is not one.
    public static func email(parsing text: String) -> CustomerContact? {
        let email = text.trimmingCharacters(in: .whitespaces)
        // Code points, not characters: an `@` followed by a combining mark is still an `@` to a mail server.
        guard email.unicodeScalars.contains("@"), email.unicodeScalars.count <= 100 else { return nil }
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
