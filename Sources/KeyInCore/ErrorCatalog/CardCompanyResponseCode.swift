/// ISO 8583 response codes (element 39) a card company can answer with, and the catalog code each becomes.
public enum CardCompanyResponseCode {
    public static let approved = "00"

    /// Every response code KeyIn knows, with its meaning in the ISO 8583:1987 table (Q1 and Q2 are private to Korean
    /// hosts: Q1, the birth date or business number does not match the cardholder; Q2, the 3-D Secure
    /// authentication value sent in element 48 is not one the card company issued).
    public static let known: [(code: String, meaning: String, error: ErrorCode?)] = [
        ("00", "Approved", nil),
        ("05", "Do not honour", .rejectCardCompany),
        ("12", "Invalid transaction", .rejectInvalidTransaction),
        ("13", "Invalid amount", .exceedMaxAmount),
        ("14", "Invalid card number (no such number)", .invalidCardNumber),
        ("30", "Format error", .cardCompanyFormatError),
        ("41", "Lost card", .invalidCardLostOrStolen),
        ("43", "Stolen card", .invalidCardLostOrStolen),
        ("51", "Not sufficient funds / over limit", .rejectCardPayment),
        ("54", "Expired card", .expiredCard),
        ("55", "Incorrect PIN (card password)", .invalidCardPassword),
        ("57", "Transaction not permitted to cardholder", .notAllowedCardTransaction),
        ("61", "Exceeds withdrawal amount limit", .exceedMaxOneDayAmount),
        ("62", "Restricted card", .invalidStoppedCard),
        ("91", "Issuer or switch inoperative", .cardCompanyUnavailable),
        ("94", "Duplicate transmission", .cardCompanyDuplicateTransmission),
        ("96", "System malfunction", .cardProcessingError),
        ("N7", "Decline for CVV2 failure", .invalidCardCVC),
        ("Q1", "Customer identity mismatch (private)", .invalidCardIdentity),
        ("Q2", "3-D Secure authentication value not verified (private)", .cardholderAuthenticationRejected),
    ]

    /// The catalog code for a response; nil for an approval. A 91 that carries the end of a maintenance window
    /// is maintenance, not an outage. Codes KeyIn does not know are declines it reports as such.
    public static func errorCode(for responseCode: String, duringMaintenance: Bool = false) -> ErrorCode? {
        if responseCode == "91" && duringMaintenance { return .notAvailablePayment }
        guard let entry = known.first(where: { $0.code == responseCode }) else { return .cardCompanyUnknownResponse }
        return entry.error
    }
}
