/// The data elements KeyIn exchanges with card-company hosts, by their ISO 8583:1987 numbers.
public enum DataElement: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case primaryAccountNumber = 2
    case processingCode = 3
    case amount = 4
    /// UTC, `MMDDhhmmss`.
    case transmissionDateTime = 7
    /// System trace audit number: with the terminal id, what matches a response to its request.
    case systemTraceAuditNumber = 11
    /// Asia/Seoul, `hhmmss`.
    case localTime = 12
    /// Asia/Seoul, `MMDD`.
    case localDate = 13
    /// `YYMM`.
    case expirationDate = 14
    case posEntryMode = 22
    case posConditionCode = 25
    case retrievalReferenceNumber = 37
    case approvalCode = 38
    case responseCode = 39
    case terminalID = 41
    case merchantID = 42
    /// Sub-elements, see `AdditionalData`.
    case additionalData = 48
    case currencyCode = 49
    case networkManagementCode = 70
    /// On reversals: which message is being reversed, see `OriginalDataElements`.
    case originalDataElements = 90

    public static func < (lhs: DataElement, rhs: DataElement) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "DE\(rawValue)" }
}
