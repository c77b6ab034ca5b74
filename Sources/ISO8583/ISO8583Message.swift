/// One ISO 8583 message: a type and the data elements present in it, each as its ASCII text.
///
/// Its `description` masks the card number and the secret sub-elements of element 48, so a message can be
/// logged whole.
public struct ISO8583Message: Hashable, Sendable {
    /// One element present, with its text.
    public struct Field: Hashable, Sendable {
        public let element: DataElement
        public var value: String
    }

    public var mti: MessageTypeIndicator
    /// The elements present, in ascending order: the order they go on the wire. A small sorted array rather than a
    /// dictionary: a message holds a dozen or two, and the codec walks them in order with no hashing or sorting.
    public private(set) var fields: [Field]

    public init(mti: MessageTypeIndicator, elements: [DataElement: String] = [:]) {
        self.mti = mti
        self.fields = elements.map { Field(element: $0.key, value: $0.value) }.sorted { $0.element < $1.element }
    }

    /// The elements present, by element.
    public var elements: [DataElement: String] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0.element, $0.value) })
    }

    public subscript(element: DataElement) -> String? {
        get { fields.first { $0.element == element }?.value }
        set {
            let index = fields.firstIndex { $0.element >= element } ?? fields.endIndex
            let present = index < fields.endIndex && fields[index].element == element
            switch (newValue, present) {
            case (let value?, true): fields[index].value = value
            case (let value?, false): fields.insert(Field(element: element, value: value), at: index)
            case (nil, true): fields.remove(at: index)
            case (nil, false): break
            }
        }
    }

    /// Room for `count` elements, so the decoder's appends never grow the array.
    mutating func reserveFields(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Adds an element after every one present, as the decoder reads them in ascending order.
    mutating func appendInOrder(_ element: DataElement, _ value: String) {
        fields.append(Field(element: element, value: value))
    }

    /// Element 48 read as sub-elements; nil when absent or malformed.
    public var additionalData: AdditionalData? {
        get { self[.additionalData].flatMap { try? AdditionalData(parsing: $0) } }
        set { self[.additionalData] = newValue.flatMap { $0.isEmpty ? nil : $0.encoded } }
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
        let rendered = fields.map { field -> String in
            let (element, value) = (field.element, field.value)
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
