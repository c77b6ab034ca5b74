/// Element 90 of a reversal: which earlier message it cancels. 42 digits: the original message type (4), its
/// STAN (6), its transmission date and time (10), and the acquiring and forwarding institution ids (11 each,
/// zeros when unused).
public struct OriginalDataElements: Hashable, Sendable {
    public let messageType: MessageTypeIndicator
    public let systemTraceAuditNumber: String
    public let transmissionDateTime: String
    public let acquiringInstitution: String
    public let forwardingInstitution: String

    public init(
        messageType: MessageTypeIndicator, systemTraceAuditNumber: String, transmissionDateTime: String,
        acquiringInstitution: String = "00000000000", forwardingInstitution: String = "00000000000"
    ) {
        self.messageType = messageType
        self.systemTraceAuditNumber = systemTraceAuditNumber
        self.transmissionDateTime = transmissionDateTime
        self.acquiringInstitution = acquiringInstitution
        self.forwardingInstitution = forwardingInstitution
    }

    public var encoded: String {
        messageType.rawValue + systemTraceAuditNumber + transmissionDateTime + acquiringInstitution
            + forwardingInstitution
    }

    public init(parsing text: String) throws(ISO8583Error) {
        let bytes = Array(text.utf8)
        guard bytes.count == 42, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let mti = MessageTypeIndicator(rawValue: String(decoding: bytes[0..<4], as: UTF8.self))
        else { throw .invalidContent(element: .originalDataElements) }
        self.messageType = mti
        self.systemTraceAuditNumber = String(decoding: bytes[4..<10], as: UTF8.self)
        self.transmissionDateTime = String(decoding: bytes[10..<20], as: UTF8.self)
        self.acquiringInstitution = String(decoding: bytes[20..<31], as: UTF8.self)
        self.forwardingInstitution = String(decoding: bytes[31..<42], as: UTF8.self)
    }
}
