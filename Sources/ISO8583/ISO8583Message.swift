/// One ISO 8583 message: a type and the data elements present in it, each as its ASCII text.
///
/// Its `description` masks the card number and the secret sub-elements of element 48, so a message can be
/// logged whole.
public struct ISO8583Message: Hashable, Sendable {
    public var mti: MessageTypeIndicator
    public private(set) var elements: [DataElement: String]

    public init(mti: MessageTypeIndicator, elements: [DataElement: String] = [:]) {
        self.mti = mti
        self.elements = elements
    }

    public subscript(element: DataElement) -> String? {
        get { elements[element] }
        set { elements[element] = newValue }
    }

    /// Element 48 read as sub-elements; nil when absent or malformed.
    public var additionalData: AdditionalData? {
        get { elements[.additionalData].flatMap { try? AdditionalData(parsing: $0) } }
        set { elements[.additionalData] = newValue.flatMap { $0.isEmpty ? nil : $0.encoded } }
    }

    /// The response to this request: same elements the host echoes (3, 4, 7, 11, 12, 13, 41, 42, 49, 70, 90),
    /// the response type, and the given response code. Card data (2, 14, 48) is not echoed.
    public func response(code: String) -> ISO8583Message {
        var response = ISO8583Message(mti: mti.response)
        for element in ISO8583Message.echoedInResponses { response[element] = self[element] }
        response[.responseCode] = code
        return response
    }

    static let echoedInResponses: [DataElement] = [
        .processingCode, .amount, .transmissionDateTime, .systemTraceAuditNumber, .localTime, .localDate,
        .terminalID, .merchantID, .currencyCode, .networkManagementCode, .originalDataElements,
    ]
}

extension ISO8583Message: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let rendered = elements.keys.sorted().map { element -> String in
            let value = elements[element] ?? ""
            switch element {
            case .primaryAccountNumber: return "2=\(ISO8583Message.maskPAN(value))"
            case .expirationDate: return "14=****"
            case .additionalData: return "48=\(additionalData?.redacted ?? "<\(value.count) chars>")"
            default: return "\(element.rawValue)=\(value)"
            }
        }
        return "\(mti) [\(rendered.joined(separator: " "))]"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }

    /// First six and last four digits, the rest starred.
    static func maskPAN(_ pan: String) -> String {
        guard pan.count >= 10 else { return String(repeating: "*", count: pan.count) }
        return String(pan.prefix(6)) + String(repeating: "*", count: pan.count - 10) + String(pan.suffix(4))
    }
}
